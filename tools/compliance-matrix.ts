// Generates the README's per-action compliance matrix from the routing tables and the test
// files that exercise each action, so the matrix cannot drift from the code.
// `npm run gen:readme` rewrites the block between the markers; a test fails when it is stale.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Adapter } from '../src/ocpp/adapter.js';
import { routingTable } from '../src/ocpp/routing.js';
import { v16Adapter } from '../src/ocpp/v16/index.js';
import { v201Adapter } from '../src/ocpp/v201/index.js';

export const markers = { begin: '<!-- action-matrix:begin -->', end: '<!-- action-matrix:end -->' };

const versions: Array<{ adapter: Adapter; dir: string; tag: RegExp; other: RegExp }> = [
  { adapter: v16Adapter, dir: 'v16', tag: /v16|ocpp1\.6/, other: /v201|ocpp2\.0\.1/ },
  { adapter: v201Adapter, dir: 'v201', tag: /v201|ocpp2\.0\.1/, other: /v16|ocpp1\.6/ },
];

function testFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? testFiles(path) : e.name.endsWith('.test.ts') ? [path] : [];
  }).sort();
}

/** A test file belongs to a version when its path names it; otherwise when only that version's subprotocol appears in it. */
function belongsTo(path: string, text: string, v: (typeof versions)[number]): boolean {
  if (v.tag.test(path)) return true;
  if (v.other.test(path)) return false;
  return v.tag.test(text);
}

/** Suites that drive the platform over a real socket (the simulator's own tests do not count). */
const proving = ['conformance', 'ocpp', 'e2e'];

export function complianceMatrix(root = '.'): string {
  const files = proving.flatMap((d) => testFiles(join(root, 'test', d))).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
  const out: string[] = [];
  for (const v of versions) {
    out.push(`#### ${v.adapter.version}`, '', '| Action | Initiated by | Handler block / neutral commands | Tests |', '|---|---|---|---|');
    for (const r of routingTable(v.adapter)) {
      const where = [
        r.block && `[\`${r.block}\`](src/ocpp/${v.dir}/handlers/${r.block}.ts)`,
        r.commands.length > 0 && r.commands.map((k) => `\`${k}\``).join(', ') + ` ([table](src/ocpp/${v.dir}/commands.ts))`,
      ].filter(Boolean).join(' · ') || '**missing**';
      // the action's name, or a command kind that sends it, as a whole word
      const needle = new RegExp(`\\b(${[r.action, ...r.commands].join('|')})\\b`);
      const tests = files
        .filter((f) => belongsTo(f.path, f.text, v) && needle.test(f.text))
        .map((f) => `\`${f.path.slice(join(root, 'test').length + 1).replace(/\.test\.ts$/, '')}\``);
      out.push(`| ${r.action} | ${r.initiator} | ${where} | ${tests.join(', ') || '**none**'} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** The README with its matrix block replaced by the generated one. */
export function withMatrix(readme: string, matrix: string): string {
  const start = readme.indexOf(markers.begin);
  const end = readme.indexOf(markers.end);
  if (start < 0 || end < start) throw new Error(`README lacks the ${markers.begin} … ${markers.end} block`);
  return `${readme.slice(0, start + markers.begin.length)}\n${matrix}${readme.slice(end)}`;
}

