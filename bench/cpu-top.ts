// Summarises a V8 .cpuprofile (node --cpu-prof): the functions with the most self time, and
// the same time grouped by package / source folder. Usable alone:
//   node dist/bench/cpu-top.js <file.cpuprofile> [count]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export interface SelfTime { name: string; where: string; ms: number; share: number }
/** A stretch of samples without an idle one: the event loop was blocked (or saturated) that long. */
export interface BusyStretch { atMs: number; durationMs: number; ourCode: Array<[string, number]>; self: Array<[string, number]> }
export interface CpuSummary { totalMs: number; functions: SelfTime[]; groups: SelfTime[]; stretches: BusyStretch[] }

/** Where a script lives, shortened: a package name, a source folder, or node's own modules. */
function groupOf(url: string): string {
  if (!url) return '(native/V8)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node core';
  const path = shortUrl(url);
  if (!/^(src|bench)\//.test(path)) return path;
  // our own code: grouped by its first two folders, e.g. src/ocpp/rpc
  const parts = path.split('/');
  return parts.slice(0, Math.max(1, Math.min(3, parts.length - 1))).join('/');
}

function shortUrl(url: string): string {
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const m = /^.*\/((?:src|bench)\/.*)$/.exec(url);
  return m ? m[1]! : url.replace(/^file:\/\//, '');
}

export function summariseProfile(file: string, count = 10): CpuSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; attribute the interval after a sample to it.
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0;
    selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + Math.max(0, dt));
  }
  const fns = new Map<string, SelfTime>();
  const groups = new Map<string, SelfTime>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    total += us;
    const name = functionName || '(anonymous)';
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const f = fns.get(key) ?? { name, where, ms: 0, share: 0 };
    f.ms += us / 1000;
    fns.set(key, f);
    const gname = name.startsWith('(') && !url ? name : groupOf(url);
    const g = groups.get(gname) ?? { name: gname, where: '', ms: 0, share: 0 };
    g.ms += us / 1000;
    groups.set(gname, g);
  }
  const totalMs = total / 1000;
  const stretches = longestStretches(p, byId);
  const top = (m: Map<string, SelfTime>, k: number) =>
    [...m.values()].sort((a, b) => b.ms - a.ms).slice(0, k).map((x) => ({ ...x, ms: Math.round(x.ms), share: Math.round((x.ms / totalMs) * 1000) / 10 }));
  return { totalMs: Math.round(totalMs), functions: top(fns, count), groups: top(groups, 12), stretches };
}

const label = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} (${shortUrl(n.callFrame.url).replace(/:\d+$/, '')}:${n.callFrame.lineNumber + 1})`;

/**
 * The three longest runs of consecutive non-idle samples (≥ 50 ms), each with the functions of
 * our own code (src/) on the stack most of that time and the functions with most self time in
 * it: this names what blocked the event loop.
 */
function longestStretches(p: Profile, byId: Map<number, ProfileNode>): BusyStretch[] {
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const runs: Array<{ from: number; to: number; startUs: number; endUs: number }> = [];
  let t = p.startTime;
  let open: { from: number; startUs: number } | undefined;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    const idle = byId.get(p.samples[i]!)?.callFrame.functionName === '(idle)';
    if (!idle && !open) open = { from: i, startUs: t };
    if (idle && open) {
      runs.push({ from: open.from, to: i, startUs: open.startUs, endUs: t });
      open = undefined;
    }
  }
  if (open) runs.push({ from: open.from, to: p.samples.length, startUs: open.startUs, endUs: t });
  return runs
    .filter((r) => r.endUs - r.startUs >= 50_000)
    .sort((a, b) => b.endUs - b.startUs - (a.endUs - a.startUs))
    .slice(0, 3)
    .map((r) => {
      const ours = new Map<string, number>();
      const self = new Map<string, number>();
      const count = r.to - r.from;
      for (let i = r.from; i < r.to; i++) {
        const leaf = byId.get(p.samples[i]!)!;
        self.set(label(leaf), (self.get(label(leaf)) ?? 0) + 1);
        const seen = new Set<string>();
        for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
          const node = byId.get(id)!;
          if (!/\/src\//.test(node.callFrame.url) || /node_modules/.test(node.callFrame.url)) continue;
          const l = label(node);
          if (seen.has(l)) continue;
          seen.add(l);
          ours.set(l, (ours.get(l) ?? 0) + 1);
        }
      }
      const top = (m: Map<string, number>, k: number): Array<[string, number]> =>
        [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([l, c]) => [l, Math.round((c / count) * 100)]);
      return { atMs: Math.round((r.startUs - p.startTime) / 1000), durationMs: Math.round((r.endUs - r.startUs) / 1000), ourCode: top(ours, 5), self: top(self, 4) };
    });
}

export function formatSummary(s: CpuSummary, title: string): string {
  const lines = [`### ${title} — busy CPU ${s.totalMs} ms (idle excluded)`, '', '| # | self ms | share | function | where |', '|---|---|---|---|---|'];
  s.functions.forEach((f, i) => lines.push(`| ${i + 1} | ${f.ms} | ${f.share}% | \`${f.name}\` | ${f.where} |`));
  lines.push('', '| self time by package / folder | ms | share |', '|---|---|---|');
  for (const g of s.groups) lines.push(`| ${g.name} | ${g.ms} | ${g.share}% |`);
  if (s.stretches.length) {
    lines.push('', 'Longest stretches without an idle sample (event loop blocked or saturated); share of the stretch\'s samples:', '');
    for (const b of s.stretches) {
      const list = (xs: Array<[string, number]>) => xs.map(([l, c]) => `\`${l}\` ${c}%`).join(', ') || '—';
      lines.push(`- at ${(b.atMs / 1000).toFixed(2)} s, ${b.durationMs} ms — our code on the stack: ${list(b.ourCode)}; most self time: ${list(b.self)}`);
    }
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node dist/bench/cpu-top.js <file.cpuprofile> [count]');
    process.exit(2);
  }
  console.log(formatSummary(summariseProfile(file, Number(process.argv[3] ?? 10)), file));
}
