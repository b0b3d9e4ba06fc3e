import type { CdrTariffSnapshot } from '../../store/schema.js';
import { minorDigits } from '../tariffs/cost.js';
import { priceTimeline, type PriceBreakdown, type TimelinePeriod } from '../tariffs/engine.js';
import { definitionOf } from '../tariffs/snapshot.js';

export interface CdrPrice {
  currency: string;
  exclVatMinor: number;
  inclVatMinor: number;
  /** V2G remuneration for exported energy, already deducted above; undefined when the tariff has none */
  exportCredit?: { exclVatMinor: number; inclVatMinor: number };
  /** how the engine got there: per dimension and per period (split at the tariff's boundaries) */
  breakdown: PriceBreakdown;
}

/**
 * The price of a session under the tariff it started with, by the one pricing engine
 * (src/domain/tariffs/engine.ts) that TransactionEvent's totalCost and CostUpdated use too.
 * Throws TariffError for a tariff that cannot be priced.
 */
export function priceUsage(t: CdrTariffSnapshot, start: Date, end: Date, timeline: readonly TimelinePeriod[]): CdrPrice {
  const breakdown = priceTimeline(definitionOf(t), { start, end, periods: timeline });
  return {
    currency: breakdown.currency, exclVatMinor: breakdown.total.exclVatMinor, inclVatMinor: breakdown.total.inclVatMinor,
    ...(breakdown.exportCredit ? { exportCredit: breakdown.exportCredit } : {}), breakdown,
  };
}

/** A session summed up (one charging stretch): the flat tariffs' view, kept for callers without a timeline. */
export function priceSession(t: CdrTariffSnapshot, usage: { importWh: number; exportWh: number; durationMs: number }): Omit<CdrPrice, 'breakdown'> {
  const start = new Date(0);
  const end = new Date(Math.max(0, Math.round(usage.durationMs)));
  const { breakdown: _, ...price } = priceUsage(t, start, end, [{ start, end, parking: false, importWh: usage.importWh, exportWh: usage.exportWh }]);
  return price;
}

/** Minor units as an exact decimal string of the currency, e.g. -1234 EUR → '-12.34'. */
export function formatMinor(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const s = Math.abs(minor).toString().padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${s}` : `${sign}${s.slice(0, -digits)}.${s.slice(-digits)}`;
}
