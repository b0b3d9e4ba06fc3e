/**
 * Tariff prices and the cost of a charging session, in exact decimal arithmetic: prices are
 * decimal strings, computed as BigInt fractions and rounded once (half up) to the currency's
 * minor unit, so no float drift ever reaches an invoice.
 */
export interface TariffPrices {
  /** ISO 4217 code */
  currency: string;
  pricePerKwh: string;
  /** per minute of the session's duration */
  pricePerMinute: string;
  /** once per session */
  startFee: string;
  /** percent, e.g. '19' or '7.7'; prices above are net of VAT */
  vatRate: string;
}

export interface Cost {
  currency: string;
  /** in minor units (cents) */
  netMinor: number;
  vatMinor: number;
  totalMinor: number;
  /** decimal strings in the currency's major unit, e.g. '12.34' */
  net: string;
  vat: string;
  total: string;
}

export class TariffError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TariffError';
  }
}

const PRICE = /^\d{1,9}(\.\d{1,9})?$/;
const RATE = /^\d{1,3}(\.\d{1,4})?$/;
const currencies = new Set(Intl.supportedValuesOf('currency'));

/** A non-negative decimal string as an integer scaled by 10^scale. */
function scaled(value: string, scale: number): bigint {
  const [whole, frac = ''] = value.split('.');
  return BigInt(whole! + frac.padEnd(scale, '0'));
}

/** Digits of the currency's minor unit (2 for EUR, 0 for JPY, 3 for KWD), from ICU's ISO 4217 data. */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Throws TariffError naming the first bad field. */
export function validatePrices(t: TariffPrices): void {
  if (!/^[A-Z]{3}$/.test(t.currency) || !currencies.has(t.currency)) throw new TariffError(`unknown ISO 4217 currency ${JSON.stringify(t.currency)}`);
  for (const field of ['pricePerKwh', 'pricePerMinute', 'startFee'] as const) {
    if (typeof t[field] !== 'string' || !PRICE.test(t[field])) throw new TariffError(`${field} must be a non-negative decimal string with at most 9 decimals`);
  }
  if (typeof t.vatRate !== 'string' || !RATE.test(t.vatRate) || scaled(t.vatRate, 4) > 100_0000n) throw new TariffError('vatRate must be a percentage 0..100 with at most 4 decimals');
}

const roundDiv = (n: bigint, d: bigint): bigint => (n * 2n + d) / (2n * d);

function decimal(minor: bigint, digits: number): string {
  if (digits === 0) return minor.toString();
  const s = minor.toString().padStart(digits + 1, '0');
  return `${s.slice(0, -digits)}.${s.slice(-digits)}`;
}

/**
 * The flat tariffs' formula, kept as the reference the pricing engine (engine.ts) is tested
 * against: a flat tariff converted by flatDefinition must price exactly as this did.
 * Cost of a session: start fee + energy × price per kWh + duration × price per minute, plus
 * VAT. Energy is taken in whole Wh, duration in whole milliseconds (negative values count as 0).
 */
export function sessionCost(t: TariffPrices, usage: { energyWh: number; durationMs: number }): Cost {
  validatePrices(t);
  const wh = BigInt(Math.max(0, Math.round(usage.energyWh)));
  const ms = BigInt(Math.max(0, Math.round(usage.durationMs)));
  // prices in 10^-9 units; everything over the common denominator 60 000 (ms per minute, 1000 Wh per kWh × 60)
  const net = scaled(t.startFee, 9) * 60_000n + wh * scaled(t.pricePerKwh, 9) * 60n + ms * scaled(t.pricePerMinute, 9);
  const digits = minorDigits(t.currency);
  const toMinor = 60_000n * 10n ** BigInt(9 - digits);
  const netMinor = roundDiv(net, toMinor);
  const totalMinor = roundDiv(net * (100_0000n + scaled(t.vatRate, 4)), toMinor * 100_0000n);
  const vatMinor = totalMinor - netMinor;
  return {
    currency: t.currency, netMinor: Number(netMinor), vatMinor: Number(vatMinor), totalMinor: Number(totalMinor),
    net: decimal(netMinor, digits), vat: decimal(vatMinor, digits), total: decimal(totalMinor, digits),
  };
}
