#!/usr/bin/env bash
# `npm run bench`: carenet beside its anchors on a real Synapse (bench/run.ts,
# docs/performance.md). Arguments go to the bench: --quick, --only <measure>, --reps <n>.
# Needs only the npm and PyPI registries (first run: npm deps and the Synapse venv).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/install.sh
bash scripts/ensure-synapse.sh

exec node dist/bench/run.js "$@"
