#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed at /usr/bin/chromium, for the portal's end-to-end
# tests (test/e2e/portal-*.test.ts drive it with playwright-core). Never a downloaded browser
# build: only the distribution's package. Idempotent.
set -euo pipefail
. "$(dirname "$0")/lib/apt-install.sh"

BIN=/usr/bin/chromium
if [ -x "$BIN" ]; then
  echo "ensure-chromium: $BIN is installed"
  exit 0
fi

apt_install ensure-chromium chromium
if [ ! -x "$BIN" ]; then
  echo "ensure-chromium: $BIN still missing after installing the chromium package" >&2
  exit 1
fi
echo "ensure-chromium: $BIN is installed ($("$BIN" --version 2>/dev/null || echo 'version unknown'))"
