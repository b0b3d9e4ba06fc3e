/**
 * The tariff model, shaped like an OCPI 2.2.1 Tariff (snake_case, elements of price components
 * with restrictions) so roaming can publish it as is. Deviations, each for a reason: one VAT
 * rate per tariff (the CSMS prices one country's sessions), ENERGY_EXPORT as a price component
 * (V2G remuneration per exported kWh, not in OCPI 2.2.1), and step_size optional (absent = the
 * exact volume, which a flat tariff converted from the pre-0021 columns needs to keep its price).
 */
import { TariffError } from './cost.js';

export type PriceComponentType = 'ENERGY' | 'TIME' | 'PARKING_TIME' | 'FLAT' | 'ENERGY_EXPORT';
export const PRICE_COMPONENT_TYPES: readonly PriceComponentType[] = ['ENERGY', 'TIME', 'PARKING_TIME', 'FLAT', 'ENERGY_EXPORT'];

export type DayOfWeek = 'MONDAY' | 'TUESDAY' | 'WEDNESDAY' | 'THURSDAY' | 'FRIDAY' | 'SATURDAY' | 'SUNDAY';
export const DAYS: readonly DayOfWeek[] = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

export interface PriceComponent {
  type: PriceComponentType;
  /** net of VAT, a decimal string: per kWh (ENERGY, ENERGY_EXPORT), per hour (TIME, PARKING_TIME), per session (FLAT) */
  price: string;
  /** billing step: Wh for ENERGY/ENERGY_EXPORT, seconds for TIME/PARKING_TIME; the session's total volume is rounded up to it */
  step_size?: number;
}

export interface TariffRestrictions {
  /** local wall-clock 'HH:MM' in the tariff's time zone; start > end crosses midnight */
  start_time?: string;
  end_time?: string;
  /** local dates 'YYYY-MM-DD'; start inclusive, end exclusive (as OCPI) */
  start_date?: string;
  end_date?: string;
  day_of_week?: DayOfWeek[];
  /** session duration in seconds since its start: min inclusive, max exclusive */
  min_duration?: number;
  max_duration?: number;
}

export interface TariffElement {
  price_components: PriceComponent[];
  restrictions?: TariffRestrictions;
}

/** One version of a tariff: what a session starting in its validity is priced by. */
export interface TariffDefinition {
  currency: string;
  /** IANA zone the restrictions' wall-clock times and dates are in */
  time_zone: string;
  /** percent, e.g. '19'; every price is net of it */
  vat_rate: string;
  /** bounds of the session's charge, net of VAT (the V2G credit is deducted after them) */
  min_price?: string | null;
  max_price?: string | null;
  elements: TariffElement[];
}

const PRICE = /^\d{1,9}(\.\d{1,9})?$/;
const RATE = /^\d{1,3}(\.\d{1,4})?$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const currencies = new Set(Intl.supportedValuesOf('currency'));
const zones = new Set(Intl.supportedValuesOf('timeZone'));

const isInt = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

/** Throws TariffError naming the first bad field. */
export function validateDefinition(d: TariffDefinition): void {
  if (!/^[A-Z]{3}$/.test(d.currency) || !currencies.has(d.currency)) throw new TariffError(`unknown ISO 4217 currency ${JSON.stringify(d.currency)}`);
  // 'UTC' is not always in supportedValuesOf, yet a valid zone
  if (typeof d.time_zone !== 'string' || (!zones.has(d.time_zone) && d.time_zone !== 'UTC')) throw new TariffError(`unknown IANA time zone ${JSON.stringify(d.time_zone)}`);
  if (typeof d.vat_rate !== 'string' || !RATE.test(d.vat_rate) || Number(d.vat_rate) > 100) throw new TariffError('vat_rate must be a percentage 0..100 with at most 4 decimals');
  for (const f of ['min_price', 'max_price'] as const) {
    const v = d[f];
    if (v !== undefined && v !== null && (typeof v !== 'string' || !PRICE.test(v))) throw new TariffError(`${f} must be a non-negative decimal string with at most 9 decimals`);
  }
  if (d.min_price && d.max_price && Number(d.min_price) > Number(d.max_price)) throw new TariffError('min_price must not exceed max_price');
  if (!Array.isArray(d.elements) || d.elements.length === 0 || d.elements.length > 100) throw new TariffError('elements must hold 1..100 tariff elements');
  d.elements.forEach((e, i) => {
    if (!Array.isArray(e.price_components) || e.price_components.length === 0) throw new TariffError(`elements[${i}].price_components must not be empty`);
    for (const c of e.price_components) {
      if (!PRICE_COMPONENT_TYPES.includes(c.type)) throw new TariffError(`elements[${i}]: unknown price component type ${JSON.stringify(c.type)}`);
      if (typeof c.price !== 'string' || !PRICE.test(c.price)) throw new TariffError(`elements[${i}].${c.type}.price must be a non-negative decimal string with at most 9 decimals`);
      if (c.step_size !== undefined && (!isInt(c.step_size, 86_400_000) || c.step_size === 0)) throw new TariffError(`elements[${i}].${c.type}.step_size must be a positive integer`);
    }
    const r = e.restrictions ?? {};
    for (const f of ['start_time', 'end_time'] as const) if (r[f] !== undefined && !TIME.test(r[f])) throw new TariffError(`elements[${i}].restrictions.${f} must be HH:MM`);
    for (const f of ['start_date', 'end_date'] as const) if (r[f] !== undefined && !DATE.test(r[f])) throw new TariffError(`elements[${i}].restrictions.${f} must be YYYY-MM-DD`);
    for (const f of ['min_duration', 'max_duration'] as const) if (r[f] !== undefined && !isInt(r[f], 10 * 365 * 86_400)) throw new TariffError(`elements[${i}].restrictions.${f} must be whole seconds`);
    if (r.day_of_week !== undefined && (!Array.isArray(r.day_of_week) || r.day_of_week.some((day) => !DAYS.includes(day)))) throw new TariffError(`elements[${i}].restrictions.day_of_week must list MONDAY..SUNDAY`);
  });
}

/** The tariff of the pre-0021 flat columns as one element: the per-minute price covers the whole session, charging or parked. */
export function flatDefinition(t: { currency: string; pricePerKwh: string; pricePerMinute: string; startFee: string; vatRate: string; v2gPricePerKwh?: string | null }, timeZone = 'UTC'): TariffDefinition {
  const perHour = multiply(t.pricePerMinute, 60);
  const components: PriceComponent[] = [
    { type: 'FLAT', price: t.startFee }, { type: 'ENERGY', price: t.pricePerKwh },
    { type: 'TIME', price: perHour }, { type: 'PARKING_TIME', price: perHour },
  ];
  if (t.v2gPricePerKwh !== null && t.v2gPricePerKwh !== undefined) components.push({ type: 'ENERGY_EXPORT', price: t.v2gPricePerKwh });
  return { currency: t.currency, time_zone: timeZone, vat_rate: t.vatRate, elements: [{ price_components: components }] };
}

/** A non-negative decimal string times a whole number, exactly (decimal strings in, decimal string out). */
function multiply(price: string, n: number): string {
  if (!PRICE.test(price)) return price; // validation reports it with the field's name
  const [whole, frac = ''] = price.split('.');
  const digits = (BigInt(whole! + frac) * BigInt(n)).toString().padStart(frac.length + 1, '0');
  return frac.length === 0 ? digits : `${digits.slice(0, -frac.length)}.${digits.slice(-frac.length)}`.replace(/\.?0+$/, '') || '0';
}
