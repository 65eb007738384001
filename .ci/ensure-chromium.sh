#!/usr/bin/env bash
# Makes Debian's Chromium available for the browser tests (test/browser, driven by playwright-core).
# Idempotent and quiet when /usr/bin/chromium is already there; safe as root without a TTY or stdin.
set -euo pipefail

CHROMIUM="${TSTR_CHROMIUM:-/usr/bin/chromium}"

log() { echo "ensure-chromium: $*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else
    log "need root for: $*"; return 1
  fi
}

if [ -x "$CHROMIUM" ]; then exit 0; fi

log "installing chromium with apt-get"
apt_log="${TMPDIR:-/tmp}/tstr-apt-chromium.log"
if ! { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } \
  </dev/null >"$apt_log" 2>&1; then
  log "apt-get failed; last lines of $apt_log:"
  tail -n 20 "$apt_log" >&2
  exit 1
fi
if [ ! -x "$CHROMIUM" ]; then
  log "chromium was installed but $CHROMIUM is missing (set TSTR_CHROMIUM to its path)"
  exit 1
fi
