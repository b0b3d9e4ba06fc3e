/**
 * The one pricing engine: a session's timeline (charging and parking periods with the energy
 * imported and exported in each) priced by one tariff version. Pure and exact: volumes are whole
 * mWh and ms, prices 10^-9 units, every amount a BigInt over one common denominator, and the
 * money rounded once, half up, to the currency's minor unit.
 */
import { minorDigits } from './cost.js';
import { validateDefinition, type PriceComponent, type PriceComponentType, type TariffDefinition, type TariffRestrictions } from './model.js';
import { instantsOf, localDates, localTime, transitions, type LocalTime } from './zone.js';

export interface TimelinePeriod {
  start: Date;
  end: Date;
  /** parked: neither charging nor discharging (priced as PARKING_TIME) */
  parking: boolean;
  importWh: number;
  exportWh: number;
}

export interface SessionTimeline {
  start: Date;
  end: Date;
  periods: readonly TimelinePeriod[];
}

/** the OCPI dimensions priced: one per price component type */
export type Dimension = PriceComponentType;

export interface DimensionCost {
  type: Dimension;
  /** kWh for ENERGY/ENERGY_EXPORT, hours for TIME/PARKING_TIME, 1 for FLAT */
  volume: number;
  /** the volume as billed, after the step size */
  billedVolume: number;
  /** this dimension's share, net, rounded on its own (the shares need not add up to the rounded total) */
  exclVatMinor: number;
}

export interface PricedPeriod {
  startDateTime: string;
  endDateTime: string;
  parking: boolean;
  dimensions: Array<{ type: Dimension; volume: number; element: number | null; price: string | null; exclVatMinor: number }>;
}

export interface Money { exclVatMinor: number; inclVatMinor: number }

export interface PriceBreakdown {
  currency: string;
  vatRate: string;
  dimensions: DimensionCost[];
  /** the timeline split where the tariff changes (window edges, local midnights, DST transitions) */
  periods: PricedPeriod[];
  /** everything but the export credit, after min_price/max_price */
  charge: Money;
  minPriceApplied: boolean;
  maxPriceApplied: boolean;
  /** V2G remuneration for exported energy, deducted from total; null when the tariff credits none */
  exportCredit: Money | null;
  total: Money & { vatMinor: number };
}

/** Common denominator: 10^6 mWh per kWh and 3.6·10^6 ms per hour both divide it. */
const D = 3_600_000_000n;
const PER_MWH = D / 1_000_000n;
const PER_MS = D / 3_600_000n;

function scaled(value: string, scale: number): bigint {
  const [whole, frac = ''] = value.split('.');
  return BigInt(whole! + frac.padEnd(scale, '0'));
}

/** Half up (amounts are never negative here; a negative one would round symmetrically). */
const roundDiv = (n: bigint, d: bigint): bigint => (n >= 0n ? (n * 2n + d) / (2n * d) : -((-n * 2n + d) / (2n * d)));

function matches(r: TariffRestrictions | undefined, lt: LocalTime, sinceStartMs: number): boolean {
  if (!r) return true;
  if (r.start_date !== undefined && lt.date < r.start_date) return false;
  if (r.end_date !== undefined && lt.date >= r.end_date) return false;
  if (r.day_of_week !== undefined && !r.day_of_week.includes(lt.day)) return false;
  if (r.min_duration !== undefined && sinceStartMs < r.min_duration * 1000) return false;
  if (r.max_duration !== undefined && sinceStartMs >= r.max_duration * 1000) return false;
  const s = r.start_time === undefined ? undefined : minuteOf(r.start_time);
  const e = r.end_time === undefined ? undefined : minuteOf(r.end_time);
  if (s !== undefined && e !== undefined) {
    if (s < e) return lt.minute >= s && lt.minute < e;
    if (s > e) return lt.minute >= s || lt.minute < e; // crosses midnight
    return true;
  }
  if (s !== undefined) return lt.minute >= s;
  if (e !== undefined) return lt.minute < e;
  return true;
}

const minuteOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Every instant in the session at which some restriction may change its answer. */
function boundaries(def: TariffDefinition, t0: number, t1: number): number[] {
  const out = new Set<number>(transitions(t0, t1, def.time_zone));
  const minutes = new Set<number>([0]);
  for (const e of def.elements) {
    const r = e.restrictions ?? {};
    if (r.start_time !== undefined) minutes.add(minuteOf(r.start_time));
    if (r.end_time !== undefined) minutes.add(minuteOf(r.end_time));
    if (r.min_duration !== undefined) out.add(t0 + r.min_duration * 1000);
    if (r.max_duration !== undefined) out.add(t0 + r.max_duration * 1000);
  }
  for (const date of localDates(t0, t1, def.time_zone)) {
    for (const m of minutes) for (const at of instantsOf(date, m, def.time_zone)) out.add(at);
  }
  return [...out].filter((at) => at > t0 && at < t1).sort((a, b) => a - b);
}

/** The component pricing one dimension at one moment: the first element that has it and whose restrictions hold (OCPI). */
function componentAt(def: TariffDefinition, type: PriceComponentType, lt: LocalTime, sinceStartMs: number): { element: number; component: PriceComponent } | undefined {
  for (let i = 0; i < def.elements.length; i++) {
    const el = def.elements[i]!;
    const c = el.price_components.find((p) => p.type === type);
    if (c && matches(el.restrictions, lt, sinceStartMs)) return { element: i, component: c };
  }
  return undefined;
}

/**
 * Prices a session timeline under a tariff version. Periods are split at every boundary in the
 * tariff's time zone; the energy of a split period is apportioned to its pieces by time (meter
 * values say how much moved between two readings, not when), in whole mWh with cumulative
 * rounding so the pieces add up exactly. FLAT is charged once, by the element valid at the start.
 * OCPI step_size: each dimension's total volume is rounded up to the step of the last component
 * that priced it, the extra billed at that component's price. min_price/max_price bound the
 * charge net of VAT; the V2G credit is deducted afterwards, so it can take the total below
 * min_price (the owner is paid for what they fed back). Throws TariffError for a bad tariff.
 */
export function priceTimeline(def: TariffDefinition, session: SessionTimeline): PriceBreakdown {
  validateDefinition(def);
  const t0 = session.start.getTime();
  const t1 = Math.max(t0, session.end.getTime());
  const cuts = boundaries(def, t0, t1);
  const digits = minorDigits(def.currency);
  const toMinor = D * 10n ** BigInt(9 - digits);
  const minor = (amount: bigint): number => Number(roundDiv(amount, toMinor));

  const totals = new Map<Dimension, { units: bigint; amount: bigint; last?: PriceComponent }>();
  const add = (type: Dimension, units: bigint, amount: bigint, component?: PriceComponent): void => {
    const t = totals.get(type) ?? { units: 0n, amount: 0n };
    t.units += units;
    t.amount += amount;
    if (component && units > 0n) t.last = component;
    totals.set(type, t);
  };
  const periods: PricedPeriod[] = [];

  for (const p of session.periods) {
    const ps = Math.max(t0, p.start.getTime());
    const pe = Math.min(t1, Math.max(ps, p.end.getTime()));
    const points = [ps, ...cuts.filter((c) => c > ps && c < pe), pe];
    const span = pe - ps;
    const importMwh = BigInt(Math.max(0, Math.round(p.importWh * 1000)));
    const exportMwh = BigInt(Math.max(0, Math.round(p.exportWh * 1000)));
    // cumulative shares by time, so the pieces' energy adds up to the period's exactly; a zero-length period has one piece with all of it
    const part = (total: bigint, a: number, b: number): bigint => (span === 0 ? total : roundDiv(total * BigInt(b - ps), BigInt(span)) - roundDiv(total * BigInt(a - ps), BigInt(span)));
    const pieces = points.length === 2 && span === 0 ? [[ps, pe]] : points.slice(0, -1).map((a, i) => [a, points[i + 1]!]);
    for (const [a, b] of pieces as Array<[number, number]>) {
      const lt = localTime(a, def.time_zone);
      const since = a - t0;
      const ms = BigInt(b - a);
      const volumes: Array<[Dimension, bigint, bigint]> = p.parking
        ? [['PARKING_TIME', ms, PER_MS]]
        : [
            ['ENERGY', part(importMwh, a, b), PER_MWH],
            ['ENERGY_EXPORT', part(exportMwh, a, b), PER_MWH],
            ['TIME', ms, PER_MS],
          ];
      const dims: PricedPeriod['dimensions'] = [];
      for (const [type, units, factor] of volumes) {
        if (type === 'ENERGY_EXPORT' && units === 0n) continue;
        const at = componentAt(def, type, lt, since);
        const amount = at ? units * scaled(at.component.price, 9) * factor : 0n;
        add(type, units, amount, at?.component);
        dims.push({ type, volume: volumeOf(type, units), element: at?.element ?? null, price: at?.component.price ?? null, exclVatMinor: minor(amount) });
      }
      periods.push({ startDateTime: new Date(a).toISOString(), endDateTime: new Date(b).toISOString(), parking: p.parking, dimensions: dims });
    }
  }

  const flat = componentAt(def, 'FLAT', localTime(t0, def.time_zone), 0);
  if (flat) add('FLAT', 1n, scaled(flat.component.price, 9) * D, flat.component);

  const dimensions: DimensionCost[] = [];
  let charge = 0n;
  let credit = 0n;
  for (const [type, t] of totals) {
    let billed = t.units;
    let amount = t.amount;
    const step = t.last?.step_size;
    if (step !== undefined && type !== 'FLAT' && billed > 0n) {
      const unit = BigInt(step) * 1000n; // Wh → mWh, s → ms
      billed = ((t.units + unit - 1n) / unit) * unit;
      amount += (billed - t.units) * scaled(t.last!.price, 9) * (type === 'ENERGY' || type === 'ENERGY_EXPORT' ? PER_MWH : PER_MS);
    }
    if (type === 'ENERGY_EXPORT') credit += amount;
    else charge += amount;
    dimensions.push({ type, volume: volumeOf(type, t.units), billedVolume: volumeOf(type, billed), exclVatMinor: minor(amount) });
  }

  const min = def.min_price ? scaled(def.min_price, 9) * D : undefined;
  const max = def.max_price ? scaled(def.max_price, 9) * D : undefined;
  const minPriceApplied = min !== undefined && charge < min;
  const maxPriceApplied = max !== undefined && charge > max;
  if (minPriceApplied) charge = min;
  if (maxPriceApplied) charge = max;

  const vat = scaled(def.vat_rate, 4);
  const withVat = (amount: bigint): Money => ({ exclVatMinor: minor(amount), inclVatMinor: Number(roundDiv(amount * (100_0000n + vat), toMinor * 100_0000n)) });
  const chargeMoney = withVat(charge);
  const creditsExport = def.elements.some((e) => e.price_components.some((c) => c.type === 'ENERGY_EXPORT'));
  const creditMoney = creditsExport ? withVat(credit) : null;
  const exclVatMinor = chargeMoney.exclVatMinor - (creditMoney?.exclVatMinor ?? 0);
  const inclVatMinor = chargeMoney.inclVatMinor - (creditMoney?.inclVatMinor ?? 0);
  return {
    currency: def.currency, vatRate: def.vat_rate, dimensions, periods,
    charge: chargeMoney, minPriceApplied, maxPriceApplied, exportCredit: creditMoney,
    total: { exclVatMinor, inclVatMinor, vatMinor: inclVatMinor - exclVatMinor },
  };
}

function volumeOf(type: Dimension, units: bigint): number {
  if (type === 'FLAT') return Number(units);
  // kWh to 6 decimals (mWh), hours to 6 decimals, as the CDR's periods
  const perUnit = type === 'ENERGY' || type === 'ENERGY_EXPORT' ? 1_000_000 : 3_600_000;
  return Math.round((Number(units) / perUnit) * 1_000_000) / 1_000_000;
}
