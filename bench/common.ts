// Shared by the benchmark's processes: station identities and passwords, and the small
// request/response protocol the orchestrator (run.ts) speaks with its children over IPC.
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { constants, monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';

/** Station identities are BENCH000000 … BENCH018999. */
export function stationId(i: number): string {
  return `BENCH${String(i).padStart(6, '0')}`;
}

/**
 * Each station has its own password, derived from the run's random bench key so that the
 * server (which stores only the keyed hash) and the load generator agree without a file.
 * 32 base64url characters, the same shape as the platform's own generated passwords.
 */
export function stationPassword(benchKey: string, id: string): string {
  return createHmac('sha256', benchKey).update(id, 'utf8').digest('base64url').slice(0, 32);
}

/** The one accepted idTag every simulated station charges with. */
export const ID_TAG = 'BENCHTAG01';

/** A request from the orchestrator to a child. */
export interface ControlRequest {
  rid: number;
  cmd: string;
  args?: Record<string, unknown>;
}

/** A child's answer to one request. */
export type ControlResponse = { rid: number; ok: true; result: unknown } | { rid: number; ok: false; error: string };

/** What a child sends once it is ready for requests. */
export interface ReadyMessage {
  type: 'ready';
  [key: string]: unknown;
}

export interface MemoryFigures {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** Full GC twice (weak references and finalizers run in between), then the memory figures. */
export async function gcAndMeasure(): Promise<MemoryFigures> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('start the server with --expose-gc');
  gc();
  await new Promise((r) => setTimeout(r, 50));
  gc();
  await new Promise((r) => setTimeout(r, 50));
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
}

/**
 * Answers the orchestrator's requests with the given handlers. When the orchestrator goes
 * away (IPC channel closed), `onDisconnect` runs so that a child never outlives its run.
 */
export function serveControl(
  handlers: Record<string, (args: Record<string, unknown>) => unknown>,
  onDisconnect: () => void,
): void {
  if (!process.send) throw new Error('this benchmark process must be started by bench/run.js (IPC channel missing)');
  process.on('message', (raw: unknown) => {
    const req = raw as ControlRequest;
    const handler = handlers[req.cmd];
    const reply = (r: ControlResponse) => {
      if (process.connected) process.send!(r);
    };
    if (!handler) return reply({ rid: req.rid, ok: false, error: `unknown command ${req.cmd}` });
    Promise.resolve()
      .then(() => handler(req.args ?? {}))
      .then(
        (result) => reply({ rid: req.rid, ok: true, result: result ?? null }),
        (err: unknown) => reply({ rid: req.rid, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
      );
  });
  process.on('disconnect', onDisconnect);
}

export function sendReady(info: Record<string, unknown>): void {
  process.send!({ type: 'ready', ...info } satisfies ReadyMessage);
}

let profiler: Session | undefined;

/** Starts V8's sampling CPU profiler in this process (for one measured window). */
export async function profileStart(): Promise<void> {
  profiler = new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
  await profiler.post('Profiler.start');
}

/** Stops the profiler and writes the .cpuprofile (Chrome DevTools format). */
export async function profileStop(args: Record<string, unknown>): Promise<void> {
  if (!profiler) throw new Error('profiler not started');
  const { profile } = await profiler.post('Profiler.stop');
  await profiler.post('Profiler.disable');
  profiler.disconnect();
  profiler = undefined;
  writeFileSync(String(args.file), JSON.stringify(profile));
}

export interface PauseFigures {
  /** how late a 10 ms timer fired, i.e. how long the event loop was busy without a break, in ms */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  gc: { count: number; totalMs: number; maxMs: number; majorCount: number; majorMs: number; maxMajorMs: number };
}

const LOOP_RESOLUTION_MS = 10;
let loopDelay: IntervalHistogram | undefined;
let gcObserver: PerformanceObserver | undefined;
let gcFigures: PauseFigures['gc'] = { count: 0, totalMs: 0, maxMs: 0, majorCount: 0, majorMs: 0, maxMajorMs: 0 };

/** Starts recording event-loop blocking and GC pauses (for one measured window). */
export function pausesStart(): void {
  loopDelay?.disable();
  gcObserver?.disconnect();
  loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopDelay.enable();
  gcFigures = { count: 0, totalMs: 0, maxMs: 0, majorCount: 0, majorMs: 0, maxMajorMs: 0 };
  gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const g = gcFigures;
      g.count++;
      g.totalMs += e.duration;
      g.maxMs = Math.max(g.maxMs, e.duration);
      if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        g.majorCount++;
        g.majorMs += e.duration;
        g.maxMajorMs = Math.max(g.maxMajorMs, e.duration);
      }
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
}

export function pausesStop(): PauseFigures {
  const h = loopDelay;
  if (!h) throw new Error('pause monitoring not started');
  h.disable();
  gcObserver?.disconnect();
  loopDelay = undefined;
  // The histogram holds the intervals between the timer's runs, resolution included.
  const ms = (ns: number) => Math.max(0, Math.round(ns / 1e4) / 100 - LOOP_RESOLUTION_MS);
  const r = (x: number) => Math.round(x * 100) / 100;
  const g = gcFigures;
  return {
    eventLoopDelayMs: { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) },
    gc: { count: g.count, totalMs: r(g.totalMs), maxMs: r(g.maxMs), majorCount: g.majorCount, majorMs: r(g.majorMs), maxMajorMs: r(g.maxMajorMs) },
  };
}
