import { setMaxListeners } from 'node:events';
import type { RawClient } from '../raw-client.js';
import { altAddress, isLoopbackUrl } from './common.js';
import { dosTechniques } from './dos.js';
import { impersonationTechniques } from './impersonation.js';
import { injectionTechniques } from './injection.js';
import { replayTechniques } from './replay.js';
import { sybilTechniques } from './sybil.js';
import {
  attackClasses, AttackUsageError,
  type AttackClass, type AttackContext, type AttackFn, type AttackInstance, type AttackOptions, type StationCredential, type Technique,
} from './types.js';

export * from './types.js';
export { altAddress, isLoopbackUrl } from './common.js';

/** Each class's techniques, taken in turn by the instances of a run. */
export const techniques: Record<AttackClass, readonly Technique[]> = {
  dos: dosTechniques,
  injection: injectionTechniques,
  replay: replayTechniques,
  impersonation: impersonationTechniques,
  sybil: sybilTechniques,
};

/** Hard caps whatever the caller asks: an attack run stays small and ends by itself. */
export const MAX_INSTANCES = 500;
export const MAX_DURATION_MS = 600_000;
/** One instance never runs longer than this, even with time left in the run. */
const INSTANCE_MS = 30_000;

interface Planned {
  technique: Technique;
  stations: StationCredential[];
  token?: string;
  source?: string;
  alt?: string;
}

/** The techniques of a class that `o.techniques` selects (all by default). */
export function selectTechniques(cls: AttackClass, names?: readonly string[]): Technique[] {
  const all = techniques[cls];
  if (!names?.length) return [...all];
  const unknown = names.filter((n) => !all.some((t) => t.name === n));
  if (unknown.length) throw new AttackUsageError(`${cls} has no technique ${unknown.join(', ')} (it has ${all.map((t) => t.name).join(', ')})`);
  return all.filter((t) => names.includes(t.name));
}

/** Stations an attack run of `count` instances needs: what a caller must provide. */
export function stationsNeeded(list: readonly Technique[], count: number): number {
  let n = 0;
  for (let i = 0; i < count; i++) n += list[i % list.length]!.needs.stations;
  return n;
}

/** Assigns each instance its technique, stations, token and addresses; refuses what cannot run. */
export function plan(cls: AttackClass, o: AttackOptions): Planned[] {
  if (!attackClasses.includes(cls)) throw new AttackUsageError(`unknown attack class ${JSON.stringify(cls)}`);
  if (!/^wss?:\/\/[^/]+/.test(o.url)) throw new AttackUsageError(`the target must be a ws:// or wss:// address, not ${JSON.stringify(o.url)}`);
  if (!isLoopbackUrl(o.url) && o.allowRemote !== true) {
    throw new AttackUsageError(`refusing to attack ${new URL(o.url).host}: not a loopback address (attack only systems you own; say so with --i-own-this-target)`);
  }
  if (!Number.isInteger(o.count) || o.count < 1 || o.count > MAX_INSTANCES) throw new AttackUsageError(`count must be an integer between 1 and ${MAX_INSTANCES}`);
  if (!(o.durationMs > 0) || o.durationMs > MAX_DURATION_MS) throw new AttackUsageError(`duration must be between 0 and ${MAX_DURATION_MS / 1000} s`);
  const list = selectTechniques(cls, o.techniques);
  const stations = o.stations ?? [];
  const needed = stationsNeeded(list, o.count);
  if (needed > stations.length) {
    throw new AttackUsageError(`${cls} with ${o.count} instance(s) needs ${needed} station(s) with credentials (one per instance, two for the sybil two-station techniques); ${stations.length} given`);
  }
  const out: Planned[] = [];
  let next = 0;
  let tokens = 0;
  for (let i = 0; i < o.count; i++) {
    const technique = list[i % list.length]!;
    const p: Planned = { technique, stations: stations.slice(next, next + technique.needs.stations) };
    next += technique.needs.stations;
    if (o.sources?.length) p.source = o.sources[i % o.sources.length];
    if (technique.needs.token) {
      if (!o.idTags?.length) throw new AttackUsageError(`${cls}/${technique.name} needs a token the CSMS accepts (--id-tags)`);
      p.token = o.idTags[tokens++ % o.idTags.length];
    }
    if (technique.needs.alt) {
      p.alt = altAddress(p.source);
      if (p.alt === undefined) throw new AttackUsageError(`${cls}/${technique.name} needs a second source address: give a loopback --source (127.x.y.z)`);
    }
    out.push(p);
  }
  return out;
}

/**
 * Runs one attack class: its instances one after another, each bounded by the run's deadline
 * (and INSTANCE_MS), every socket closed when the instance ends. Resolves with the labelled
 * instances that ran, errors included (an instance cut short may still have been detected).
 */
export async function runAttack(cls: AttackClass, o: AttackOptions): Promise<AttackInstance[]> {
  const planned = plan(cls, o);
  const deadline = Date.now() + o.durationMs;
  const out: AttackInstance[] = [];
  for (const [n, p] of planned.entries()) {
    if (o.signal?.aborted || Date.now() >= deadline) break;
    const stop = new AbortController();
    setMaxListeners(0, stop.signal);
    const relay = (): void => stop.abort();
    o.signal?.addEventListener('abort', relay, { once: true });
    const until = Math.min(deadline, Date.now() + INSTANCE_MS);
    const timer = setTimeout(relay, until - Date.now());
    const clients: RawClient[] = [];
    const inst: AttackInstance = {
      class: cls, instance: `${cls}/${p.technique.name}#${n + 1}`, technique: p.technique.name, detector: p.technique.detector,
      ...(p.stations[0] && { stationId: p.stations[0].id }),
      ...(p.stations.length > 1 && { stations: p.stations.map((s) => s.id) }),
      sourceIp: p.source ?? (isLoopbackUrl(o.url) ? '127.0.0.1' : undefined),
      ...(p.token !== undefined && { token: p.token }),
      startedAt: Date.now(), endedAt: 0, sent: 0,
    };
    const ctx: AttackContext = {
      url: o.url, stations: p.stations, token: p.token, source: p.source, alt: p.alt, deadline: until,
      frameBytes: o.frameBytes ?? 1 << 20, holdMs: o.holdMs ?? 12_000, signal: stop.signal, log: o.log,
      sent: (k = 1) => { inst.sent += k; },
      track: (c) => { clients.push(c); return c; },
    };
    try {
      const r = await p.technique.run(ctx);
      if (r?.stationId) inst.stationId = r.stationId;
    } catch (err) {
      inst.error = (err as Error).message;
      o.log?.debug({ err, instance: inst.instance }, 'attack instance ended early');
    } finally {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', relay);
      for (const c of clients) c.ws.terminate();
      inst.endedAt = Date.now();
    }
    out.push(inst);
  }
  return out;
}

/** The attack table: one function per class. */
export const attacks: Record<AttackClass, AttackFn> = {
  dos: (o) => runAttack('dos', o),
  injection: (o) => runAttack('injection', o),
  replay: (o) => runAttack('replay', o),
  impersonation: (o) => runAttack('impersonation', o),
  sybil: (o) => runAttack('sybil', o),
};
export { detects, score, benignAlerts, type ClassScore, type ScoredAlert } from './score.js';
