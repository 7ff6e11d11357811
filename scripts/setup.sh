#!/usr/bin/env bash
# Set up Proffer on a fresh Debian/Ubuntu machine and start it.
#
#   bash scripts/setup.sh              # install everything, register the native host, start the companion
#   bash scripts/setup.sh --deps-only  # install everything the tests need, start nothing (CI uses this)
#
# Safe to run again: every step checks what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

deps_only=false
[[ "${1:-}" == "--deps-only" ]] && deps_only=true

step() { printf '\n==> %s\n' "$*"; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

# A package the archive offers (Ubuntu's has no real `chromium` or `firefox-esr`: only snap stubs). The
# policy is read whole first: `grep -q` stops early, and under pipefail the cut-off writer fails the test.
in_archive() {
  local policy
  policy=$(apt-cache policy "$1" 2>/dev/null) || return 1
  grep -q 'Candidate: [^(]' <<<"$policy"
}

step "System packages (Chromium and Firefox ESR for the browser tests, Chromium for the fields tool, Python venv)"
as_root apt-get update -q
packages=(python3-venv)
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for browser in chromium:PROFFER_CHROMIUM firefox-esr:PROFFER_FIREFOX; do
  package=${browser%%:*} variable=${browser#*:}
  if [[ -n "${!variable:-}" ]]; then
    [[ -x "${!variable}" ]] || { echo "$variable=${!variable} is not an executable file." >&2; exit 1; }
  elif in_archive "$package"; then
    packages+=("$package")
  else
    missing+=("$package: or set $variable to an installed one")
  fi
done
if ((${#missing[@]})); then
  echo "This system's package archive lacks a browser Proffer needs (Debian 12's has both):" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "${packages[@]}"

step "Python environment in .venv"
python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Proffer needs Python 3.11 or newer; $("$python" --version) found. Set PYTHON=/path/to/python3.11." >&2
  exit 1
fi
[[ -x .venv/bin/python ]] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

step "Node packages for the extension's tests (jsdom)"
NO_UPDATE_NOTIFIER=1 npm ci --no-audit --no-fund --loglevel=error

if $deps_only; then
  echo "Dependencies installed. Run the tests with: bash scripts/test.sh"
  exit 0
fi

step "Registering the native messaging host with your browsers"
.venv/bin/proffer install-host

step "Starting the companion"
.venv/bin/proffer serve --detach
cat <<'DONE'

Proffer is running. Next:
  1. Load the extension: chrome://extensions -> Developer mode -> Load unpacked -> the extension/ folder;
     in Firefox: about:debugging#/runtime/this-firefox -> Load Temporary Add-on -> extension/manifest.json.
  2. Open the dashboard (link above) and create your vault.
  3. Try it on the demo shop:  .venv/bin/proffer demo-shop   (then open http://127.0.0.1:8088/)
Stop Proffer with:  .venv/bin/proffer stop
DONE
