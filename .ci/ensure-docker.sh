#!/usr/bin/env bash
# Makes a real Docker engine and the local test image available for the Docker executor tests.
# Idempotent and quiet when everything is already in place; safe as root without a TTY or stdin.
# No registry is reachable on these machines, so the engine runs without the default bridge
# (containers use network "none" or "host") and the test image is imported from a busybox rootfs.
set -euo pipefail

IMAGE="tstr-test/busybox:latest"
LOG="${TMPDIR:-/tmp}/tstr-dockerd.log"

log() { echo "ensure-docker: $*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else
    log "need root for: $*"; return 1
  fi
}

install_packages() {
  log "installing docker.io and busybox-static with apt-get"
  local apt_log="${TMPDIR:-/tmp}/tstr-apt-docker.log"
  if ! { as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io busybox-static; } \
    </dev/null >"$apt_log" 2>&1; then
    log "apt-get failed; last lines of $apt_log:"
    tail -n 20 "$apt_log" >&2
    exit 1
  fi
}

if ! command -v dockerd >/dev/null || [ ! -x /bin/busybox ]; then install_packages; fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (log: $LOG)"
  # setsid + nohup: the engine outlives this script and the shell that ran it.
  as_root setsid nohup dockerd --iptables=false --ip-forward=false --bridge=none \
    </dev/null >"$LOG" 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  if ! docker info >/dev/null 2>&1; then
    log "dockerd did not come up within 30 s; last lines of $LOG:"
    tail -n 20 "$LOG" >&2 || true
    exit 1
  fi
fi

if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "building $IMAGE from /bin/busybox"
  rootfs="$(mktemp -d)"
  trap 'rm -rf "$rootfs"' EXIT
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/root"
  chmod 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  # Relative links: `busybox --install` would point them at the host's resolved busybox path.
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  echo "root:x:0:0:root:/root:/bin/sh" >"$rootfs/etc/passwd"
  echo "root:x:0:" >"$rootfs/etc/group"
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/bin' --change 'CMD ["sh"]' - "$IMAGE" >/dev/null
fi
