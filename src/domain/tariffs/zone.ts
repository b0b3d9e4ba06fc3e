/**
 * Local wall-clock in an IANA time zone, from ICU (Intl) alone: what a tariff's restrictions
 * are written in. DST is handled by finding the zone's offset transitions and treating them as
 * boundaries like any other, so a window edge inside a skipped or repeated hour lands right.
 */
import type { DayOfWeek } from './model.js';

export interface LocalTime {
  /** 'YYYY-MM-DD' */
  date: string;
  /** minutes since local midnight */
  minute: number;
  day: DayOfWeek;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'long' });
    formatters.set(zone, f);
  }
  return f;
}

function parts(at: number, zone: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of formatter(zone).formatToParts(new Date(at))) out[p.type] = p.value;
  return out;
}

export function localTime(at: number, zone: string): LocalTime {
  const p = parts(at, zone);
  return { date: `${p.year}-${p.month}-${p.day}`, minute: Number(p.hour) * 60 + Number(p.minute), day: p.weekday!.toUpperCase() as DayOfWeek };
}

/** The zone's offset from UTC at an instant, ms (whole seconds: historic LMT offsets have them). */
export function offsetMs(at: number, zone: string): number {
  const p = parts(at, zone);
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - Math.floor(at / 1000) * 1000;
}

/** Instants in [from, to] at which the zone's offset changes (DST), to the millisecond. */
export function transitions(from: number, to: number, zone: string): number[] {
  const out: number[] = [];
  const STEP = 6 * 3_600_000; // zones change offset at most once in 6 hours
  for (let a = from; a < to; a += STEP) {
    const b = Math.min(a + STEP, to);
    if (offsetMs(a, zone) === offsetMs(b, zone)) continue;
    let lo = a;
    let hi = b;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetMs(mid, zone) === offsetMs(lo, zone)) lo = mid;
      else hi = mid;
    }
    out.push(hi);
  }
  return out;
}

/**
 * The instants at which a local wall-clock time occurs: none when DST skips it (the transition,
 * a boundary of its own, stands in), two when DST repeats it. Candidates are tried with the
 * offsets a day either side, and kept when they read back as that wall-clock time.
 */
export function instantsOf(date: string, minute: number, zone: string): number[] {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, Math.floor(minute / 60), minute % 60);
  const out = new Set<number>();
  for (const probe of [wall - 86_400_000, wall, wall + 86_400_000]) {
    const at = wall - offsetMs(probe, zone);
    const back = localTime(at, zone);
    if (back.date === date && back.minute === minute) out.add(at);
  }
  return [...out].sort((a, b) => a - b);
}

/** Local dates from the one containing `from` to the one containing `to`, inclusive. */
export function localDates(from: number, to: number, zone: string): string[] {
  const first = localTime(from, zone).date;
  const last = localTime(to, zone).date;
  const out: string[] = [];
  let [y, m, d] = first.split('-').map(Number) as [number, number, number];
  for (let i = 0; i < 3700; i++) {
    const s = new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10);
    out.push(s);
    if (s >= last) break;
    d += 1;
    const next = new Date(Date.UTC(y, m - 1, d));
    [y, m, d] = [next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()];
  }
  return out;
}
