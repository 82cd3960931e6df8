#!/usr/bin/env bash
# Everything portalscore needs on a fresh Debian 12 machine, idempotent: a second run
# checks and reuses what is there. Needs root (or sudo) only when Chromium is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

apt_install() {
  # apt-get update once per setup, only when something is missing.
  if [ -z "${APT_UPDATED:-}" ]; then $SUDO apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

# 1. Debian's Chromium, its headless shell (what headless runs drive: crawler/browser.py) and its WebDriver
#    (Playwright cannot download its own browser here).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromium-headless-shell ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "setup: installing Debian's chromium, chromium-headless-shell and chromium-driver"
  apt_install chromium chromium-headless-shell chromium-driver
fi
command -v npm >/dev/null || apt_install npm
# Real PostgreSQL and Redis for the distributed-mode tests (the tests start throwaway instances); a portal team's
# CI job running `portalscore check` needs neither: PORTALSCORE_NO_SERVICES=1 (docs/ci.md).
if [ -z "${PORTALSCORE_NO_SERVICES:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v redis-server >/dev/null; then
  echo "setup: installing postgresql and redis-server (distributed-mode tests)"
  apt_install postgresql redis-server
fi

# 2. The virtualenv with pinned dependencies; the stamp holds the lock file's digest.
stamp="$VENV/.portalscore-installed"
want=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: creating $VENV with pinned dependencies"
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements.lock
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps -e .
  echo "$want" > "$stamp"
fi

# 2b. pywb (`portalscore evidence browse`: the archive replayed in a browser) in a virtualenv of its own, as a tool:
#     its pins (redis 2.x) cannot live beside Celery's. The stamp holds its lock file's digest.
PYWB_VENV="$VENV/tools/pywb"
pywb_stamp="$PYWB_VENV/.installed"
pywb_want=$(sha256sum requirements-pywb.lock | cut -d' ' -f1)
if [ -z "${PORTALSCORE_NO_PYWB:-}" ] && { [ ! -f "$pywb_stamp" ] || [ "$(cat "$pywb_stamp")" != "$pywb_want" ]; }; then
  echo "setup: installing pywb in $PYWB_VENV"
  [ -x "$PYWB_VENV/bin/python" ] || "$PYTHON" -m venv "$PYWB_VENV"
  "$PYWB_VENV/bin/pip" install -q --disable-pip-version-check -r requirements-pywb.lock
  echo "$pywb_want" > "$pywb_stamp"
fi

# 3. axe-core, pinned by version and sha256.
"$VENV/bin/python" scripts/fetch_axe.py >/dev/null
echo "setup: ready ($("$VENV/bin/python" --version), $(/usr/bin/chromium-headless-shell --version 2>/dev/null | head -1), axe-core $("$VENV/bin/python" -c 'from crawler.axe import AXE_VERSION; print(AXE_VERSION)'))"
