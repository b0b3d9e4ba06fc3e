import type { CdrTariffSnapshot } from '../../store/schema.js';
import { minorDigits, sessionCost } from '../tariffs/cost.js';

export interface CdrPrice {
  currency: string;
  exclVatMinor: number;
  inclVatMinor: number;
  /** V2G remuneration for exported energy, already deducted above; undefined when the tariff has none */
  exportCredit?: { exclVatMinor: number; inclVatMinor: number };
}

/**
 * The price of a session under the tariff it started with: the charge exactly as
 * TransactionEvent's totalCost states it (start fee + energy + duration, VAT, rounded once half
 * up by sessionCost), minus the V2G remuneration for exported energy (its own rounding, same VAT
 * rate). Throws TariffError for a tariff that cannot be priced.
 */
export function priceSession(t: CdrTariffSnapshot, usage: { importWh: number; exportWh: number; durationMs: number }): CdrPrice {
  const charge = sessionCost(t, { energyWh: usage.importWh, durationMs: usage.durationMs });
  if (t.v2gPricePerKwh === null || t.v2gPricePerKwh === undefined) {
    return { currency: t.currency, exclVatMinor: charge.netMinor, inclVatMinor: charge.totalMinor };
  }
  const credit = sessionCost({ currency: t.currency, pricePerKwh: t.v2gPricePerKwh, pricePerMinute: '0', startFee: '0', vatRate: t.vatRate }, { energyWh: usage.exportWh, durationMs: 0 });
  return {
    currency: t.currency,
    exclVatMinor: charge.netMinor - credit.netMinor,
    inclVatMinor: charge.totalMinor - credit.totalMinor,
    exportCredit: { exclVatMinor: credit.netMinor, inclVatMinor: credit.totalMinor },
  };
}

/** Minor units as an exact decimal string of the currency, e.g. -1234 EUR → '-12.34'. */
export function formatMinor(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const s = Math.abs(minor).toString().padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${s}` : `${sign}${s.slice(0, -digits)}.${s.slice(-digits)}`;
}
