#!/usr/bin/env bash
# `npm run demo`: a local Synapse on 127.0.0.1 with carenet registered, carenet running on
# config/demo.yaml, demo accounts, and how to sign in with Element (tools/demo.ts).
#   npm run demo                run until Ctrl-C
#   npm run demo -- --check     start, send !help as demo-member, wait for the answer, stop
#   npm run demo -- --reset     forget the demo's state (.cache/demo/) first
# Needs only the npm and PyPI registries (first run: npm deps and the Synapse venv).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/install.sh
bash scripts/ensure-synapse.sh

exec node dist/tools/demo.js "$@"
