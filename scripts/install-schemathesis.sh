#!/usr/bin/env bash
# Installs Schemathesis (PyPI) into a virtualenv in the tools cache outside the repo, for
# `npm run fuzz` and CI's short fuzz. Idempotent: a complete install is reused. Prints the path of
# the `schemathesis` executable on stdout.
#   SANXIANG_TOOLS_DIR   cache location (default ~/.cache/sanxiang-tools)
set -euo pipefail
TOOLS_DIR="${SANXIANG_TOOLS_DIR:-$HOME/.cache/sanxiang-tools}"
VERSION="4.32.5"
VENV="$TOOLS_DIR/schemathesis-$VERSION"
say() { printf '[fuzz] %s\n' "$*" >&2; }
mkdir -p "$TOOLS_DIR"
exec 8>"$TOOLS_DIR/.lock-schemathesis"
flock 8
if [ -x "$VENV/bin/schemathesis" ] && [ -f "$VENV/.complete" ]; then
  say "Schemathesis $VERSION: cached at $VENV"
else
  command -v python3 >/dev/null || { say "python3 is required (apt-get install python3 python3-venv)"; exit 1; }
  say "Schemathesis $VERSION: installing into $VENV (once)..."
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION" >&2
  touch "$VENV/.complete"
  say "Schemathesis: installed"
fi
echo "$VENV/bin/schemathesis"
