#!/usr/bin/env bash
# The v1 API may only grow: compare the protos against the first published v1 contract and,
# on a branch other than main, against main.
set -euo pipefail
cd "$(dirname "$0")/.."
first=$(git log --diff-filter=A --format=%H -- proto/tstr/common/v1/common.proto | tail -n 1)
if [ -n "$first" ]; then
  pnpm exec buf breaking --against ".git#ref=$first"
fi
branch=$(git rev-parse --abbrev-ref HEAD)
if [ "$branch" != "main" ] && git rev-parse --verify -q main >/dev/null; then
  pnpm exec buf breaking --against ".git#branch=main"
fi
echo "buf breaking: no breaking change"
