import type { CdrChargingPeriod, CdrDimension } from '../../store/schema.js';
import type { TimelinePeriod } from '../tariffs/engine.js';
import type { Sample } from '../model.js';
import { energyRegisterWh } from '../transactions/meter.js';

/** One stored meter value: its time and the station's sampledValue array, verbatim. */
export interface StoredReading {
  sampledAt: Date;
  sampledValue: unknown;
}

/**
 * Samples of a stored sampledValue array of either version: 1.6 sends values as strings with
 * `unit`, 2.0.1 as numbers with `unitOfMeasure`. Signed or non-numeric values are left out.
 */
export function samplesOf(raw: unknown): Sample[] {
  if (!Array.isArray(raw)) return [];
  const out: Sample[] = [];
  for (const s of raw as Array<Record<string, unknown>>) {
    if (!s || typeof s !== 'object' || s.format === 'SignedData') continue;
    const value = typeof s.value === 'number' ? s.value : typeof s.value === 'string' ? Number(s.value) : NaN;
    if (!Number.isFinite(value)) continue;
    const uom = (s.unitOfMeasure ?? {}) as { unit?: unknown; multiplier?: unknown };
    const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    out.push({
      value, measurand: str(s.measurand), unit: str(s.unit) ?? str(uom.unit),
      multiplier: typeof uom.multiplier === 'number' ? uom.multiplier : undefined, phase: str(s.phase),
    });
  }
  return out;
}

export interface SessionUsage {
  /** energy charged according to the readings, Wh (the transaction's own figure is preferred) */
  importWh: number;
  /** energy exported (V2X discharge), Wh, from Energy.Active.Export.Register */
  exportWh: number;
  /** time the session neither charged nor discharged, ms */
  parkingMs: number;
  chargingPeriods: CdrChargingPeriod[];
  /** every stretch between two readings, exact (ms, Wh), as the pricing engine takes them */
  timeline: TimelinePeriod[];
}

interface Point { at: number; importWh?: number; exportWh?: number }

const hours = (ms: number): number => Math.round(ms / 3.6) / 1_000_000;
const kwh = (wh: number): number => Math.round(wh) / 1000;

/**
 * Charging periods of a session from its meter values: between two consecutive readings the
 * session is active when either register moved (charging or V2X discharging) and parking
 * otherwise; adjacent stretches of one kind form one OCPI period. Active periods carry ENERGY
 * (kWh imported), ENERGY_EXPORT (kWh exported, when any) and TIME (h); parking ones PARKING_TIME (h).
 */
export function sessionUsage(start: Date, end: Date, meterStartWh: number | null, meterStopWh: number | null, readings: readonly StoredReading[]): SessionUsage {
  const t0 = start.getTime();
  const t1 = Math.max(t0, end.getTime());
  const points: Point[] = [{ at: t0, importWh: meterStartWh ?? undefined }];
  for (const r of readings) {
    const at = r.sampledAt.getTime();
    if (at < t0 || at > t1) continue;
    const reading = { timestamp: r.sampledAt, samples: samplesOf(r.sampledValue), raw: [] };
    points.push({ at, importWh: energyRegisterWh(reading, 'Import'), exportWh: energyRegisterWh(reading, 'Export') });
  }
  points.push({ at: t1, importWh: meterStopWh ?? undefined });
  points.sort((a, b) => a.at - b.at);

  let firstExport: number | undefined;
  let lastExport: number | undefined;
  let lastImport: number | undefined;
  let parkingMs = 0;
  const periods: Array<{ start: number; active: boolean; ms: number; importWh: number; exportWh: number }> = [];
  const timeline: TimelinePeriod[] = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const prevImport = lastImport;
    const prevExport = lastExport;
    if (p.importWh !== undefined) lastImport = p.importWh;
    if (p.exportWh !== undefined) {
      firstExport ??= p.exportWh;
      lastExport = p.exportWh;
    }
    if (i === 0) continue;
    const ms = p.at - points[i - 1]!.at;
    const dImport = p.importWh !== undefined && prevImport !== undefined ? Math.max(0, p.importWh - prevImport) : 0;
    const dExport = p.exportWh !== undefined && prevExport !== undefined ? Math.max(0, p.exportWh - prevExport) : 0;
    if (ms === 0 && dImport === 0 && dExport === 0) continue;
    const active = dImport > 0 || dExport > 0;
    if (!active) parkingMs += ms;
    // unmerged, so the pricing engine knows when between which readings the energy flowed
    timeline.push({ start: new Date(points[i - 1]!.at), end: new Date(p.at), parking: !active, importWh: dImport, exportWh: dExport });
    const last = periods.at(-1);
    if (last && last.active === active) {
      last.ms += ms;
      last.importWh += dImport;
      last.exportWh += dExport;
    } else {
      periods.push({ start: points[i - 1]!.at, active, ms, importWh: dImport, exportWh: dExport });
    }
  }
  const chargingPeriods = periods.map((p): CdrChargingPeriod => {
    const dimensions: CdrDimension[] = p.active
      ? [{ type: 'ENERGY', volume: kwh(p.importWh) }, ...(p.exportWh > 0 ? [{ type: 'ENERGY_EXPORT' as const, volume: kwh(p.exportWh) }] : []), { type: 'TIME', volume: hours(p.ms) }]
      : [{ type: 'PARKING_TIME', volume: hours(p.ms) }];
    return { startDateTime: new Date(p.start).toISOString(), dimensions };
  });
  const exportWh = firstExport !== undefined && lastExport !== undefined ? Math.max(0, Math.round(lastExport - firstExport)) : 0;
  const importWh = Math.round(periods.reduce((sum, p) => sum + p.importWh, 0));
  return { importWh, exportWh, parkingMs, chargingPeriods, timeline };
}

export { hours as msToHours, kwh as whToKwh };

/**
 * The timeline carrying the transaction's own energy figure: energy the readings cannot place
 * (no start register, charging before the first reading) goes to the first charging period, or
 * to one charging stretch over the whole session when the readings show none. So the price is
 * of the energy the CDR and totalCost report.
 */
export function withTotalImport(timeline: readonly TimelinePeriod[], start: Date, end: Date, importWh: number): TimelinePeriod[] {
  const missing = importWh - timeline.reduce((sum, p) => sum + p.importWh, 0);
  if (!(missing > 0.5)) return [...timeline];
  const i = timeline.findIndex((p) => !p.parking);
  if (i < 0) return [{ start, end, parking: false, importWh, exportWh: timeline.reduce((sum, p) => sum + p.exportWh, 0) }];
  return timeline.map((p, j) => (j === i ? { ...p, importWh: p.importWh + missing } : p));
}
