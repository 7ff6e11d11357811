#!/usr/bin/env bash
# Run Proffer's whole test suite: lint, the extension's node tests, then pytest (unit, protocol, and
# end-to-end tests in real headless Chromium and Firefox). With CI=true, end-to-end tests may not skip.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x .venv/bin/python ]]; then
  echo "No .venv here: run 'bash scripts/setup.sh' (or 'bash scripts/setup.sh --deps-only') first." >&2
  exit 1
fi
export NO_UPDATE_NOTIFIER=1

echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

echo "==> extension tests (node --test)"
mapfile -t node_tests < <(find tests/extension -name '*.test.mjs' -o -name '*.test.js' | sort)
node --test "${node_tests[@]}"

echo "==> pytest"
exec .venv/bin/python -m pytest "$@"
