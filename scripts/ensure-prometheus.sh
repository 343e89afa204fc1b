#!/usr/bin/env bash
# Idempotently provides Prometheus and promtool for the metrics tests (Debian's
# `prometheus` package). The e2e test starts its own Prometheus on a free loopback port
# with a temporary config and storage; the package's own service is never left running.
set -euo pipefail

die() { echo "ensure-prometheus: error: $*" >&2; exit 1; }

if [ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ]; then
  echo "prometheus ready: $(/usr/bin/prometheus --version 2>&1 | head -1)"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install Prometheus (prometheus and promtool in /usr/bin) by hand"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "not root and no sudo: run 'apt-get install prometheus' as root"
  SUDO="sudo"
fi

# Keep the package's service from starting during the install (invoke-rc.d honours
# policy-rc.d exit code 101); an existing policy file is left as it was.
POLICY=/usr/sbin/policy-rc.d
ADDED_POLICY=""
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod 755 "$POLICY"
  ADDED_POLICY=1
fi
cleanup() { if [ -n "$ADDED_POLICY" ]; then $SUDO rm -f "$POLICY"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null

# Should a service manager have started it anyway, stop it: :9090 stays free.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
  $SUDO systemctl stop prometheus || true
  $SUDO systemctl disable prometheus >/dev/null 2>&1 || true
fi
if command -v service >/dev/null 2>&1; then $SUDO service prometheus stop >/dev/null 2>&1 || true; fi

[ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ] || die "the prometheus package did not provide /usr/bin/prometheus and /usr/bin/promtool"
echo "prometheus installed: $(/usr/bin/prometheus --version 2>&1 | head -1)"
