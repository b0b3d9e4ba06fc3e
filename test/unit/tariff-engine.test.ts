// The pricing engine, table-driven: windows (crossing midnight), weekdays, both DST changes of
// Europe/Berlin in 2026, VAT, min/max price, rounding, step size, V2G credit by window, and
// equality with the flat tariffs' formula for tariffs converted from the pre-versions columns.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sessionCost, TariffError } from '../../src/domain/tariffs/cost.js';
import { priceTimeline, type TimelinePeriod } from '../../src/domain/tariffs/engine.js';
import { flatDefinition, validateDefinition, type PriceComponent, type TariffDefinition, type TariffElement, type TariffRestrictions } from '../../src/domain/tariffs/model.js';
import { instantsOf, localTime, transitions } from '../../src/domain/tariffs/zone.js';

const BERLIN = 'Europe/Berlin';
const el = (components: PriceComponent[], restrictions?: TariffRestrictions): TariffElement => ({ price_components: components, ...(restrictions && { restrictions }) });
const c = (type: PriceComponent['type'], price: string, step_size?: number): PriceComponent => ({ type, price, ...(step_size !== undefined && { step_size }) });
const tariff = (elements: TariffElement[], extra: Partial<TariffDefinition> = {}): TariffDefinition => ({ currency: 'EUR', time_zone: BERLIN, vat_rate: '0', elements, ...extra });
/** one period, the energy flowing evenly over it */
const charging = (start: string, end: string, importKwh: number, exportKwh = 0): TimelinePeriod => ({ start: new Date(start), end: new Date(end), parking: false, importWh: importKwh * 1000, exportWh: exportKwh * 1000 });
const parking = (start: string, end: string): TimelinePeriod => ({ start: new Date(start), end: new Date(end), parking: true, importWh: 0, exportWh: 0 });

interface Case {
  name: string;
  tariff: TariffDefinition;
  periods: TimelinePeriod[];
  /** [excl. VAT, incl. VAT] in minor units */
  total: [number, number];
  credit?: [number, number] | null;
  min?: boolean;
  max?: boolean;
  /** per dimension: [type, volume, billed volume] */
  dims?: Array<[string, number, number]>;
}

const dayNight = [el([c('ENERGY', '0.30')], { start_time: '07:00', end_time: '22:00' }), el([c('ENERGY', '0.20')])];
const nightFirst = [el([c('ENERGY', '0.20')], { start_time: '22:00', end_time: '06:00' }), el([c('ENERGY', '0.40')])];

const cases: Case[] = [
  {
    // 21:30–22:30 CEST: half the energy by day, half by night
    name: 'a day window ending at 22:00 local splits the energy by time',
    tariff: tariff(dayNight), periods: [charging('2026-06-10T19:30:00Z', '2026-06-10T20:30:00Z', 10)], total: [250, 250],
  },
  {
    name: 'a night window crossing midnight, left in the morning (05:00–07:00 CET)',
    tariff: tariff(nightFirst), periods: [charging('2026-01-15T04:00:00Z', '2026-01-15T06:00:00Z', 4)], total: [120, 120],
  },
  {
    name: 'a night window crossing midnight, entered in the evening (21:00–23:00 CET)',
    tariff: tariff(nightFirst), periods: [charging('2026-01-15T20:00:00Z', '2026-01-15T22:00:00Z', 4)], total: [120, 120],
  },
  {
    name: 'a session through midnight into the window\'s next day stays in the window',
    tariff: tariff(nightFirst), periods: [charging('2026-01-15T22:00:00Z', '2026-01-16T02:00:00Z', 8)], total: [160, 160],
  },
  {
    // Friday 23:00 → Saturday 01:00 CET
    name: 'day_of_week: the weekend price starts at local midnight, not UTC midnight',
    tariff: tariff([el([c('ENERGY', '0.25')], { day_of_week: ['SATURDAY', 'SUNDAY'] }), el([c('ENERGY', '0.35')])]),
    periods: [charging('2026-01-16T22:00:00Z', '2026-01-17T00:00:00Z', 2)], total: [60, 60],
  },
  {
    // 01:00 CET → 05:00 CEST is 3 real hours; 02:30 does not exist that night, so the window begins at 03:00 CEST (01:00Z)
    name: 'DST spring forward (2026-03-29): a window from a skipped time starts when the clock jumps',
    tariff: tariff([el([c('TIME', '10.00')], { start_time: '02:30', end_time: '03:30' }), el([c('TIME', '1.00')])]),
    periods: [charging('2026-03-29T00:00:00Z', '2026-03-29T03:00:00Z', 0)], total: [750, 750],
    dims: [['ENERGY', 0, 0], ['TIME', 3, 3]],
  },
  {
    name: 'DST spring forward: a night until 06:00 local lasts an hour less in UTC',
    tariff: tariff([el([c('TIME', '2.00')], { start_time: '00:00', end_time: '06:00' }), el([c('TIME', '1.00')])]),
    // 00:00 CET (23:00Z) → 08:00 CEST (06:00Z): 5 real hours of night, 2 of day
    periods: [charging('2026-03-28T23:00:00Z', '2026-03-29T06:00:00Z', 0)], total: [1200, 1200],
  },
  {
    // 01:00 CEST → 04:00 CET is 4 real hours; 02:00–03:00 local happens twice (00:00Z–01:00Z CEST and 01:00Z–02:00Z CET)
    name: 'DST fall back (2026-10-25): a window over the repeated hour is priced twice',
    tariff: tariff([el([c('TIME', '10.00')], { start_time: '02:00', end_time: '03:00' }), el([c('TIME', '1.00')])]),
    periods: [charging('2026-10-24T23:00:00Z', '2026-10-25T03:00:00Z', 0)], total: [2200, 2200],
  },
  {
    name: 'DST fall back: energy in the repeated hour is apportioned by real time',
    tariff: tariff([el([c('ENERGY', '1.00')], { start_time: '02:00', end_time: '03:00' }), el([c('ENERGY', '0.10')])]),
    // 4 real hours, 1 kWh each: 2 kWh in the doubled 02:00–03:00, 2 kWh outside
    periods: [charging('2026-10-24T23:00:00Z', '2026-10-25T03:00:00Z', 4)], total: [220, 220],
  },
  {
    name: 'VAT 19 %, rounded once on the total (3.33 net → 3.9627 gross → 3.96)',
    tariff: tariff([el([c('ENERGY', '0.333')])], { vat_rate: '19' }), periods: [charging('2026-05-01T10:00:00Z', '2026-05-01T11:00:00Z', 10)], total: [333, 396],
  },
  {
    name: 'half a minor unit rounds up, once, however the windows split it',
    tariff: tariff([el([c('ENERGY', '0.0025')], { start_time: '12:00' }), el([c('ENERGY', '0.0025')])]),
    periods: [charging('2026-05-01T09:30:00Z', '2026-05-01T10:30:00Z', 2)], total: [1, 1],
  },
  {
    name: 'yen have no minor unit: 1.5 kWh × 55 = 82.5 → 83, VAT 10 % → 90.75 → 91',
    tariff: tariff([el([c('ENERGY', '55')])], { currency: 'JPY', time_zone: 'Asia/Tokyo', vat_rate: '10' }),
    periods: [charging('2026-05-01T01:00:00Z', '2026-05-01T02:00:00Z', 1.5)], total: [83, 91],
  },
  {
    name: 'min_price lifts a small session\'s charge (net), VAT on top',
    tariff: tariff([el([c('ENERGY', '0.30')])], { vat_rate: '19', min_price: '5.00' }),
    periods: [charging('2026-05-01T10:00:00Z', '2026-05-01T10:30:00Z', 2)], total: [500, 595], min: true, max: false,
  },
  {
    name: 'max_price caps a long session',
    tariff: tariff([el([c('ENERGY', '0.30'), c('PARKING_TIME', '5.00')])], { vat_rate: '19', max_price: '10.00' }),
    periods: [charging('2026-05-01T10:00:00Z', '2026-05-01T14:00:00Z', 30), parking('2026-05-01T14:00:00Z', '2026-05-01T16:00:00Z')],
    total: [1000, 1190], min: false, max: true,
  },
  {
    name: 'step_size: 61 charging minutes billed in 5-minute steps, 2.2 kWh in whole kWh',
    tariff: tariff([el([c('TIME', '6.00', 300), c('ENERGY', '1.00', 1000)])]),
    periods: [charging('2026-05-01T10:00:00Z', '2026-05-01T11:01:00Z', 2.2)], total: [950, 950],
    dims: [['ENERGY', 2.2, 3], ['TIME', 1.016667, 1.083333]],
  },
  {
    name: 'step_size of the last component that priced the dimension rounds the session total',
    tariff: tariff([el([c('ENERGY', '0.50', 1)], { end_time: '12:00' }), el([c('ENERGY', '1.00', 1000)])]),
    // 11:00–12:15 CEST, 1.5 kWh: 1.2 before noon (0.60), 0.3 after (0.30); 1.5 → 2 kWh, the extra 0.5 at the last price (0.50)
    periods: [charging('2026-05-01T09:00:00Z', '2026-05-01T10:15:00Z', 1.5)], total: [140, 140], dims: [['ENERGY', 1.5, 2], ['TIME', 1.25, 1.25]],
  },
  {
    name: 'V2G credit by window: export at peak (17:00–20:00) earns more; the total goes negative',
    tariff: tariff([el([c('ENERGY_EXPORT', '0.40')], { start_time: '17:00', end_time: '20:00' }), el([c('ENERGY_EXPORT', '0.10'), c('ENERGY', '0.30')])], { vat_rate: '19' }),
    // 16:00–18:00 CEST, 4 kWh fed back: 2 off-peak (0.20) + 2 at peak (0.80)
    periods: [charging('2026-06-10T14:00:00Z', '2026-06-10T16:00:00Z', 0, 4)], total: [-100, -119], credit: [100, 119],
  },
  {
    name: 'min_price bounds the charge; the V2G credit is deducted after it',
    tariff: tariff([el([c('ENERGY', '0.30'), c('ENERGY_EXPORT', '0.25')])], { min_price: '2.00' }),
    periods: [charging('2026-06-10T14:00:00Z', '2026-06-10T15:00:00Z', 1, 4)], total: [100, 100], credit: [100, 100], min: true,
  },
  {
    name: 'a tariff without ENERGY_EXPORT credits nothing for exported energy',
    tariff: tariff([el([c('ENERGY', '0.30')])]), periods: [charging('2026-06-10T14:00:00Z', '2026-06-10T15:00:00Z', 1, 4)], total: [30, 30], credit: null,
  },
  {
    name: 'parking priced by day only: overnight parking is free',
    tariff: tariff([el([c('PARKING_TIME', '0.00')], { start_time: '20:00', end_time: '08:00' }), el([c('PARKING_TIME', '2.00'), c('ENERGY', '0.30')])]),
    // charged 10 kWh 18:00–19:00 CEST, parked 19:00 → 09:00: one day hour before 20:00, one after 08:00
    periods: [charging('2026-06-10T16:00:00Z', '2026-06-10T17:00:00Z', 10), parking('2026-06-10T17:00:00Z', '2026-06-11T07:00:00Z')], total: [700, 700],
  },
  {
    name: 'FLAT is charged once, by the element valid at the session start',
    tariff: tariff([el([c('FLAT', '0.50'), c('ENERGY', '0.20')], { start_time: '22:00', end_time: '06:00' }), el([c('FLAT', '1.00'), c('ENERGY', '0.30')])]),
    // 22:30–01:30 CET: all night, FLAT 0.50 + 3 kWh × 0.20
    periods: [charging('2026-01-15T21:30:00Z', '2026-01-16T00:30:00Z', 3)], total: [50 + 60, 50 + 60],
    dims: [['ENERGY', 3, 3], ['TIME', 3, 3], ['FLAT', 1, 1]],
  },
  {
    name: 'min_duration: idle fee per hour after the first two hours of the session',
    tariff: tariff([el([c('TIME', '10.00')], { min_duration: 7200 }), el([c('ENERGY', '0.30')])]),
    periods: [charging('2026-05-01T10:00:00Z', '2026-05-01T13:00:00Z', 10)], total: [1300, 1300],
  },
  {
    name: 'start_date/end_date: a promotion valid for one local day (end exclusive)',
    tariff: tariff([el([c('ENERGY', '0.00')], { start_date: '2026-05-01', end_date: '2026-05-02' }), el([c('ENERGY', '0.40')])]),
    // 23:00 CEST on the 1st → 01:00 CEST on the 2nd
    periods: [charging('2026-05-01T21:00:00Z', '2026-05-01T23:00:00Z', 2)], total: [40, 40],
  },
];

describe('tariff pricing engine', () => {
  for (const k of cases) {
    it(k.name, () => {
      const periods = k.periods;
      const b = priceTimeline(k.tariff, { start: periods[0]!.start, end: periods.at(-1)!.end, periods });
      assert.deepEqual([b.total.exclVatMinor, b.total.inclVatMinor], k.total);
      assert.equal(b.total.vatMinor, k.total[1] - k.total[0]);
      if (k.credit !== undefined) assert.deepEqual(b.exportCredit && [b.exportCredit.exclVatMinor, b.exportCredit.inclVatMinor], k.credit);
      if (k.min !== undefined) assert.equal(b.minPriceApplied, k.min);
      if (k.max !== undefined) assert.equal(b.maxPriceApplied, k.max);
      if (k.dims) assert.deepEqual(b.dimensions.map((d) => [d.type, d.volume, d.billedVolume]), k.dims);
      // the split periods cover the session without gaps, and carry all of its energy
      for (let i = 1; i < b.periods.length; i++) assert.equal(b.periods[i]!.startDateTime, b.periods[i - 1]!.endDateTime);
      const energy = b.periods.flatMap((p) => p.dimensions).filter((d) => d.type === 'ENERGY').reduce((a, d) => a + d.volume, 0);
      const want = periods.reduce((a, p) => a + p.importWh / 1000, 0);
      assert.ok(Math.abs(energy - want) < 1e-6, `energy ${energy} of ${want}`);
    });
  }

  it('splits at the window edge and says which element priced each piece', () => {
    const b = priceTimeline(tariff(dayNight), { start: new Date('2026-06-10T19:30:00Z'), end: new Date('2026-06-10T20:30:00Z'), periods: [charging('2026-06-10T19:30:00Z', '2026-06-10T20:30:00Z', 10)] });
    assert.deepEqual(b.periods.map((p) => [p.startDateTime, p.dimensions.find((d) => d.type === 'ENERGY')?.element, p.dimensions.find((d) => d.type === 'ENERGY')?.volume]), [
      ['2026-06-10T19:30:00.000Z', 0, 5], ['2026-06-10T20:00:00.000Z', 1, 5],
    ]);
  });

  it('prices a converted flat tariff exactly as the flat formula did', () => {
    const flats = [
      { currency: 'EUR', pricePerKwh: '0.35', pricePerMinute: '0.05', startFee: '1.00', vatRate: '19' },
      { currency: 'EUR', pricePerKwh: '0.123456789', pricePerMinute: '0.0333', startFee: '0', vatRate: '7.7' },
      { currency: 'JPY', pricePerKwh: '55', pricePerMinute: '1', startFee: '100', vatRate: '10' },
    ];
    for (const f of flats) {
      for (const [wh, ms] of [[0, 0], [1, 1], [12_345, 3_723_456], [99_999, 86_400_000]] as const) {
        const start = new Date('2026-03-29T00:30:00Z');
        const end = new Date(start.getTime() + ms);
        const b = priceTimeline(flatDefinition(f, BERLIN), { start, end, periods: [{ start, end, parking: false, importWh: wh, exportWh: 0 }] });
        const old = sessionCost(f, { energyWh: wh, durationMs: ms });
        assert.deepEqual([b.total.exclVatMinor, b.total.inclVatMinor], [old.netMinor, old.totalMinor], `${JSON.stringify(f)} ${wh} Wh ${ms} ms`);
      }
    }
  });

  it('refuses bad tariffs with a TariffError naming the field', () => {
    const ok = tariff([el([c('ENERGY', '0.30')])]);
    const bad: Array<[Partial<TariffDefinition>, RegExp]> = [
      [{ time_zone: 'Mars/Olympus' }, /time zone/],
      [{ currency: 'EURO' }, /ISO 4217/],
      [{ vat_rate: '101' }, /vat_rate/],
      [{ min_price: '5', max_price: '1' }, /min_price/],
      [{ elements: [] }, /elements/],
      [{ elements: [el([c('ENERGY', '-1')])] }, /ENERGY\.price/],
      [{ elements: [el([c('ENERGY', '1', 0)])] }, /step_size/],
      [{ elements: [el([c('ENERGY', '1')], { start_time: '24:00' })] }, /start_time/],
      [{ elements: [el([c('ENERGY', '1')], { day_of_week: ['FUNDAY' as 'MONDAY'] })] }, /day_of_week/],
    ];
    assert.doesNotThrow(() => validateDefinition(ok));
    for (const [change, message] of bad) assert.throws(() => validateDefinition({ ...ok, ...change }), (e: unknown) => e instanceof TariffError && message.test(e.message), JSON.stringify(change));
  });
});

describe('local wall-clock in a time zone', () => {
  it('finds both 2026 DST transitions of Europe/Berlin to the millisecond', () => {
    assert.deepEqual(transitions(Date.parse('2026-01-01T00:00:00Z'), Date.parse('2026-12-31T00:00:00Z'), BERLIN).map((t) => new Date(t).toISOString()),
      ['2026-03-29T01:00:00.000Z', '2026-10-25T01:00:00.000Z']);
  });

  it('maps a skipped local time to no instant and a repeated one to two', () => {
    assert.deepEqual(instantsOf('2026-03-29', 150, BERLIN), []);
    assert.deepEqual(instantsOf('2026-10-25', 150, BERLIN).map((t) => new Date(t).toISOString()), ['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']);
    assert.deepEqual(instantsOf('2026-06-10', 22 * 60, BERLIN).map((t) => new Date(t).toISOString()), ['2026-06-10T20:00:00.000Z']);
    assert.deepEqual(localTime(Date.parse('2026-01-16T23:30:00Z'), BERLIN), { date: '2026-01-17', minute: 30, day: 'SATURDAY' });
  });
});
