// The load generator: N simulated OCPP 1.6J stations over raw `ws` clients, kept as cheap as
// possible (prebuilt frame text, no validation, no JSON parsing of MeterValues answers, no
// masking work) so that it is not what limits the server under test. Driven step by step by
// run.ts over IPC: connect → start-tx → closed-loop → fixed-rate → exit.
//
// Environment: BENCH_URL (ws://127.0.0.1:<port>/ocpp), BENCH_KEY, BENCH_STATIONS.
import { createHistogram, performance, type RecordableHistogram } from 'node:perf_hooks';
import WebSocket from 'ws';
import { ID_TAG, sendReady, serveControl, stationId, stationPassword } from './common.js';

const url = process.env.BENCH_URL;
const benchKey = process.env.BENCH_KEY ?? '';
const n = Number(process.env.BENCH_STATIONS);
if (!url || benchKey === '' || !Number.isInteger(n) || n < 1) throw new Error('BENCH_URL, BENCH_KEY and BENCH_STATIONS must be set');

const CALLRESULT = 0x33; // '3'
const CALL = 0x32; // '2'

interface Station {
  readonly id: string;
  ws: WebSocket | undefined;
  /** connected and BootNotification accepted */
  ready: boolean;
  /** CSMS-assigned transactionId; 0 until StartTransaction answered */
  txId: number;
  /** the MeterValues frame up to the timestamp, with this station's transactionId */
  mvHead: string;
  seq: number;
  wh: number;
  busy: boolean;
  /** performance.now() when the outstanding call was sent */
  sentAt: number;
  /** fixed-rate phase: when the outstanding call should have been sent */
  intended: number;
  /** fixed-rate phase: intended time of a send waiting behind the outstanding call, or -1 */
  queued: number;
}

const stations: Station[] = Array.from({ length: n }, (_, i) => ({
  id: stationId(i), ws: undefined, ready: false, txId: 0, mvHead: '', seq: 0, wh: 0,
  busy: false, sentAt: 0, intended: 0, queued: -1,
}));

/** What to do with an answer (CALLRESULT or CALLERROR) to a station's outstanding call. */
let onAnswer: (s: Station, ok: boolean, data: Buffer) => void = () => undefined;
let dropped = 0;

// A zero masking key makes `ws` skip the XOR pass (client frames must carry a key, but the
// server does not care what it is); this keeps the generator's per-frame cost down.
const zeroMask = (): void => undefined;

let lastMs = 0;
let lastIso = '';
/** ISO timestamp, recomputed at most once per millisecond. */
function nowIso(): string {
  const t = Date.now();
  if (t !== lastMs) {
    lastMs = t;
    lastIso = new Date(t).toISOString();
  }
  return lastIso;
}

function histogram(): RecordableHistogram {
  return createHistogram({ lowest: 1, highest: 3_600_000_000, figures: 3 });
}

/** Records a duration given in milliseconds, in microseconds. */
function record(h: RecordableHistogram, ms: number): void {
  h.record(Math.max(1, Math.round(ms * 1000)));
}

interface LatencySummary { count: number; p50: number; p90: number; p99: number; p999: number; max: number; mean: number }
/** In milliseconds. */
function summary(h: RecordableHistogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  if (h.count === 0) return { count: 0, p50: NaN, p90: NaN, p99: NaN, p999: NaN, max: NaN, mean: NaN };
  return {
    count: h.count, p50: ms(h.percentile(50)), p90: ms(h.percentile(90)), p99: ms(h.percentile(99)),
    p999: ms(h.percentile(99.9)), max: ms(h.max), mean: ms(h.mean),
  };
}

function cpuSince(start: NodeJS.CpuUsage, wallMs: number): number {
  const d = process.cpuUsage(start);
  return Math.round(((d.user + d.system) / 1000 / wallMs) * 1000) / 1000;
}

function send(s: Station, text: string): void {
  s.busy = true;
  s.sentAt = performance.now();
  s.ws!.send(text);
}

function receive(s: Station, data: Buffer): void {
  const type = data[1];
  if (type === CALL) {
    // The CSMS asked something: this simulated station implements nothing.
    const msg = JSON.parse(data.toString('utf8')) as unknown[];
    s.ws!.send(JSON.stringify([4, msg[1], 'NotImplemented', '', {}]));
    return;
  }
  if (!s.busy) return;
  s.busy = false;
  onAnswer(s, type === CALLRESULT, data);
}

function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const deadline = performance.now() + timeoutMs;
    const check = () => {
      if (condition()) return resolve(true);
      if (performance.now() > deadline) return resolve(false);
      setTimeout(check, 5);
    };
    check();
  });
}

/** Stations [0, connectedUpTo) have been tried by earlier connect steps. */
let connectedUpTo = 0;

/**
 * Phase 1: WebSocket upgrade (Basic auth) + BootNotification for the next `count` stations,
 * `concurrency` of them at a time.
 */
function connect(args: Record<string, unknown>): Promise<unknown> {
  const concurrency = Number(args.concurrency ?? 200);
  const timeoutMs = Number(args.timeoutMs ?? 120_000);
  const first = connectedUpTo;
  const end = Math.min(n, first + Number(args.count ?? n));
  const count = end - first;
  connectedUpTo = end;
  const setup = histogram();
  const errors = new Map<string, number>();
  let next = first;
  let inFlight = 0;
  let booted = 0;
  let failed = 0;
  const started = new Map<Station, number>();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();

  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      resolve({
        attempted: next - first, booted, failed, durationMs: Math.round(ms), perSecond: Math.round((booted / ms) * 1000),
        setupMs: summary(setup), errors: Object.fromEntries(errors), loadCpu: cpuSince(cpu0, ms),
      });
    };
    const timer = setTimeout(() => {
      errors.set('phase timeout', count - booted - failed);
      finish();
    }, timeoutMs);
    const settle = (s: Station, error?: string) => {
      if (!started.has(s)) return;
      const at = started.get(s)!;
      started.delete(s);
      inFlight--;
      if (error) {
        failed++;
        errors.set(error, (errors.get(error) ?? 0) + 1);
        s.ws?.terminate();
      } else {
        booted++;
        s.ready = true;
        record(setup, performance.now() - at);
      }
      if (booted + failed === count) finish();
      else launch();
    };
    onAnswer = (s, ok, data) => {
      if (!ok) return settle(s, 'BootNotification CALLERROR');
      const payload = (JSON.parse(data.toString('utf8')) as [number, string, { status?: string }])[2];
      settle(s, payload.status === 'Accepted' ? undefined : `BootNotification ${payload.status}`);
    };
    const open = (s: Station) => {
      const auth = 'Basic ' + Buffer.from(`${s.id}:${stationPassword(benchKey, s.id)}`).toString('base64');
      const ws = new WebSocket(`${url}/${s.id}`, ['ocpp1.6'], {
        perMessageDeflate: false, skipUTF8Validation: true, generateMask: zeroMask,
        headers: { authorization: auth }, handshakeTimeout: 30_000,
      });
      s.ws = ws;
      started.set(s, performance.now());
      ws.on('open', () => {
        if (ws.protocol !== 'ocpp1.6') return settle(s, `subprotocol ${ws.protocol || 'none'}`);
        s.seq++;
        send(s, `[2,"b${s.seq}","BootNotification",{"chargePointVendor":"OV2X-Bench","chargePointModel":"Sim-22kW","chargePointSerialNumber":"${s.id}","firmwareVersion":"1.0.0"}]`);
      });
      ws.on('message', (data) => receive(s, data as Buffer));
      ws.on('error', (err) => settle(s, err.message.replace(/\d{3,}/g, '#')));
      ws.on('close', () => {
        if (started.has(s)) settle(s, 'closed during set-up');
        else if (s.ready) {
          s.ready = false;
          dropped++;
        }
      });
    };
    const launch = () => {
      while (inFlight < concurrency && next < end) {
        inFlight++;
        open(stations[next++]!);
      }
    };
    launch();
  });
}

/** Phase 2a: one StartTransaction per station; the answer's transactionId goes into its MeterValues. */
async function startTransactions(args: Record<string, unknown>): Promise<unknown> {
  const concurrency = Number(args.concurrency ?? 500);
  const timeoutMs = Number(args.timeoutMs ?? 120_000);
  const ready = stations.filter((s) => s.ready);
  const lat = histogram();
  let next = 0;
  let done = 0;
  let failed = 0;
  const t0 = performance.now();
  const launch = () => {
    while (next < ready.length && next - done - failed < concurrency) {
      const s = ready[next++]!;
      s.seq++;
      send(s, `[2,"s${s.seq}","StartTransaction",{"connectorId":1,"idTag":"${ID_TAG}","meterStart":0,"timestamp":"${nowIso()}"}]`);
    }
  };
  onAnswer = (s, ok, data) => {
    record(lat, performance.now() - s.sentAt);
    const payload = ok ? (JSON.parse(data.toString('utf8')) as [number, string, { transactionId?: number; idTagInfo?: { status?: string } }])[2] : undefined;
    if (payload?.transactionId !== undefined && payload.idTagInfo?.status === 'Accepted') {
      done++;
      s.txId = payload.transactionId;
      s.wh = 0;
      s.mvHead = `","MeterValues",{"connectorId":1,"transactionId":${s.txId},"meterValue":[{"timestamp":"`;
    } else {
      failed++;
    }
    launch();
  };
  launch();
  const finished = await waitFor(() => done + failed === ready.length, timeoutMs);
  const ms = performance.now() - t0;
  return { started: done, failed, timedOut: !finished, durationMs: Math.round(ms), perSecond: Math.round((done / ms) * 1000), latencyMs: summary(lat) };
}

function meterValues(s: Station): string {
  s.wh += 3;
  s.seq++;
  return `[2,"m${s.seq}${s.mvHead}${nowIso()}","sampledValue":[{"value":"${s.wh}","context":"Sample.Periodic","measurand":"Energy.Active.Import.Register","unit":"Wh"}]}]}]`;
}

/** MeterValues answered with a CALLRESULT over the whole run (what must be in the database). */
let meterValuesAcked = 0;
let meterValuesRefused = 0;

/**
 * Phase 2b: closed loop — every station sends its next MeterValues as soon as the previous
 * one is answered. `warmupS` seconds are run first and not counted; afterwards no new call is
 * started and the outstanding ones are awaited, so that every sent call has its answer.
 */
async function closedLoop(args: Record<string, unknown>): Promise<unknown> {
  const warmupMs = Number(args.warmupS ?? 2) * 1000;
  const durationMs = Number(args.durationS ?? 20) * 1000;
  const active = stations.filter((s) => s.ready && s.txId > 0 && !s.busy);
  let running = true;
  let counting = false;
  let calls = 0;
  let refused = 0;
  let lat = histogram();
  onAnswer = (s, ok) => {
    const now = performance.now();
    if (ok) meterValuesAcked++;
    else meterValuesRefused++;
    if (counting) {
      if (ok) calls++;
      else refused++;
      record(lat, now - s.sentAt);
    }
    if (running && s.ready) send(s, meterValues(s));
  };
  for (const s of active) send(s, meterValues(s));
  await new Promise((r) => setTimeout(r, warmupMs));
  lat = histogram();
  counting = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, durationMs));
  counting = false;
  running = false;
  const ms = performance.now() - t0;
  const loadCpu = cpuSince(cpu0, ms);
  const drained = await waitFor(() => !stations.some((s) => s.busy && s.ready), 30_000);
  return {
    stations: active.length, calls, refused, durationMs: Math.round(ms), perSecond: Math.round((calls / ms) * 1000),
    latencyMs: summary(lat), drained, meterValuesAcked, meterValuesRefused, dropped, loadCpu,
  };
}

/**
 * Phase 3: open loop at a fixed rate spread round-robin over all stations, still at most one
 * outstanding call per station. Latency is measured from the time a call was due (not when it
 * could be sent), so a slow answer that delays the station's next call is counted against the
 * server too (no coordinated omission).
 */
async function fixedRate(args: Record<string, unknown>): Promise<unknown> {
  const rate = Number(args.rate ?? 5000);
  const durationMs = Number(args.durationS ?? 20) * 1000;
  const active = stations.filter((s) => s.ready && s.txId > 0 && !s.busy);
  const total = Math.floor((rate * durationMs) / 1000);
  const lat = histogram();
  const service = histogram();
  let sent = 0;
  let answered = 0;
  let refused = 0;
  let delayed = 0;
  let overrun = 0;
  let inFlight = 0;
  // worst latency per 100 ms of the schedule: shows when the slow answers happened
  const windowMs = 100;
  const worst: number[] = [];
  const sendAt = (s: Station, intended: number) => {
    s.intended = intended;
    inFlight++;
    send(s, meterValues(s));
  };
  onAnswer = (s, ok) => {
    const now = performance.now();
    inFlight--;
    if (ok) {
      meterValuesAcked++;
      answered++;
    } else {
      meterValuesRefused++;
      refused++;
    }
    const l = now - s.intended;
    record(lat, l);
    record(service, now - s.sentAt);
    const w = Math.floor((s.intended - t0) / windowMs);
    if (!(l <= (worst[w] ?? 0))) worst[w] = l;
    if (s.queued >= 0 && s.ready) {
      const q = s.queued;
      s.queued = -1;
      sendAt(s, q);
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const interval = 1000 / rate;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor((performance.now() - t0) / interval) + 1);
      while (sent < due) {
        const s = active[sent % active.length]!;
        const intended = t0 + sent * interval;
        sent++;
        if (!s.ready) continue;
        if (!s.busy) sendAt(s, intended);
        else if (s.queued < 0) {
          s.queued = intended;
          delayed++;
        } else overrun++; // two sends behind already: this one is lost (counted)
      }
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  const drained = await waitFor(() => inFlight === 0 && !stations.some((s) => s.queued >= 0), 30_000);
  const ms = performance.now() - t0;
  /** [second of the phase at which the 100 ms window starts, worst latency in it] for windows worse than 20 ms */
  const slowWindows: Array<[number, number]> = [];
  worst.forEach((l, i) => {
    if (l > 20) slowWindows.push([(i * windowMs) / 1000, Math.round(l)]);
  });
  return {
    slowWindows,
    stations: active.length, rate, scheduled: total, answered, refused, delayed, overrun, drained,
    durationMs: Math.round(ms), achievedPerSecond: Math.round((answered / ms) * 1000),
    latencyMs: summary(lat), serviceMs: summary(service), meterValuesAcked, meterValuesRefused, dropped,
    loadCpu: cpuSince(cpu0, ms),
  };
}

function exit(): void {
  onAnswer = () => undefined;
  for (const s of stations) s.ws?.terminate();
  setImmediate(() => process.exit(0));
}

serveControl({ connect, 'start-tx': startTransactions, 'closed-loop': closedLoop, 'fixed-rate': fixedRate, exit }, exit);
sendReady({ pid: process.pid, stations: n });
