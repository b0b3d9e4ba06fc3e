#!/usr/bin/env bash
# `npm test`: lint, type-check + build from clean, make sure the services the tests need are
# running (never skipped: a missing service fails here with a clear message), run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== lint"
npx eslint .
echo "== typecheck + build"
rm -rf dist
npx tsc -p tsconfig.json
npm run build:web
echo "== services"
bash scripts/ensure-postgres.sh
bash scripts/ensure-slapd.sh
bash scripts/ensure-redis.sh
bash scripts/ensure-rsyslog.sh
bash scripts/ensure-chromium.sh
echo "== tests"
# every test platform logs at debug level here, and notes the personal data it encrypts (test/helpers/run-log.ts)
OV2X_TEST_LOG_DIR="$(mktemp -d -t ov2x-test-logs.XXXXXX)"
export OV2X_TEST_LOG_DIR
# two test files at a time: most wait on sockets and timers, so both cores stay busy
node --test --test-concurrency=2 dist/test/
echo "== personal data in the logs of the whole run (G4)"
node dist/tools/scan-run-logs.js "$OV2X_TEST_LOG_DIR"
rm -rf "$OV2X_TEST_LOG_DIR"
