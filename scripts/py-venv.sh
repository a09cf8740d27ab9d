#!/usr/bin/env bash
# The tests' Python tools (frictionless, pandas, duckdb: test/requirements.txt, pinned) in .cache/py-venv.
#
#   bash scripts/py-venv.sh        # creates or refreshes the venv; prints its bin folder
#
# Reinstalled only when test/requirements.txt changes. Tests that need a tool skip with the reason
# when the venv is missing, except under CI (CI=true), where they fail: .ci/run runs this script.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=$ROOT/.cache/py-venv
stamp=$(sha256sum "$ROOT/test/requirements.txt" | cut -d' ' -f1)
if [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$venv"
  mkdir -p "$ROOT/.cache"
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$ROOT/test/requirements.txt"
  echo "$stamp" >"$venv/.requirements"
fi
echo "$venv/bin"
