// `npm run bench`: the OV2X benchmark in one go, on loopback, bounded in time.
//
// For each server kind (bare `ws` = the ceiling, OV2X on PGlite, OV2X on PostgreSQL) and each
// station count N it starts the server pinned to core 0 and the load generator pinned to core 1,
// measures connection set-up, closed-loop MeterValues throughput (checked against the rows in
// the database), latency at a fixed rate and RSS per connection after GC, then prints one
// Markdown table with ratios to bare `ws` and writes artifacts/bench/latest.json.
//
// Flags (see docs/benchmark.md): --quick, --duration S, --rate-duration S, --warmup S,
// --stations 1000,10000, --rate R, --servers bare,pglite,postgres, --max-stations N,
// --concurrency C, --wait-quiet S, --cpu-prof, --cpu-prof-load, --set OV2X_X=v, --pg-url URL,
// --report FILE (re-render a saved run).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { redactUrl } from '../src/store/db.js';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { ControlResponse, MemoryFigures, PauseFigures, ReadyMessage } from './common.js';
import { formatSummary, summariseProfile } from './cpu-top.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(root, 'artifacts', 'bench');
/**
 * The children run from a copy of the build (artifacts/bench/build, inside the repository so
 * that node_modules still resolves): a concurrent `npm test` or build that empties dist/ then
 * cannot pull the scripts away from under a running benchmark.
 */
const here = join(outDir, 'build', 'bench');
function snapshotBuild(): void {
  const from = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const to = join(outDir, 'build');
  rmSync(to, { recursive: true, force: true });
  for (const dir of ['src', 'bench']) cpSync(join(from, dir), join(to, dir), { recursive: true });
}

type ServerKind = 'bare-ws' | 'ov2x-pglite' | 'ov2x-postgres';
const serverAliases: Record<string, ServerKind> = { bare: 'bare-ws', 'bare-ws': 'bare-ws', pglite: 'ov2x-pglite', 'ov2x-pglite': 'ov2x-pglite', postgres: 'ov2x-postgres', 'ov2x-postgres': 'ov2x-postgres' };

// ---------------------------------------------------------------------------------- options
interface Options {
  quick: boolean;
  durationS: number;
  /** length of the fixed-rate phase: at least one default ping interval (30 s) in full runs */
  rateDurationS: number;
  warmupS: number;
  stations: number[];
  rate: number;
  servers: ServerKind[];
  maxStations: number;
  cpuProf: boolean;
  /** also profile the load generator (whole run, written to artifacts/bench/prof) */
  cpuProfLoad: boolean;
  pgUrl: string;
  concurrency: number;
  /** OV2X settings given as environment variables (--set OV2X_WRITE_BATCH=2000); empty = shipped defaults */
  settings: Record<string, string>;
  /** before each case, wait up to this many seconds for other processes to calm down */
  waitQuietS: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    quick: false, durationS: 20, rateDurationS: 30, warmupS: 2, stations: [1000, 10000], rate: 5000, servers: ['bare-ws', 'ov2x-pglite', 'ov2x-postgres'],
    maxStations: 19000, cpuProf: false, cpuProfLoad: false, pgUrl: process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres', concurrency: 200, settings: {}, waitQuietS: 30,
  };
  const explicit = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) usage(`${flag} needs a value`);
      return v!;
    };
    const num = (min: number, max: number) => {
      const v = Number(value());
      if (!Number.isFinite(v) || v < min || v > max) usage(`${flag} must be a number between ${min} and ${max}`);
      return v;
    };
    explicit.add(flag);
    switch (flag) {
      case '--quick': o.quick = true; break;
      case '--duration': o.durationS = num(1, 300); break;
      case '--rate-duration': o.rateDurationS = num(1, 300); break;
      case '--warmup': o.warmupS = num(0, 60); break;
      case '--rate': o.rate = num(1, 100000); break;
      case '--concurrency': o.concurrency = num(1, 5000); break;
      case '--wait-quiet': o.waitQuietS = num(0, 600); break;
      case '--max-stations': o.maxStations = num(0, 19500); break;
      case '--cpu-prof': o.cpuProf = true; break;
      case '--cpu-prof-load': o.cpuProfLoad = true; break;
      case '--pg-url': o.pgUrl = value(); break;
      case '--set': {
        const kv = value();
        const eq = kv.indexOf('=');
        if (eq < 1 || !/^(OV2X_[A-Z_]+)$/.test(kv.slice(0, eq))) usage('--set takes an OV2X_* setting, e.g. --set OV2X_WRITE_BATCH=2000');
        o.settings[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      case '--stations':
        o.stations = value().split(',').map((s) => Number(s.trim()));
        if (o.stations.some((s) => !Number.isInteger(s) || s < 1 || s > 19500)) usage('--stations takes integers between 1 and 19500, e.g. 1000,10000');
        break;
      case '--servers':
        o.servers = value().split(',').map((s) => serverAliases[s.trim()] ?? usage(`unknown server ${s}: use bare, pglite, postgres`));
        break;
      case '--help': case '-h': usage(); break;
      default: usage(`unknown flag ${a}`);
    }
  }
  if (o.quick) {
    if (!explicit.has('--stations')) o.stations = [1000];
    if (!explicit.has('--duration')) o.durationS = 5;
    if (!explicit.has('--warmup')) o.warmupS = 1;
    if (!explicit.has('--max-stations')) o.maxStations = 0;
  }
  if (!explicit.has('--rate-duration')) o.rateDurationS = o.quick ? o.durationS : Math.max(30, o.durationS);
  return o;
}

function usage(problem?: string): never {
  if (problem) console.error(`bench: ${problem}`);
  console.error('usage: npm run bench -- [--quick] [--duration S] [--rate-duration S] [--warmup S] [--stations 1000,10000] [--rate R] [--servers bare,pglite,postgres] [--max-stations N] [--concurrency C] [--cpu-prof] [--cpu-prof-load] [--pg-url URL] [--set OV2X_SETTING=value ...] [--wait-quiet S]');
  process.exit(problem ? 2 : 0);
}

// ------------------------------------------------------------------------------- preflight
function fail(message: string): never {
  console.error(`\nbench: ${message}\n`);
  process.exit(1);
}

function descriptorLimits(): { soft: number; hard: number } {
  const r = spawnSync('bash', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' });
  if (r.status !== 0) fail('cannot run bash to read the descriptor limit (ulimit -n)');
  const [soft, hard] = r.stdout.trim().split('\n').map((l) => (l.trim() === 'unlimited' ? Infinity : Number(l)));
  return { soft: soft!, hard: hard! };
}

async function postgresReachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU time (ms) of every process, by pid, with its command name; from /proc. */
function sampleProcesses(): Map<number, { comm: string; ms: number }> {
  const out = new Map<number, { comm: string; ms: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      out.set(Number(entry), { comm, ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** Where the CPU went during a window, in cores (1 = one core fully busy); `busiest`: the other processes that used most. */
interface CpuShare { server: number; load: number; db: number; other: number; busiest: string }

/** Starts a CPU accounting window; the returned function ends it. */
function cpuWindow(serverPid: number | undefined, loadPid: number | undefined): () => CpuShare {
  const before = sampleProcesses();
  const t0 = performance.now();
  return () => {
    const after = sampleProcesses();
    const wall = performance.now() - t0;
    const share = { server: 0, load: 0, db: 0, other: 0 };
    const others = new Map<string, number>();
    for (const [pid, a] of after) {
      const d = a.ms - (before.get(pid)?.ms ?? 0);
      if (d <= 0) continue;
      if (pid === serverPid) share.server += d;
      else if (pid === loadPid) share.load += d;
      else if (a.comm === 'postgres') share.db += d;
      else if (pid !== process.pid) {
        share.other += d;
        others.set(a.comm, (others.get(a.comm) ?? 0) + d);
      }
    }
    const busiest = [...others].sort((x, y) => y[1] - x[1]).slice(0, 3).map(([comm, ms]) => `${comm} ${Math.round((ms / wall) * 100)}%`).join(', ');
    return { server: round3(share.server / wall), load: round3(share.load / wall), db: round3(share.db / wall), other: round3(share.other / wall), busiest };
  };
}

// ---------------------------------------------------------------------------------- children
class Child {
  readonly proc: ChildProcess;
  readonly ready: Promise<ReadyMessage>;
  readonly exited: Promise<void>;
  private nextRid = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();

  constructor(readonly name: string, core: number, script: string, nodeFlags: string[], env: Record<string, string>, fdLimit: number) {
    const node = [process.execPath, ...nodeFlags, join(here, script)].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    // bash raises the soft descriptor limit, taskset pins the CPU; both exec, so the pid is node's.
    this.proc = spawn('bash', ['-c', `ulimit -Sn ${fdLimit} && exec taskset -c ${core} ${node}`], {
      cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 2, 2, 'ipc'],
    });
    let exitedResolve!: () => void;
    this.exited = new Promise((r) => (exitedResolve = r));
    this.ready = new Promise((resolveReady, rejectReady) => {
      const t = setTimeout(() => rejectReady(new Error(`${name}: not ready within 180 s`)), 180_000);
      this.proc.on('message', (m: ReadyMessage | ControlResponse) => {
        if ('type' in m && m.type === 'ready') {
          clearTimeout(t);
          resolveReady(m);
          return;
        }
        const r = m as ControlResponse;
        const p = this.pending.get(r.rid);
        if (!p) return;
        this.pending.delete(r.rid);
        clearTimeout(p.timer);
        if (r.ok) p.resolve(r.result);
        else p.reject(new Error(`${name}: ${r.error}`));
      });
      this.proc.on('exit', (code, signal) => {
        clearTimeout(t);
        const e = new Error(`${name} exited (${signal ?? code})`);
        rejectReady(e);
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(e);
        }
        this.pending.clear();
        exitedResolve();
      });
    });
    this.ready.catch(() => undefined);
  }

  request<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> {
    return new Promise<T>((resolveReq, rejectReq) => {
      if (!this.proc.connected) return rejectReq(new Error(`${this.name} is gone`));
      const rid = this.nextRid++;
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        rejectReq(new Error(`${this.name}: ${cmd} did not finish within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.pending.set(rid, { resolve: resolveReq as (v: unknown) => void, reject: rejectReq, timer });
      this.proc.send({ rid, cmd, args });
    });
  }

  /** Asks the child to stop, then kills it if it has not exited in time. */
  async stop(cmd: string, graceMs: number): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.request(cmd, {}, graceMs).catch(() => undefined);
    const t = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }
}

// ------------------------------------------------------------------------------------ cases
interface Latency { count: number; p50: number; p90: number; p99: number; p999: number; max: number; mean: number }
interface ConnectResult { attempted: number; booted: number; failed: number; durationMs: number; perSecond: number; setupMs: Latency; errors: Record<string, number>; loadCpu: number }
interface StartResult { started: number; failed: number; timedOut: boolean; durationMs: number; perSecond: number; latencyMs: Latency }
interface ClosedLoopResult {
  stations: number; calls: number; refused: number; durationMs: number; perSecond: number; latencyMs: Latency; drained: boolean;
  meterValuesAcked: number; meterValuesRefused: number; dropped: number; loadCpu: number;
}
interface FixedRateResult {
  stations: number; rate: number; scheduled: number; answered: number; refused: number; delayed: number; overrun: number; drained: boolean;
  durationMs: number; achievedPerSecond: number; latencyMs: Latency; serviceMs: Latency; meterValuesAcked: number; meterValuesRefused: number; dropped: number; loadCpu: number;
  slowWindows: Array<[number, number]>;
}
type Measured = MemoryFigures & { connections: number };

interface CaseResult {
  server: ServerKind;
  stations: number;
  connectOnly: boolean;
  error?: string;
  provisionMs?: number;
  connect?: ConnectResult;
  memory?: { baseline: Measured; half: Measured; connected: Measured; afterLoad?: Measured; perConnectionKiB: number; marginalKiB: number; heapPerConnectionKiB: number };
  startTx?: StartResult;
  closedLoop?: ClosedLoopResult;
  persisted?: { afterClosedLoop?: number; afterFixedRate?: number; expectedAfterClosedLoop: number; expectedAfterFixedRate?: number; ok: boolean };
  fixedRate?: FixedRateResult;
  /** CPU use by process group during each measured window, in cores */
  cpu: { connect?: CpuShare; closedLoop?: CpuShare; fixedRate?: CpuShare };
  /** event-loop blocking and GC pauses in the server during each window */
  pauses: { closedLoop?: PauseFigures; fixedRate?: PauseFigures };
  wallS?: number;
  /** Markdown summaries of the server's CPU profiles (--cpu-prof) */
  profiles: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

async function runCase(kind: ServerKind, n: number, connectOnly: boolean, o: Options, fdLimit: number): Promise<CaseResult> {
  const result: CaseResult = { server: kind, stations: n, connectOnly, cpu: {}, pauses: {}, profiles: [] };
  const t0 = performance.now();
  const benchKey = randomBytes(16).toString('hex');
  const profDir = join(outDir, 'prof');
  const nodeFlags = ['--expose-gc', '--max-semi-space-size=64'];
  const profiling = o.cpuProf && kind !== 'bare-ws' && !connectOnly;
  const profiles: Array<{ window: string; file: string }> = [];
  /** With --cpu-prof, runs `during` with V8's sampling profiler on in the server. */
  const profiled = async <T>(window: string, during: () => Promise<T>): Promise<T> => {
    if (!profiling) return during();
    mkdirSync(profDir, { recursive: true });
    const file = join(profDir, `${kind}-${n}-${window}.cpuprofile`);
    await server.request('profile-start');
    try {
      return await during();
    } finally {
      await server.request('profile-stop', { file }).then(() => profiles.push({ window, file }), () => undefined);
    }
  };
  const script = kind === 'bare-ws' ? 'server-bare.js' : 'server-ov2x.js';
  const server = new Child(`${kind} server`, 0, script, nodeFlags, {
    BENCH_KEY: benchKey, BENCH_STATIONS: String(n), BENCH_DB: kind === 'ov2x-postgres' ? 'postgres' : 'pglite', BENCH_PG_URL: o.pgUrl,
    BENCH_OV2X_SETTINGS: JSON.stringify(o.settings),
  }, fdLimit);
  let load: Child | undefined;
  let dbName: string | undefined;
  try {
    const ready = await server.ready;
    dbName = typeof ready.dbName === 'string' ? ready.dbName : undefined;
    result.provisionMs = typeof ready.provisionMs === 'number' ? Math.round(ready.provisionMs) : undefined;
    const baseline = await server.request<Measured>('measure');
    const loadFlags = ['--max-semi-space-size=64'];
    if (o.cpuProfLoad) loadFlags.push('--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=load-${kind}-${n}.cpuprofile`);
    load = new Child('load generator', 1, 'load.js', loadFlags, {
      BENCH_KEY: benchKey, BENCH_STATIONS: String(n), BENCH_URL: `ws://127.0.0.1:${String(ready.port)}${String(ready.path)}`,
    }, fdLimit);
    await load.ready;

    // Connect in two halves with a GC + RSS reading after each: the RSS growth over all N
    // stations gives the per-connection figure the targets use; the growth over the second half
    // alone excludes one-time costs (heap and young-generation growth, code) — the marginal cost.
    log(`${kind} N=${n}: connecting (${o.concurrency} at a time)`);
    const half = Math.floor(n / 2);
    const connectTimeout = Math.max(60_000, n * 20);
    const connectCpu = cpuWindow(server.proc.pid, load.proc.pid);
    const c1 = await load.request<ConnectResult>('connect', { count: half, concurrency: o.concurrency, timeoutMs: connectTimeout }, connectTimeout + 10_000);
    const cpu1 = connectCpu();
    const mid = await server.request<Measured>('measure');
    const connectCpu2 = cpuWindow(server.proc.pid, load.proc.pid);
    const c2 = await profiled('connect', () => load!.request<ConnectResult>('connect', { count: n - half, concurrency: o.concurrency, timeoutMs: connectTimeout }, connectTimeout + 10_000));
    const cpu2 = connectCpu2();
    const durationMs = c1.durationMs + c2.durationMs;
    const errors: Record<string, number> = { ...c1.errors };
    for (const [k, v] of Object.entries(c2.errors)) errors[k] = (errors[k] ?? 0) + v;
    const weight = (a: number, b: number) => round3((a * c1.durationMs + b * c2.durationMs) / Math.max(1, durationMs));
    result.connect = {
      attempted: c1.attempted + c2.attempted, booted: c1.booted + c2.booted, failed: c1.failed + c2.failed, durationMs,
      perSecond: Math.round(((c1.booted + c2.booted) / Math.max(1, durationMs)) * 1000), setupMs: c2.setupMs, errors, loadCpu: weight(c1.loadCpu, c2.loadCpu),
    };
    result.cpu.connect = { server: weight(cpu1.server, cpu2.server), load: weight(cpu1.load, cpu2.load), db: weight(cpu1.db, cpu2.db), other: weight(cpu1.other, cpu2.other), busiest: cpu2.busiest };
    log(`${kind} N=${n}: ${result.connect.booted}/${n} booted at ${result.connect.perSecond}/s (CPU server ${result.cpu.connect.server}, load ${result.cpu.connect.load}, db ${result.cpu.connect.db}, other ${result.cpu.connect.other})` +
      (result.connect.failed ? ` — ${result.connect.failed} failed: ${JSON.stringify(result.connect.errors)}` : ''));
    const connected = await server.request<Measured>('measure');
    const delta = connected.rss - baseline.rss;
    const count = Math.max(1, connected.connections);
    result.memory = {
      baseline, half: mid, connected,
      perConnectionKiB: round1(delta / count / 1024),
      marginalKiB: round1((connected.rss - mid.rss) / Math.max(1, connected.connections - mid.connections) / 1024),
      heapPerConnectionKiB: round1((connected.heapUsed - baseline.heapUsed) / count / 1024),
    };
    log(`${kind} N=${n}: ${connected.connections} connections, RSS +${round1(delta / 1048576)} MiB = ${result.memory.perConnectionKiB} KiB per connection (second half: ${result.memory.marginalKiB} KiB)`);
    if (connectOnly) return result;

    result.startTx = await load.request<StartResult>('start-tx', { timeoutMs: 120_000 }, 130_000);
    log(`${kind} N=${n}: ${result.startTx.started} transactions started in ${result.startTx.durationMs} ms (${result.startTx.failed} failed)`);

    log(`${kind} N=${n}: closed loop, ${o.warmupS} s warm-up + ${o.durationS} s`);
    const closed = load.request<ClosedLoopResult>('closed-loop', { warmupS: o.warmupS, durationS: o.durationS }, (o.warmupS + o.durationS + 60) * 1000);
    await sleep(o.warmupS * 1000);
    const closedCpu = cpuWindow(server.proc.pid, load.proc.pid);
    await server.request('pauses-start');
    await profiled('closed-loop', () => sleep(o.durationS * 1000));
    result.cpu.closedLoop = closedCpu();
    result.pauses.closedLoop = await server.request<PauseFigures>('pauses-stop');
    result.closedLoop = await closed;
    log(`${kind} N=${n}: ${result.closedLoop.perSecond} MeterValues/s, p99 ${result.closedLoop.latencyMs.p99} ms, CPU ${JSON.stringify(result.cpu.closedLoop)}`);

    const afterClosed = await server.request<{ meterValues: number | null }>('count', {}, 60_000);
    const expectedAfterClosedLoop = result.closedLoop.meterValuesAcked;

    log(`${kind} N=${n}: fixed rate ${o.rate}/s for ${o.rateDurationS} s`);
    await server.request('pauses-start');
    const fixedCpu = cpuWindow(server.proc.pid, load.proc.pid);
    const fixed = await profiled('fixed-rate', () => load!.request<FixedRateResult>('fixed-rate', { rate: o.rate, durationS: o.rateDurationS }, (o.rateDurationS + 60) * 1000));
    result.cpu.fixedRate = fixedCpu();
    result.pauses.fixedRate = await server.request<PauseFigures>('pauses-stop');
    result.fixedRate = fixed;
    log(`${kind} N=${n}: at ${o.rate}/s p50 ${fixed.latencyMs.p50} ms, p99 ${fixed.latencyMs.p99} ms, max ${fixed.latencyMs.max} ms, CPU ${JSON.stringify(result.cpu.fixedRate)}`);

    const afterFixed = await server.request<{ meterValues: number | null }>('count', {}, 60_000);
    if (afterClosed.meterValues !== null && afterFixed.meterValues !== null) {
      result.persisted = {
        afterClosedLoop: afterClosed.meterValues, expectedAfterClosedLoop,
        afterFixedRate: afterFixed.meterValues, expectedAfterFixedRate: fixed.meterValuesAcked,
        ok: result.closedLoop.drained && fixed.drained && afterClosed.meterValues === expectedAfterClosedLoop && afterFixed.meterValues === fixed.meterValuesAcked,
      };
      log(`${kind} N=${n}: meter_values rows ${afterClosed.meterValues} vs ${expectedAfterClosedLoop} acknowledged (then ${afterFixed.meterValues} vs ${fixed.meterValuesAcked})`);
    }
    const afterLoad = await server.request<Measured>('measure');
    result.memory.afterLoad = afterLoad;
    return result;
  } catch (err) {
    result.error = (err as Error).message.split('\n')[0];
    log(`${kind} N=${n}: FAILED: ${result.error}`);
    return result;
  } finally {
    await load?.stop('exit', 15_000);
    await server.stop('stop', 60_000);
    if (dbName && kind === 'ov2x-postgres') {
      // normally dropped by the server itself; this covers a server that had to be killed
      const c = new pg.Client({ connectionString: o.pgUrl });
      await c.connect().then(() => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).catch(() => undefined);
      await c.end().catch(() => undefined);
    }
    for (const p of profiles) {
      const what = p.window === 'connect' ? `connecting the second ${fmtInt(n - Math.floor(n / 2))} stations`
        : p.window === 'closed-loop' ? `the ${o.durationS} s closed-loop window` : `the ${o.rateDurationS} s fixed-rate phase at ${fmtInt(o.rate)}/s`;
      result.profiles.push(formatSummary(summariseProfile(p.file, 10), `CPU profile of ${kind}, N=${fmtInt(n)}, ${what} (${p.file.slice(root.length + 1)})`));
    }
    result.wallS = Math.round((performance.now() - t0) / 1000);
  }
}

// --------------------------------------------------------------------------------- reporting
const round1 = (x: number) => Math.round(x * 10) / 10;
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const fmtInt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : Math.round(x).toLocaleString('en-US'));
const fmtMs = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : Math.round(x).toString());
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !b ? undefined : a / b);
const fmtRatio = (r: number | undefined) => (r === undefined || !Number.isFinite(r) ? '—' : `${r.toFixed(2)}×`);
const pct = (x: number | undefined) => (x === undefined ? '—' : `${Math.round(x * 100)}%`);

interface Target { name: string; measured: string; pass: boolean | undefined }

function bareOf(results: CaseResult[], n: number): CaseResult | undefined {
  return results.find((r) => r.server === 'bare-ws' && r.stations === n && !r.error);
}

/** Other processes (not server, load generator or PostgreSQL) used more than this many cores: noisy. */
const BUSY = 0.15;
const busy = (c?: CpuShare) => c !== undefined && c.other > BUSY;

function table(results: CaseResult[], o: Options): string {
  const head = [
    `| server | N | connect + boot /s | ×bare | MeterValues/s closed loop | ×bare | persisted | p50 / p99 / max ms at ${fmtInt(o.rate)}/s | RSS KiB/conn | ×bare | server CPU (closed loop) |`,
    '|---|---:|---:|---:|---:|---:|:---:|---:|---:|---:|---:|',
  ];
  const rows = results.map((r) => {
    const bare = bareOf(results, r.stations);
    const isBare = r.server === 'bare-ws';
    if (r.error && !r.connect) return `| ${r.server} | ${fmtInt(r.stations)} | failed: ${r.error} | | | | | | | | |`;
    const c = r.connect;
    const cl = r.closedLoop;
    const fr = r.fixedRate;
    const connectCell = c ? `${fmtInt(c.perSecond)}${c.failed ? ` (${c.failed} failed)` : ''}` : '—';
    const persisted = isBare ? 'n/a' : r.connectOnly ? '—' : r.persisted ? (r.persisted.ok ? '✓' : '✗') : '✗';
    const lat = fr ? `${fmtMs(fr.latencyMs.p50)} / ${fmtMs(fr.latencyMs.p99)} / ${fmtMs(fr.latencyMs.max)}` : r.connectOnly ? 'connect only' : '—';
    const mem = r.memory?.perConnectionKiB;
    const noisy = busy(r.cpu.connect) || busy(r.cpu.closedLoop) || busy(r.cpu.fixedRate);
    return `| ${r.server} | ${fmtInt(r.stations)} | ${connectCell} | ${isBare ? '1.00×' : fmtRatio(ratio(c?.perSecond, bare?.connect?.perSecond))} | ` +
      `${cl ? fmtInt(cl.perSecond) : '—'} | ${isBare && cl ? '1.00×' : fmtRatio(ratio(cl?.perSecond, bare?.closedLoop?.perSecond))} | ${persisted} | ${lat} | ` +
      `${mem === undefined ? '—' : mem.toFixed(1)} | ${isBare && mem !== undefined ? '1.00×' : fmtRatio(ratio(mem, bare?.memory?.perConnectionKiB))} | ${pct(r.cpu.closedLoop?.server)} |` +
      (noisy ? ' ⚠ other processes were busy (see details)' : '') + (r.error ? ` ⚠ ${r.error}` : '');
  });
  return [...head, ...rows].join('\n');
}

function targets(results: CaseResult[], o: Options): Target[] {
  const out: Target[] = [];
  const ov2x = results.filter((r) => r.server !== 'bare-ws');
  for (const [server, min, label] of [['ov2x-pglite', 0.5, 'PGlite'], ['ov2x-postgres', 0.6, 'PostgreSQL']] as const) {
    for (const r of ov2x.filter((x) => x.server === server && !x.connectOnly)) {
      const q = ratio(r.closedLoop?.perSecond, bareOf(results, r.stations)?.closedLoop?.perSecond);
      out.push({ name: `closed-loop MeterValues, validated + persisted, ≥ ${min}× bare ws (${label}), N=${fmtInt(r.stations)}`, measured: `${fmtInt(r.closedLoop?.perSecond)}/s = ${fmtRatio(q)}`, pass: q === undefined ? undefined : q >= min });
    }
  }
  const loadRows = ov2x.filter((r) => !r.connectOnly);
  const bigN = Math.max(0, ...loadRows.map((r) => r.stations));
  for (const r of loadRows.filter((x) => x.stations === bigN)) {
    const indicative = r.stations < 10000 || o.rate !== 5000 ? ' (indicative: the target is 5,000/s from 10,000)' : '';
    const fr = r.fixedRate;
    out.push({
      name: `p99 ≤ 20 ms at ${fmtInt(o.rate)} calls/s from ${fmtInt(r.stations)} stations, ${r.server}${indicative}`,
      measured: fr ? `p99 ${fmtMs(fr.latencyMs.p99)} ms (p50 ${fmtMs(fr.latencyMs.p50)}, ${fmtInt(fr.achievedPerSecond)}/s achieved)` : '—',
      pass: fr ? fr.latencyMs.p99 <= 20 && fr.drained && fr.overrun === 0 : undefined,
    });
  }
  const memN = Math.max(0, ...ov2x.map((r) => r.stations));
  for (const r of ov2x.filter((x) => x.stations >= Math.min(10000, memN))) {
    const kib = r.memory?.perConnectionKiB;
    out.push({ name: `≤ 16 KiB RSS per connected station, ${r.server}, N=${fmtInt(r.stations)}`, measured: kib === undefined ? '—' : `${kib.toFixed(1)} KiB`, pass: kib === undefined ? undefined : kib <= 16 });
  }
  for (const r of ov2x.filter((x) => x.server === 'ov2x-pglite' && x.stations >= 19000)) {
    out.push({
      name: `${fmtInt(r.stations)} stations on one process (connected + booted), ${r.server}`,
      measured: r.connect ? `${fmtInt(r.connect.booted)} booted, ${fmtInt(r.memory?.connected.connections)} connected` : r.error ?? '—',
      pass: r.connect ? r.connect.booted === r.stations && r.memory?.connected.connections === r.stations : false,
    });
  }
  for (const r of ov2x.filter((x) => !x.connectOnly)) {
    const p = r.persisted;
    out.push({
      name: `every acknowledged MeterValues is in the database, ${r.server}, N=${fmtInt(r.stations)}`,
      measured: p ? `${fmtInt(p.afterClosedLoop)} rows / ${fmtInt(p.expectedAfterClosedLoop)} acks; ${fmtInt(p.afterFixedRate)} / ${fmtInt(p.expectedAfterFixedRate)} after fixed rate` : '—',
      pass: p?.ok,
    });
  }
  return out;
}

function targetTable(ts: Target[]): string {
  return ['| target | measured | |', '|---|---|:---:|', ...ts.map((t) => `| ${t.name} | ${t.measured} | ${t.pass === undefined ? '?' : t.pass ? '✓' : '✗'} |`)].join('\n');
}

function detailTable(results: CaseResult[]): string {
  const cpu = (c?: CpuShare) => (c ? `${pct(c.server)} / ${pct(c.load)} / ${pct(c.db)} / ${busy(c) ? '**' : ''}${pct(c.other)}${busy(c) ? '**' : ''}` : '—');
  const lines = [
    'CPU columns: server / load generator / PostgreSQL / other processes, in % of one core.',
    '',
    'Server CPU per operation = server CPU time in the window / operations completed in it.',
    '',
    '| server | N | connect set-up p50 / p99 ms | CPU during connect | server CPU ms per connection | start tx /s | closed-loop p50 / p99 ms | CPU closed loop | server CPU µs per MeterValues | fixed rate achieved/s | delayed / overrun | service p99 ms | CPU fixed rate | RSS MiB base → N/2 → N → after load | KiB/conn 2nd half | heap KiB/conn |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const mib = (m?: Measured) => (m ? round1(m.rss / 1048576).toString() : '—');
    const m = r.memory;
    const perConnMs = r.cpu.connect && r.connect?.perSecond ? (r.cpu.connect.server / r.connect.perSecond) * 1000 : undefined;
    const perCallUs = r.cpu.closedLoop && r.closedLoop?.perSecond ? (r.cpu.closedLoop.server / r.closedLoop.perSecond) * 1e6 : undefined;
    lines.push(`| ${r.server} | ${fmtInt(r.stations)} | ${r.connect ? `${fmtMs(r.connect.setupMs.p50)} / ${fmtMs(r.connect.setupMs.p99)}` : '—'} | ${cpu(r.cpu.connect)} | ${fmtMs(perConnMs)} | ${fmtInt(r.startTx?.perSecond)} | ` +
      `${r.closedLoop ? `${fmtMs(r.closedLoop.latencyMs.p50)} / ${fmtMs(r.closedLoop.latencyMs.p99)}` : '—'} | ${cpu(r.cpu.closedLoop)} | ${fmtInt(perCallUs)} | ${fmtInt(r.fixedRate?.achievedPerSecond)} | ` +
      `${r.fixedRate ? `${r.fixedRate.delayed} / ${r.fixedRate.overrun}` : '—'} | ${fmtMs(r.fixedRate?.serviceMs.p99)} | ${cpu(r.cpu.fixedRate)} | ` +
      `${mib(m?.baseline)} → ${mib(m?.half)} → ${mib(m?.connected)} → ${mib(m?.afterLoad)} | ${m?.marginalKiB ?? '—'} | ${m?.heapPerConnectionKiB ?? '—'} |`);
  }
  const noisy = results.flatMap((r) => (['connect', 'closedLoop', 'fixedRate'] as const)
    .filter((w) => busy(r.cpu[w]))
    .map((w) => `- ${r.server} N=${fmtInt(r.stations)}, ${w}: other processes used ${pct(r.cpu[w]!.other)} of a core (${r.cpu[w]!.busiest})`));
  if (noisy.length) lines.push('', 'Measured while other processes were busy (figures may be low):', ...noisy);
  return lines.join('\n');
}

/** "27, worst: 8.5–8.6 s: 286 ms, 3.9 s: 42 ms …; median spacing 1.0 s" from the fixed-rate phase's slow 100-ms windows. */
function slowSummary(windows: Array<[number, number]>): string {
  if (!windows.length) return 'none';
  const clusters: Array<{ from: number; to: number; max: number }> = [];
  for (const [t, l] of windows) {
    const last = clusters[clusters.length - 1];
    if (last && t - last.to <= 0.15) {
      last.to = t;
      last.max = Math.max(last.max, l);
    } else clusters.push({ from: t, to: t, max: l });
  }
  const gaps = clusters.slice(1).map((c, i) => c.from - clusters[i]!.from).sort((a, b) => a - b);
  const median = gaps.length ? gaps[Math.floor(gaps.length / 2)]! : undefined;
  const worst = [...clusters].sort((a, b) => b.max - a.max).slice(0, 4)
    .map((c) => `${c.max} ms at ${c.from.toFixed(1)}${c.to > c.from ? `–${c.to.toFixed(1)}` : ''} s`).join(', ');
  return `${clusters.length}; worst: ${worst}${median !== undefined ? `; median spacing ${median.toFixed(1)} s` : ''}`;
}

function pauseTable(results: CaseResult[]): string {
  const lines = [
    'Server pauses per window: event-loop delay (how late a 10 ms timer fired) and GC pauses; slow windows = 100-ms windows of the fixed-rate schedule whose worst latency exceeded 20 ms.',
    '',
    '| server | N | window | event-loop delay p50 / p99 / max ms | GC pauses count / total ms / max ms | major GCs / max ms | slow windows (fixed rate) |',
    '|---|---:|---|---:|---:|---:|---|',
  ];
  for (const r of results) {
    for (const w of ['closedLoop', 'fixedRate'] as const) {
      const p = r.pauses[w];
      if (!p) continue;
      const e = p.eventLoopDelayMs;
      lines.push(`| ${r.server} | ${fmtInt(r.stations)} | ${w === 'closedLoop' ? 'closed loop' : 'fixed rate'} | ${fmtMs(e.p50)} / ${fmtMs(e.p99)} / ${fmtMs(e.max)} | ` +
        `${p.gc.count} / ${fmtInt(p.gc.totalMs)} / ${fmtMs(p.gc.maxMs)} | ${p.gc.majorCount} / ${fmtMs(p.gc.maxMajorMs)} | ${w === 'fixedRate' && r.fixedRate ? slowSummary(r.fixedRate.slowWindows) : ''} |`);
    }
  }
  return lines.join('\n');
}

const references = [
  'Reference figures measured on this kind of machine (20 s runs, one core each; ../shared/NOTES.md):',
  '- bare `ws`: 40–50k calls/s, 5.6–7.7 KiB/connection',
  '- `ocpp-rpc` strict mode, no persistence: 21–27k calls/s (0.52× bare), 16 KiB/connection, p99 116 ms at 5,000 calls/s from 10,000 stations',
  'Targets: closed loop with validation + persistence ≥ 0.5× bare on PGlite, ≥ 0.6× on PostgreSQL; p99 ≤ 20 ms at 5,000 calls/s from 10,000 stations; ≤ 16 KiB per connected station; 19,000 stations on one process.',
].join('\n');

// -------------------------------------------------------------------------------------- main
/** Everything a run produced, as written to latest.json. */
interface RunRecord {
  startedAt: string;
  wallS: number;
  git: string;
  machine: { cpu: string; cores: number; memoryBytes: number; node: string; platform: string };
  options: Options;
  results: CaseResult[];
  targets: Target[];
}

/** The Markdown report of a run. */
function report(r: RunRecord): string {
  const o = r.options;
  const header = `OV2X benchmark — ${r.startedAt} — ${r.machine.cpu}, ${r.machine.cores} cores, ${Math.round(r.machine.memoryBytes / 2 ** 30)} GiB, Node ${r.machine.node}; ` +
    `git ${r.git}; server on core 0, load generator on core 1; loopback; closed loop ${o.warmupS} s warm-up + ${o.durationS} s, fixed rate ${o.rateDurationS} s; wall time ${r.wallS} s; ` +
    (Object.keys(o.settings).length ? `**non-default OV2X settings: ${Object.entries(o.settings).map(([k, v]) => `${k}=${v}`).join(' ')}**` : 'OV2X default settings');
  const out = [
    `## ${header}`, '', table(r.results, o), '', targetTable(targets(r.results, o)), '',
    '<details><summary>details</summary>', '', detailTable(r.results), '', pauseTable(r.results), '', '</details>', '', references,
  ];
  if (o.cpuProf) out.push('', '> Profiled run: the sampling profiler costs throughput, so these figures are not comparable with unprofiled runs.');
  for (const c of r.results) for (const p of c.profiles) out.push('', p);
  return out.join('\n');
}

async function main(): Promise<void> {
  const reportAt = process.argv.indexOf('--report');
  if (reportAt >= 0) {
    // Re-renders a saved run: node dist/bench/run.js --report artifacts/bench/latest.json
    const file = process.argv[reportAt + 1] ?? join(outDir, 'latest.json');
    console.log(report(JSON.parse(readFileSync(file, 'utf8')) as RunRecord));
    return;
  }
  const o = parseArgs(process.argv.slice(2));
  if (spawnSync('taskset', ['-c', '0', 'true']).status !== 0) {
    fail('`taskset` is missing or cannot pin to core 0 (install util-linux). The server and the load generator must run on different cores.');
  }
  const cores = availableParallelism();
  if (cores < 2 || spawnSync('taskset', ['-c', '1', 'true']).status !== 0) {
    fail(`need at least 2 usable CPU cores (server on core 0, load generator on core 1); this process may use ${cores}.`);
  }
  const big = o.maxStations > 0 ? [o.maxStations] : [];
  const needed = Math.max(...o.stations, ...big) + 300;
  const fd = descriptorLimits();
  if (fd.hard < needed) {
    fail(`each process needs ${needed} file descriptors for ${needed - 300} stations, but the hard limit (ulimit -Hn) is ${fd.hard}. ` +
      `Raise it (e.g. in /etc/security/limits.conf or with \`ulimit -Hn\` as root) or use fewer stations (--stations, --max-stations).`);
  }
  const fdLimit = Number.isFinite(fd.hard) ? Math.min(fd.hard, Math.max(needed, fd.soft)) : Math.max(needed, fd.soft);
  if (o.servers.includes('ov2x-postgres')) {
    const problem = await postgresReachable(o.pgUrl);
    if (problem) {
      console.error(`bench: PostgreSQL at ${redactUrl(o.pgUrl)} is not reachable (${problem}); the ov2x-postgres rows are skipped. Start it with scripts/ensure-postgres.sh.`);
      o.servers = o.servers.filter((s) => s !== 'ov2x-postgres');
    }
  }

  const plan: Array<{ kind: ServerKind; n: number; connectOnly: boolean }> = [];
  for (const n of o.stations) for (const kind of o.servers) plan.push({ kind, n, connectOnly: false });
  if (o.maxStations > 0) {
    for (const kind of ['bare-ws', 'ov2x-pglite'] as const) if (o.servers.includes(kind)) plan.push({ kind, n: o.maxStations, connectOnly: true });
  }
  log(`plan: ${plan.map((p) => `${p.kind}×${p.n}${p.connectOnly ? ' (connect+memory)' : ''}`).join(', ')}; closed loop ${o.warmupS}+${o.durationS} s; fixed rate ${o.rate}/s for ${o.rateDurationS} s; fd limit ${fdLimit}`);
  mkdirSync(outDir, { recursive: true });
  snapshotBuild();
  // the state of the tree the build was made from (taken now: others may commit meanwhile)
  const git = spawnSync('git', ['describe', '--always', '--dirty', '--abbrev=10'], { cwd: root, encoding: 'utf8' }).stdout?.trim() || 'unknown';
  if (o.cpuProf) rmSync(join(outDir, 'prof'), { recursive: true, force: true });

  const started = new Date();
  const t0 = performance.now();
  const results: CaseResult[] = [];
  for (const p of plan) {
    await waitForQuiet(o.waitQuietS);
    results.push(await runCase(p.kind, p.n, p.connectOnly, o, fdLimit));
    await sleep(1000); // let the kernel finish closing the previous run's sockets
  }
  const wallS = Math.round((performance.now() - t0) / 1000);

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const machine = { cpu, cores, memoryBytes: totalmem(), node: process.version, platform: process.platform };
  const ts = targets(results, o);
  const out = report({ startedAt: started.toISOString(), wallS, git, machine, options: o, results, targets: ts });
  console.log(out);

  const json: RunRecord = { startedAt: started.toISOString(), wallS, git, machine, options: o, results, targets: ts };
  writeFileSync(join(outDir, 'latest.json'), JSON.stringify(json, null, 2));
  writeFileSync(join(outDir, 'latest.md'), out + '\n');
  if (o.cpuProf) log(`profiles: ${readdirSync(join(outDir, 'prof')).map((f) => join('artifacts/bench/prof', f)).join(', ')}`);
  log(`results written to artifacts/bench/latest.json and latest.md`);
}

/** Waits (up to `maxS`) until other processes use less than BUSY of a core over one second. */
async function waitForQuiet(maxS: number): Promise<void> {
  const deadline = performance.now() + maxS * 1000;
  for (let first = true; ; first = false) {
    const w = cpuWindow(undefined, undefined);
    await sleep(1000);
    const c = w();
    const other = c.other + c.db;
    if (other <= BUSY) return;
    if (performance.now() > deadline) {
      log(`other processes still use ${pct(other)} of a core (${c.busiest}); going on — this case's figures may be low`);
      return;
    }
    if (first) log(`waiting up to ${maxS} s for other processes to calm down (${pct(other)} of a core: ${c.busiest})`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
