import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { minorDigits, sessionCost, TariffError, validatePrices, type TariffPrices } from '../../src/domain/tariffs/cost.js';

const eur: TariffPrices = { currency: 'EUR', pricePerKwh: '0.35', pricePerMinute: '0.05', startFee: '1.00', vatRate: '19' };

describe('session cost (exact decimal arithmetic)', () => {
  it('adds start fee, energy and time, then VAT, rounding once to cents', () => {
    // 2.5 kWh × 0.35 = 0.875; 10 min × 0.05 = 0.50; + 1.00 = 2.375 → net 2.38; × 1.19 = 2.82625 → 2.83
    assert.deepEqual(sessionCost(eur, { energyWh: 2500, durationMs: 600_000 }), {
      currency: 'EUR', netMinor: 238, vatMinor: 45, totalMinor: 283, net: '2.38', vat: '0.45', total: '2.83',
    });
  });

  it('has no float drift where binary floating point would have it', () => {
    // 0.1 + 0.2 style: 3 × 0.1 kWh at 0.1/kWh is exactly 0.03, in floats 0.030000000000000002
    const t = { currency: 'EUR', pricePerKwh: '0.1', pricePerMinute: '0', startFee: '0', vatRate: '0' };
    assert.equal(sessionCost(t, { energyWh: 300, durationMs: 0 }).total, '0.03');
    // a million sessions' worth of tiny prices stays exact
    const tiny = { currency: 'EUR', pricePerKwh: '0.000000001', pricePerMinute: '0', startFee: '0', vatRate: '0' };
    assert.equal(sessionCost(tiny, { energyWh: 10_000_000_000_000, durationMs: 0 }).total, '10.00');
  });

  it('rounds half up to the currency minor unit (JPY 0, KWD 3 digits)', () => {
    assert.deepEqual([minorDigits('EUR'), minorDigits('JPY'), minorDigits('KWD')], [2, 0, 3]);
    const base = { pricePerMinute: '0', startFee: '0', vatRate: '0' };
    assert.equal(sessionCost({ ...base, currency: 'JPY', pricePerKwh: '55' }, { energyWh: 1010, durationMs: 0 }).total, '56'); // 55.55 → 56
    assert.equal(sessionCost({ ...base, currency: 'JPY', pricePerKwh: '55' }, { energyWh: 1000, durationMs: 0 }).total, '55');
    assert.equal(sessionCost({ ...base, currency: 'KWD', pricePerKwh: '0.0125' }, { energyWh: 1500, durationMs: 0 }).total, '0.019'); // 0.01875
    assert.equal(sessionCost({ ...base, currency: 'EUR', pricePerKwh: '0.005' }, { energyWh: 1000, durationMs: 0 }).total, '0.01'); // half up
  });

  it('charges time by the millisecond and VAT with decimals', () => {
    const t = { currency: 'EUR', pricePerKwh: '0', pricePerMinute: '0.60', startFee: '0', vatRate: '7.7' };
    // 90.5 s × 0.01/s = 0.905 net → 0.91; × 1.077 = 0.974685 → 0.97
    assert.deepEqual(sessionCost(t, { energyWh: 0, durationMs: 90_500 }), {
      currency: 'EUR', netMinor: 91, vatMinor: 6, totalMinor: 97, net: '0.91', vat: '0.06', total: '0.97',
    });
  });

  it('counts negative energy or duration as zero and whole Wh only', () => {
    assert.equal(sessionCost(eur, { energyWh: -5, durationMs: -1 }).total, '1.19');
    assert.equal(sessionCost({ ...eur, startFee: '0', pricePerMinute: '0', vatRate: '0' }, { energyWh: 1000.4, durationMs: 0 }).total, '0.35');
  });

  it('refuses bad prices with a TariffError', () => {
    const bad: Array<[Partial<TariffPrices>, RegExp]> = [
      [{ currency: 'eur' }, /ISO 4217/], [{ currency: 'ABC' }, /ISO 4217/], [{ pricePerKwh: '-0.1' }, /pricePerKwh/],
      [{ pricePerMinute: '1e3' }, /pricePerMinute/], [{ startFee: '0.0000000001' }, /startFee/], [{ vatRate: '100.00001' }, /vatRate/],
      [{ vatRate: '101' }, /vatRate/], [{ pricePerKwh: 0.35 as unknown as string }, /pricePerKwh/],
    ];
    for (const [patch, msg] of bad) assert.throws(() => validatePrices({ ...eur, ...patch }), (e: unknown) => e instanceof TariffError && msg.test(e.message));
    assert.doesNotThrow(() => validatePrices({ ...eur, vatRate: '100' }));
  });
});
