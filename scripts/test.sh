#!/usr/bin/env bash
# Runs every test: unit and integration, then end-to-end against a real Synapse (installed
# into .cache/synapse-venv on first use). Extra arguments go to jest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/install.sh
bash scripts/ensure-synapse.sh
bash scripts/ensure-prometheus.sh
# The e2e tests share one Synapse and one appservice port, so they run one file at a time.
exec npx --no-install jest --runInBand "$@"
