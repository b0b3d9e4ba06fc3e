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
echo "== services"
bash scripts/ensure-postgres.sh
bash scripts/ensure-slapd.sh
echo "== tests"
node --test dist/test/
