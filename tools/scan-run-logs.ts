/**
 * After `npm test` (scripts/test.sh): fails when any personal value a test platform encrypted
 * (the `.pii` notes of test/helpers/run-log.ts) appears in any log line of the whole run (G4).
 * Usage: node dist/tools/scan-run-logs.js <OV2X_TEST_LOG_DIR>
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Shorter values (a one-letter test UID) would match unrelated text; every test seeds longer ones too. */
const MIN_LENGTH = 6;

/** The string leaves of a value at any depth. */
const leaves = (v: unknown): string[] => (typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(leaves) : []);

/** The strings a noted plaintext stands for: itself, or the string leaves of JSON (a billing address, a snapshot). */
function valuesOf(plain: string): string[] {
  if (!plain.startsWith('{')) return [plain];
  try {
    return leaves(JSON.parse(plain));
  } catch {
    return [plain];
  }
}

const dir = process.argv[2];
if (!dir) {
  console.error('usage: scan-run-logs <log dir>');
  process.exit(2);
}
const files = readdirSync(dir);
const seeded = new Set<string>();
for (const f of files.filter((f) => f.endsWith('.pii'))) {
  for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
    if (line) for (const v of valuesOf(JSON.parse(line) as string)) if (v.length >= MIN_LENGTH) seeded.add(v);
  }
}
// one alternation for all values: a pass per value over every line would be seeded × lines
const escape = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const anySeeded = new RegExp([...seeded].sort((a, b) => b.length - a.length).map(escape).join('|'), 'g');
const logs = files.filter((f) => f.endsWith('.log'));
let lines = 0;
const found: string[] = [];
for (const f of logs) {
  for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
    if (!line) continue;
    lines++;
    // the report shows where, with the value itself masked
    if (anySeeded.test(line)) found.push(`${f}: ${line.replace(anySeeded, '<seeded personal value>').slice(0, 400)}`);
    anySeeded.lastIndex = 0;
  }
}
if (seeded.size === 0 || lines === 0) {
  console.error(`scan-run-logs: nothing to scan (${seeded.size} seeded values, ${lines} log lines): the run did not log or seed, so the check would prove nothing`);
  process.exit(1);
}
if (found.length) {
  console.error(`scan-run-logs: personal data in the test run's logs (${found.length}):\n${found.slice(0, 20).join('\n')}`);
  process.exit(1);
}
console.log(`scan-run-logs: ${seeded.size} personal values seeded by the tests, none in ${lines} log lines of ${logs.length} test processes`);
