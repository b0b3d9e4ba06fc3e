import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvField, tokenPseudonymizer } from '../../src/domain/cdrs/index.js';
import { formatMinor, priceSession } from '../../src/domain/cdrs/pricing.js';
import { TariffError } from '../../src/domain/tariffs/cost.js';
import type { CdrTariffSnapshot } from '../../src/store/schema.js';

const tariff: CdrTariffSnapshot = { id: 1, name: 'V2G', currency: 'EUR', pricePerKwh: '0.40', pricePerMinute: '0', startFee: '0', vatRate: '19', v2gPricePerKwh: '0.25' };

describe('CDR pricing, CSV fields and the token pseudonym', () => {
  it('deducts the V2G export credit, each part rounded once; the total may go negative', () => {
    assert.deepEqual(priceSession(tariff, { importWh: 10_000, exportWh: 4000, durationMs: 3_600_000 }), {
      currency: 'EUR', exclVatMinor: 300, inclVatMinor: 357, exportCredit: { exclVatMinor: 100, inclVatMinor: 119 },
    });
    // a car that only feeds back earns money
    assert.deepEqual(priceSession(tariff, { importWh: 0, exportWh: 10_000, durationMs: 0 }), {
      currency: 'EUR', exclVatMinor: -250, inclVatMinor: -298, exportCredit: { exclVatMinor: 250, inclVatMinor: 298 },
    });
    assert.deepEqual(priceSession({ ...tariff, v2gPricePerKwh: null }, { importWh: 1000, exportWh: 5000, durationMs: 0 }), { currency: 'EUR', exclVatMinor: 40, inclVatMinor: 48 });
    assert.throws(() => priceSession({ ...tariff, v2gPricePerKwh: '-1' }, { importWh: 0, exportWh: 1, durationMs: 0 }), TariffError);
  });

  it('formats minor units exactly, negative ones too', () => {
    assert.deepEqual([formatMinor(-1234, 'EUR'), formatMinor(5, 'EUR'), formatMinor(-75, 'JPY'), formatMinor(1, 'KWD')], ['-12.34', '0.05', '-75', '0.001']);
  });

  it('quotes CSV fields as RFC 4180 asks and defuses spreadsheet formulas', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('=HYPERLINK("x")'), '"\'=HYPERLINK(""x"")"');
    assert.equal(csvField('-3.57'), '-3.57', 'a negative amount stays a number');
    assert.equal(csvField(null), '');
    assert.equal(csvField(-2), '-2');
  });

  it('pseudonymizes tokens: stable per secret, 36 characters, unrelated across secrets', () => {
    const a = tokenPseudonymizer(Buffer.alloc(32, 1));
    const b = tokenPseudonymizer(Buffer.alloc(32, 2));
    assert.equal(a('DRIVER-4711'), a('DRIVER-4711'));
    assert.match(a('DRIVER-4711'), /^[a-z2-7]{36}$/, 'safe in CSV and URLs whatever the key');
    assert.notEqual(a('DRIVER-4711'), a('DRIVER-4712'));
    assert.notEqual(a('DRIVER-4711'), b('DRIVER-4711'));
    assert.ok(!a('DRIVER-4711').includes('4711'));
  });
});
