import { setMaxListeners } from 'node:events';
import { silentLogger, type Logger } from '../log/logger.js';
import { protocol } from '../ocpp/protocols.js';
import { pause } from './pause.js';
import { SimulatedStation } from './station.js';
import { ConnectError, SessionRefused, type SimProtocol, type StationTls } from './types.js';

export interface FleetOptions {
  url: string;
  /** how many stations to run */
  stations: number;
  protocol: SimProtocol;
  /** one password for every station */
  password?: string;
  /** per-station passwords (wins over `password`) */
  passwordFor?: (identity: string) => string | undefined;
  /** wss:// trust and client certificate, for every station */
  tls?: StationTls;
  /** source address of each station (default: the system's choice) */
  localAddressFor?: (identity: string, index: number) => string | undefined;
  /** ids are prefix + a 5-digit number (SIM00001, …); default SIM */
  prefix?: string;
  /** explicit ids instead of prefix-generated ones (the first `stations` are used) */
  identities?: readonly string[];
  /** stations connecting per second (default 50) */
  rampPerSecond?: number;
  /** charging sessions per station, one after another (default 1) */
  sessions?: number;
  /**
   * tokens for the sessions, handed out round-robin (station index + session number); default a
   * fresh random tag per session. Fewer tokens than stations means one token charging at several
   * stations at once, which an IDS should flag (T5).
   */
  idTags?: readonly string[];
  /** the token of each session (wins over idTags): e.g. every station its own driver's card */
  idTagFor?: (identity: string, session: number) => string;
  sessionDurationMs?: number;
  meterIntervalMs?: number;
  powerW?: number;
  connectors?: number;
  callTimeoutMs?: number;
  /**
   * Wall-clock bound of the whole run: stations that finished their sessions stay connected
   * (heartbeating) until then, and sessions still running are stopped properly. Without it the
   * run ends when every station is done.
   */
  durationMs?: number;
  /** ends the run early, as the deadline would */
  signal?: AbortSignal;
  log?: Logger;
  onProgress?: (stats: FleetStats) => void;
  progressIntervalMs?: number;
}

export interface FleetStats {
  /** stations started so far (of `stations`) */
  launched: number;
  connected: number;
  booted: number;
  failedConnects: number;
  /** failed connects by HTTP status ("401", …) or "network" */
  connectFailures: Record<string, number>;
  calls: number;
  errors: number;
  sessionsCompleted: number;
  /** sessions whose token the CSMS did not accept */
  sessionsRefused: number;
  elapsedMs: number;
  /** call round trips (ms, bucket upper bounds) */
  latencyMs: { p50: number; p95: number; p99: number; max: number };
}

// Latency histogram buckets (ms): fixed, so thousands of stations share one small array.
const BOUNDS = [1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000, 10_000, 30_000, Infinity];

class Latency {
  private readonly counts = new Array<number>(BOUNDS.length).fill(0);
  private n = 0;
  private max = 0;

  add(ms: number): void {
    let i = 0;
    while (ms > BOUNDS[i]!) i++;
    this.counts[i]!++;
    this.n++;
    if (ms > this.max) this.max = ms;
  }

  private quantile(q: number): number {
    if (this.n === 0) return 0;
    let seen = 0;
    for (let i = 0; i < BOUNDS.length; i++) {
      seen += this.counts[i]!;
      if (seen >= q * this.n) return Math.min(BOUNDS[i]!, Math.ceil(this.max));
    }
    return Math.ceil(this.max);
  }

  summary(): FleetStats['latencyMs'] {
    return { p50: this.quantile(0.5), p95: this.quantile(0.95), p99: this.quantile(0.99), max: Math.ceil(this.max) };
  }
}

const ONLINE_WAIT_MS = 30_000;

/** Waits (polling: this happens only around resets) until the station is online again. */
async function online(st: SimulatedStation, signal: AbortSignal): Promise<boolean> {
  const until = Date.now() + ONLINE_WAIT_MS;
  while (!st.online) {
    if (signal.aborted || Date.now() > until) return false;
    await pause(50, signal);
  }
  return true;
}

export function fleetIdentity(prefix: string, index: number): string {
  return `${prefix}${String(index + 1).padStart(5, '0')}`;
}

/**
 * Runs a fleet of simulated stations against a CSMS: ramps them up, boots them, runs their
 * charging sessions and closes them all, bounded in count (`stations` × `sessions`) and in time
 * (`durationMs`, else when everyone is done). Resolves with the final statistics.
 */
export async function runFleet(o: FleetOptions): Promise<FleetStats> {
  const log = o.log ?? silentLogger;
  // Compiling the schema validators takes most of a second: do it before the clock starts
  // rather than inside the first station's handshake.
  protocol(o.protocol === '1.6' ? 'ocpp1.6' : 'ocpp2.0.1');
  const started = Date.now();
  const stop = new AbortController();
  // every station's waits listen on this one signal
  setMaxListeners(0, stop.signal);
  const onAbort = (): void => stop.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const deadline = o.durationMs === undefined ? undefined : setTimeout(onAbort, o.durationMs);
  const latency = new Latency();
  const stations: SimulatedStation[] = [];
  const counts = { connected: 0, booted: 0, failedConnects: 0, sessionsCompleted: 0, sessionsRefused: 0 };
  const connectFailures: Record<string, number> = {};

  const snapshot = (): FleetStats => {
    let calls = 0;
    let errors = 0;
    for (const st of stations) {
      calls += st.calls;
      errors += st.errors;
    }
    return {
      launched: stations.length, ...counts, connectFailures: { ...connectFailures }, calls, errors,
      elapsedMs: Date.now() - started, latencyMs: latency.summary(),
    };
  };

  const life = async (st: SimulatedStation, index: number): Promise<void> => {
    try {
      await st.connect();
    } catch (err) {
      counts.failedConnects++;
      const key = err instanceof ConnectError && err.status !== undefined ? String(err.status) : 'network';
      connectFailures[key] = (connectFailures[key] ?? 0) + 1;
      // one short line per station: a refused fleet must not flood the log with stack traces
      log.warn({ identity: st.identity, reason: (err as Error).message }, 'simulated station could not connect');
      return;
    }
    counts.connected++;
    try {
      const boot = await st.boot();
      if (boot.status !== 'Accepted') {
        log.warn({ identity: st.identity, status: boot.status }, 'simulated station not accepted');
        return;
      }
      counts.booted++;
      await st.announce();
      for (let k = 0; k < (o.sessions ?? 1) && !stop.signal.aborted; k++) {
        // the CSMS may have reset the station: sessions resume once it is back
        if (!(await online(st, stop.signal))) return;
        const tags = o.idTags?.length ? o.idTags : undefined;
        try {
          await st.runSession({
            connector: ((index + k) % st.connectorCount) + 1,
            durationMs: o.sessionDurationMs ?? 30_000,
            signal: stop.signal,
            ...(o.idTagFor ? { idTag: o.idTagFor(st.identity, k) } : tags ? { idTag: tags[(index + k) % tags.length] } : {}),
          });
          counts.sessionsCompleted++;
        } catch (err) {
          if (!(err instanceof SessionRefused)) throw err;
          counts.sessionsRefused++;
        }
      }
      if (o.durationMs !== undefined) await pause(o.durationMs, stop.signal);
    } catch (err) {
      log.warn({ identity: st.identity, err }, 'simulated station failed');
    } finally {
      await st.close();
    }
  };

  const progress = o.onProgress ? setInterval(() => o.onProgress!(snapshot()), o.progressIntervalMs ?? 1000) : undefined;
  const lives: Promise<void>[] = [];
  const gapMs = 1000 / (o.rampPerSecond ?? 50);
  try {
    for (let i = 0; i < o.stations && !stop.signal.aborted; i++) {
      const due = started + i * gapMs;
      if (due > Date.now()) await pause(due - Date.now(), stop.signal);
      if (stop.signal.aborted) break;
      const identity = o.identities ? o.identities[i] : fleetIdentity(o.prefix ?? 'SIM', i);
      if (identity === undefined) break;
      const st = new SimulatedStation({
        url: o.url, identity, protocol: o.protocol, password: o.passwordFor?.(identity) ?? o.password, tls: o.tls, localAddress: o.localAddressFor?.(identity, i),
        connectors: o.connectors, meterIntervalMs: o.meterIntervalMs ?? 10_000, powerW: o.powerW,
        callTimeoutMs: o.callTimeoutMs, log, behaviour: { reconnect: true },
        onCall: (_action, ms, ok) => ok && latency.add(ms),
      });
      stations.push(st);
      lives.push(life(st, i));
    }
    await Promise.all(lives);
  } finally {
    clearTimeout(deadline);
    clearInterval(progress);
    o.signal?.removeEventListener('abort', onAbort);
    stop.abort(); // releases any wait still pending
  }
  const stats = snapshot();
  o.onProgress?.(stats);
  return stats;
}
