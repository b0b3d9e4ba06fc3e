import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { samplesOf, sessionUsage, type StoredReading } from '../../src/domain/cdrs/periods.js';

const T0 = Date.parse('2026-01-01T10:00:00Z');
const t = (min: number): Date => new Date(T0 + min * 60_000);
const v201 = (min: number, importWh: number, exportWh?: number): StoredReading => ({
  sampledAt: t(min),
  sampledValue: [
    { value: importWh, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } },
    ...(exportWh === undefined ? [] : [{ value: exportWh / 1000, measurand: 'Energy.Active.Export.Register', unitOfMeasure: { unit: 'kWh' } }]),
  ],
});

describe('CDR charging periods from stored meter values', () => {
  it('reads stored samples of both versions: 1.6 strings with unit, 2.0.1 numbers with unitOfMeasure and multiplier', () => {
    assert.deepEqual(samplesOf([{ value: '1234.5', measurand: 'Energy.Active.Export.Register', unit: 'Wh', phase: 'L1' }]), [
      { value: 1234.5, measurand: 'Energy.Active.Export.Register', unit: 'Wh', multiplier: undefined, phase: 'L1' },
    ]);
    assert.deepEqual(samplesOf([{ value: 12, unitOfMeasure: { unit: 'Wh', multiplier: 3 } }]), [
      { value: 12, measurand: undefined, unit: 'Wh', multiplier: 3, phase: undefined },
    ]);
    // signed, non-numeric and malformed entries are left out rather than failing the CDR
    assert.deepEqual(samplesOf([{ value: 'abc' }, { value: '5', format: 'SignedData' }, null, 7]), []);
    assert.deepEqual(samplesOf('not an array'), []);
  });

  it('splits charging, parking and charging again into three periods', () => {
    const u = sessionUsage(t(0), t(60), 0, 5000, [v201(0, 0), v201(20, 3000), v201(40, 3000)]);
    assert.deepEqual(u.chargingPeriods, [
      { startDateTime: t(0).toISOString(), dimensions: [{ type: 'ENERGY', volume: 3 }, { type: 'TIME', volume: 0.333333 }] },
      { startDateTime: t(20).toISOString(), dimensions: [{ type: 'PARKING_TIME', volume: 0.333333 }] },
      { startDateTime: t(40).toISOString(), dimensions: [{ type: 'ENERGY', volume: 2 }, { type: 'TIME', volume: 0.333333 }] },
    ]);
    assert.equal(u.parkingMs, 20 * 60_000);
    assert.equal(u.exportWh, 0);
    assert.equal(u.importWh, 5000);
  });

  it('counts V2X discharge as active time and the export register apart (kWh units converted)', () => {
    const u = sessionUsage(t(0), t(60), 0, 10_000, [v201(0, 0, 0), v201(30, 10_000, 0), v201(60, 10_000, 4000)]);
    assert.equal(u.exportWh, 4000);
    assert.equal(u.parkingMs, 0);
    assert.deepEqual(u.chargingPeriods, [{
      startDateTime: t(0).toISOString(),
      dimensions: [{ type: 'ENERGY', volume: 10 }, { type: 'ENERGY_EXPORT', volume: 4 }, { type: 'TIME', volume: 1 }],
    }]);
  });

  it('ignores readings outside the session and a register that runs backwards', () => {
    const u = sessionUsage(t(0), t(30), 1000, 2000, [v201(-10, 0), v201(10, 500), v201(20, 2000), v201(90, 9000)]);
    // 1000 → 500 is no negative energy; 500 → 2000 is 1.5 kWh; then the stop register 2000 adds nothing
    assert.deepEqual(u.chargingPeriods.map((p) => p.dimensions.map((d) => [d.type, d.volume])), [
      [['PARKING_TIME', 0.166667]], [['ENERGY', 1.5], ['TIME', 0.166667]], [['PARKING_TIME', 0.166667]],
    ]);
  });

  it('without meter values, the start and stop registers make one period', () => {
    const u = sessionUsage(t(0), t(90), null, null, []);
    assert.deepEqual(u.chargingPeriods, [{ startDateTime: t(0).toISOString(), dimensions: [{ type: 'PARKING_TIME', volume: 1.5 }] }]);
    const charged = sessionUsage(t(0), t(90), 100, 1100, []);
    assert.deepEqual(charged.chargingPeriods[0]!.dimensions, [{ type: 'ENERGY', volume: 1 }, { type: 'TIME', volume: 1.5 }]);
  });
});
