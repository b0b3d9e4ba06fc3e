import type { ChargingProfile, ChargingRateUnit, ChargingSchedule, ProfileCriteria, SchedulePeriod } from '../domain/smart-charging/profile.js';
import { matchesCriteria } from '../domain/smart-charging/profile.js';
import type { SimulatedStation } from './station.js';

/**
 * The simulator's smart charging, shared by both dialects: the profiles a station holds, the
 * rules it refuses profiles by, and a simple composite schedule. Kept beside the station (not
 * in it) so only stations that are sent profiles pay for them.
 */
export interface Installed {
  evse: number;
  profile: ChargingProfile;
}

const installed = new WeakMap<SimulatedStation, Installed[]>();

export function profilesOf(st: SimulatedStation): Installed[] {
  let list = installed.get(st);
  if (!list) installed.set(st, (list = []));
  return list;
}

/** Volts per phase and phases the simulator converts between A and W with. */
const VOLTS = 230;
const PHASES = 3;

/** What a station supports, from its settings. */
export interface Limits {
  allowedUnits: readonly ChargingRateUnit[];
  maxStackLevel: number;
  maxPeriods: number;
  maxInstalled: number;
}

/** Why a station refuses a profile, or undefined when it takes it. */
export function refusal(st: SimulatedStation, evse: number, p: ChargingProfile, opts: Limits): string | undefined {
  if (evse !== 0 && !st.hasPort(evse)) return 'UnknownEVSE';
  const list = profilesOf(st);
  if (list.length >= opts.maxInstalled && !list.some((x) => x.profile.id === p.id)) return 'TooManyProfiles';
  if (p.stackLevel > opts.maxStackLevel) return 'StackLevelTooHigh';
  if (p.purpose === 'ChargingStationMax' && evse !== 0) return 'StationMaxOnEVSE';
  if (p.purpose === 'ChargingStationExternalConstraints') return 'ExternalConstraints';
  if (p.purpose === 'Tx') {
    const s = evse === 0 ? undefined : st.port(evse).session;
    if (!s || p.transactionRef === undefined || String(s.id) !== p.transactionRef) return 'TxNotFound';
  }
  for (const s of p.schedules) {
    if (!opts.allowedUnits.includes(s.chargingRateUnit)) return 'UnsupportedRateUnit';
    if (s.periods.length > opts.maxPeriods) return 'TooManyPeriods';
  }
  return undefined;
}

/** Installs a profile: it replaces the one with the same id, and the one with the same stack level and purpose on the EVSE. */
export function install(st: SimulatedStation, evse: number, p: ChargingProfile): void {
  const list = profilesOf(st).filter((x) => x.profile.id !== p.id && !(x.evse === evse && x.profile.stackLevel === p.stackLevel && x.profile.purpose === p.purpose));
  list.push({ evse, profile: p });
  installed.set(st, list);
}

/** Removes the matching profiles; how many went. */
export function clear(st: SimulatedStation, c: ProfileCriteria): number {
  const before = profilesOf(st);
  const kept = before.filter((x) => !matchesCriteria(c, x.evse, x.profile));
  installed.set(st, kept);
  return before.length - kept.length;
}

const convert = (limit: number, from: ChargingRateUnit, to: ChargingRateUnit, phases = PHASES): number =>
  from === to ? limit : to === 'W' ? limit * VOLTS * phases : Math.round((limit / (VOLTS * phases)) * 10) / 10;

/** Seconds from `now` at which the schedule's period 0 begins. */
function offsetOf(p: ChargingProfile, s: ChargingSchedule, now: number, txStart: number | undefined): number {
  if (p.kind === 'Relative') return ((txStart ?? now) - now) / 1000;
  const start = Date.parse(s.startSchedule ?? new Date(now).toISOString());
  if (p.kind === 'Recurring') {
    const cycle = (p.recurrencyKind === 'Weekly' ? 7 : 1) * 86_400_000;
    const elapsed = (((now - start) % cycle) + cycle) % cycle;
    return -elapsed / 1000;
  }
  return (start - now) / 1000;
}

/** The limit a profile sets `t` seconds from now, in `unit`; undefined outside its schedule and validity. */
function limitAt(p: ChargingProfile, t: number, now: number, unit: ChargingRateUnit, txStart?: number): number | undefined {
  const at = now + t * 1000;
  if ((p.validFrom && at < Date.parse(p.validFrom)) || (p.validTo && at >= Date.parse(p.validTo))) return undefined;
  const s = p.schedules[0]!;
  const into = t - offsetOf(p, s, now, txStart);
  if (into < 0 || (s.duration !== undefined && into >= s.duration)) return undefined;
  let period: SchedulePeriod | undefined;
  for (const x of s.periods) if (x.startPeriod <= into) period = x;
  return period && convert(period.limit, s.chargingRateUnit, unit, period.numberPhases);
}

/** The highest stack level wins within a purpose. */
function top(list: Installed[], t: number, now: number, unit: ChargingRateUnit, txStart?: number): number | undefined {
  let best: { level: number; limit: number } | undefined;
  for (const x of list) {
    const limit = limitAt(x.profile, t, now, unit, txStart);
    if (limit !== undefined && (!best || x.profile.stackLevel > best.level)) best = { level: x.profile.stackLevel, limit };
  }
  return best?.limit;
}

/**
 * The composite schedule of an EVSE for the next `duration` seconds: the lowest of the station
 * maximum and the EVSE's Tx profile (else its TxDefault, else the station-wide TxDefault), and
 * the EVSE's own power where no profile applies.
 */
export function composite(st: SimulatedStation, evse: number, duration: number, unit: ChargingRateUnit, now = Date.now()): { startPeriod: number; limit: number }[] {
  const list = profilesOf(st);
  const session = evse > 0 ? st.port(evse).session : undefined;
  const txStart = session?.startedAt;
  const stationMax = list.filter((x) => x.profile.purpose === 'ChargingStationMax');
  const tx = list.filter((x) => x.evse === evse && x.profile.purpose === 'Tx' && session && x.profile.transactionRef === String(session.id));
  const evseDefault = list.filter((x) => x.evse === evse && x.profile.purpose === 'TxDefault');
  const stationDefault = list.filter((x) => x.evse === 0 && x.profile.purpose === 'TxDefault');
  const hardware = convert(Math.abs(st.defaultPowerW), 'W', unit);
  // every instant a limit may change: period starts of every profile, projected onto [0, duration)
  const points = new Set<number>([0]);
  for (const x of list) {
    for (const s of x.profile.schedules) {
      const off = offsetOf(x.profile, s, now, txStart);
      for (const p of s.periods) {
        const t = Math.round(off + p.startPeriod);
        if (t > 0 && t < duration) points.add(t);
      }
      if (s.duration !== undefined && off + s.duration > 0 && off + s.duration < duration) points.add(Math.round(off + s.duration));
    }
  }
  const out: { startPeriod: number; limit: number }[] = [];
  for (const t of [...points].sort((a, b) => a - b)) {
    const own = top(tx, t, now, unit, txStart) ?? top(evseDefault, t, now, unit, txStart) ?? top(stationDefault, t, now, unit, txStart);
    const limit = Math.min(hardware, own ?? hardware, top(stationMax, t, now, unit) ?? hardware);
    if (out.at(-1)?.limit !== limit) out.push({ startPeriod: t, limit });
  }
  return out;
}
