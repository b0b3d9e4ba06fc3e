#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed at /usr/bin/chromium, for the portal's end-to-end
# tests (test/e2e/portal-*.test.ts drive it with playwright-core). Never a downloaded browser
# build: only the distribution's package. Idempotent.
set -euo pipefail

BIN=/usr/bin/chromium
if [ -x "$BIN" ]; then
  echo "ensure-chromium: $BIN is installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=sudo
  else
    echo "ensure-chromium: $BIN is missing and this is neither root nor passwordless sudo;" >&2
    echo "ensure-chromium: install it with: apt-get install chromium" >&2
    exit 1
  fi
else
  SUDO=
fi

echo "ensure-chromium: installing chromium from apt"
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -q && $SUDO apt-get install -y -q --no-install-recommends chromium; }; then
  echo "ensure-chromium: could not install chromium with apt-get (no network or no Debian mirror?)" >&2
  exit 1
fi
if [ ! -x "$BIN" ]; then
  echo "ensure-chromium: $BIN still missing after installing the chromium package" >&2
  exit 1
fi
echo "ensure-chromium: $BIN is installed ($("$BIN" --version 2>/dev/null || echo 'version unknown'))"
