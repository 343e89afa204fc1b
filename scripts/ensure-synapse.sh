#!/usr/bin/env bash
# Idempotently provision the Synapse venv used by the e2e tests (.cache/synapse-venv).
# Pinned Synapse + a pinned dependency set: Synapse has no upper bounds on its deps,
# and unpinned installs have broken imports before (element-hq/synapse#19375).
set -euo pipefail

SYNAPSE_VERSION="1.163.2"   # the single place the Synapse pin lives

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.cache/synapse-venv"
CONSTRAINTS="$ROOT/tools/synapse-constraints.txt"
MARKER="$VENV/.carenet-synapse-ok"

die() { echo "ensure-synapse: error: $*" >&2; exit 1; }

[ -f "$CONSTRAINTS" ] || die "missing $CONSTRAINTS"
# The marker records what was installed; a changed pin or constraints file invalidates it.
WANT="$SYNAPSE_VERSION $(cksum < "$CONSTRAINTS" | cut -d' ' -f1)"

# Warm path: no Python start-up at all, so this stays well under a second.
if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$WANT" ] && [ -x "$VENV/bin/python" ]; then
  echo "synapse $SYNAPSE_VERSION ready in $VENV"
  exit 0
fi

command -v python3 >/dev/null 2>&1 || die "python3 not found on PATH (Synapse needs Python >= 3.10)"
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
  || die "python3 is $(python3 -V 2>&1); Synapse $SYNAPSE_VERSION needs Python >= 3.10"
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 \
  || die "python3 lacks the venv/ensurepip modules (on Debian/Ubuntu: apt-get install python3-venv)"

has_version() {
  [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c \
    "import synapse; assert synapse.__version__ == '$SYNAPSE_VERSION'" >/dev/null 2>&1
}

if ! has_version; then
  rm -f "$MARKER"
  # --clear: a venv with the wrong Synapse (or half-installed) is rebuilt from scratch.
  python3 -m venv --clear "$VENV" || die "python3 -m venv $VENV failed"
  LOG="$(mktemp)"
  # --only-binary: never fall back to building Rust/C extensions from source.
  if ! "$VENV/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: \
      "matrix-synapse==$SYNAPSE_VERSION" -c "$CONSTRAINTS" >"$LOG" 2>&1; then
    cat "$LOG" >&2; rm -f "$LOG"
    die "pip install matrix-synapse==$SYNAPSE_VERSION failed (see above)"
  fi
  rm -f "$LOG"
fi

# Smoke import: catches import-time breakage that a successful pip install can hide.
"$VENV/bin/python" -c "import synapse.app.homeserver" \
  || die "synapse.app.homeserver fails to import in $VENV"

echo "$WANT" > "$MARKER"
echo "synapse $SYNAPSE_VERSION ready in $VENV"
