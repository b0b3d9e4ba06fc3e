#!/usr/bin/env bash
# Supply chain (OP7): fail on any high or critical advisory in the production dependencies.
# An audit that could not run is a failure too, with its own message and exit code: a CI step
# that passes because the advisory endpoint was down would claim a check that never happened.
#   exit 0  audit ran, nothing at or above high
#   exit 1  audit ran, vulnerabilities at or above high (listed)
#   exit 2  audit endpoint unavailable or answer unreadable (nothing was checked)
set -uo pipefail
cd "$(dirname "$0")/.."

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
npm audit --omit=dev --audit-level=high --json >"$out" 2>/dev/null
rc=$?

node - "$out" "$rc" <<'JS'
const [file, rc] = process.argv.slice(2);
let r;
try { r = JSON.parse(require('node:fs').readFileSync(file, 'utf8')); } catch {
  console.error(`audit: FAILED - npm audit gave no readable answer (exit ${rc}); nothing was checked`);
  process.exit(2);
}
if (!r.metadata?.vulnerabilities) {
  const why = r.message ?? r.error?.summary ?? 'unknown error';
  console.error(`audit: FAILED - the audit endpoint is unavailable (${why}); nothing was checked.`);
  console.error('audit: point npm at a registry that serves /-/npm/v1/security/advisories/bulk (npm config get registry) and run again.');
  process.exit(2);
}
const v = r.metadata.vulnerabilities;
const serious = (v.high ?? 0) + (v.critical ?? 0);
if (serious === 0) {
  console.log(`audit: ok - no high or critical advisories in production dependencies (low ${v.low ?? 0}, moderate ${v.moderate ?? 0})`);
  process.exit(0);
}
console.error(`audit: FAILED - ${v.critical ?? 0} critical, ${v.high ?? 0} high advisories in production dependencies:`);
for (const [name, e] of Object.entries(r.vulnerabilities ?? {})) {
  if (e.severity === 'high' || e.severity === 'critical') console.error(`  ${e.severity.padEnd(8)} ${name} ${e.range ?? ''}${e.fixAvailable ? ' (fix available)' : ''}`);
}
process.exit(1);
JS
