#!/usr/bin/env bash
# Checks deploy/carenet.service with `systemd-analyze verify` (installing Debian's systemd
# package first when the tool is missing and apt-get can be used). Exit 0: the unit is
# valid; 1: it is not; 77: the check cannot run here (the reason is printed).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UNIT="$ROOT/deploy/carenet.service"
if ! command -v systemd-analyze >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "systemd-analyze is missing: installing Debian's systemd package" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd) >&2 || true
  fi
fi
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "skipped: systemd-analyze is not installed and could not be (needs root and apt-get)" >&2
  exit 77
fi
# The unit names /usr/bin/node, which verify requires to exist; elsewhere, check a copy
# pointing at this machine's node.
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
sed "s#/usr/bin/node #$(command -v node) #" "$UNIT" > "$dir/carenet.service"
out="$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "$dir/carenet.service" 2>&1)"
status=$?
# Anything it says about this unit is a problem, even when it exits 0.
problems="$(printf '%s\n' "$out" | grep -F "carenet.service" || true)"
printf '%s\n' "$out" >&2
if [ "$status" -ne 0 ] || [ -n "$problems" ]; then
  echo "deploy/carenet.service: systemd-analyze verify found problems" >&2
  exit 1
fi
echo "deploy/carenet.service: systemd-analyze verify passed" >&2
