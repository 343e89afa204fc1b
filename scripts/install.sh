#!/usr/bin/env bash
# Installs carenet's npm dependencies when they are missing or older than the lockfile,
# then builds. Only the npm registry is needed: better-sqlite3 compiles from source (its
# prebuilt download is not used) and the Matrix crypto binding is replaced by a stub
# (docs/encryption.md).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

stamp=node_modules/.carenet-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ] || [ ! -d node_modules/better-sqlite3/build ]; then
  # node-gyp needs Node's headers; use the ones installed with node rather than downloading them.
  if [ -z "${npm_config_nodedir:-}" ] && [ -z "$(npm config get nodedir 2>/dev/null | grep -v '^undefined$' || true)" ]; then
    prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
    if [ -f "$prefix/include/node/node.h" ]; then export npm_config_nodedir="$prefix"; fi
  fi
  echo "installing npm dependencies (better-sqlite3 compiles from source: about a minute)…"
  # `npm install` rather than `npm ci`: the lockfile pins every version, but npm here records
  # only this platform's optional packages, which `npm ci` then reports as out of sync.
  npm install --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
npx --no-install tsc -p tsconfig.json
