// The tariff API over a real server: create (OCPI-shaped elements), versions, assignment and the
// default, deletion refused while in use, quotes priced by the version valid at the start.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiUser, call, type ApiUser } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

type Obj = Record<string, unknown>;
interface Cost { version: number; total_cost: { excl_vat: number; incl_vat: number }; total_vat: number; export_credit: { excl_vat: number; incl_vat: number } | null; charge: { min_price_applied: boolean }; dimensions: Array<{ type: string; volume: number; billed_volume: number; excl_vat: number }>; charging_periods: Array<{ start_date_time: string; parking: boolean }> }

// Berlin: cheap nights (22:00–06:00, crossing midnight), V2G export paid more at the evening peak
const nightAndPeak = {
  currency: 'EUR', time_zone: 'Europe/Berlin', vat_rate: '19',
  elements: [
    { price_components: [{ type: 'ENERGY', price: '0.20' }], restrictions: { start_time: '22:00', end_time: '06:00' } },
    { price_components: [{ type: 'ENERGY_EXPORT', price: '0.40' }], restrictions: { start_time: '17:00', end_time: '20:00' } },
    { price_components: [{ type: 'ENERGY', price: '0.40' }, { type: 'ENERGY_EXPORT', price: '0.10' }, { type: 'PARKING_TIME', price: '3.00', step_size: 900 }, { type: 'FLAT', price: '1.00' }] },
  ],
};

describe('tariff API', () => {
  let p: TestPlatform;
  let billing: ApiUser;
  let partner: ApiUser;
  let other: ApiUser;
  let id: string;

  before(async () => {
    p = await startTestPlatform();
    await p.services.identity.stationGroups.create('g1', 'Site 1');
    await p.services.identity.stationGroups.create('g2', 'Site 2');
    await p.addStation('TARIFF-ST');
    await p.services.identity.stationGroups.assign('TARIFF-ST', 'g1');
    billing = await apiUser(p, ['billing_manager']);
    partner = await apiUser(p, ['roaming_partner']);
    other = await apiUser(p, ['billing_manager'], { groups: ['g2'] });
  });
  after(() => p?.stop());

  it('creates a tariff of elements as version 1, and refuses bad ones', async () => {
    const res = await call<Obj & { id: string; versions: Array<Obj> }>(p, 'POST', '/tariffs', { token: billing.token, body: { name: 'Night & peak', valid_from: '2026-01-01T00:00:00Z', ...nightAndPeak } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    id = res.body.id;
    assert.equal(res.body.is_default, false);
    assert.deepEqual(res.body.versions, [{ version: 1, valid_from: '2026-01-01T00:00:00.000Z', ...nightAndPeak }]);
    assert.equal((await call(p, 'POST', '/tariffs', { token: billing.token, body: { name: 'Night & peak', ...nightAndPeak } })).status, 409);
    const zone = await call<{ message: string }>(p, 'POST', '/tariffs', { token: billing.token, body: { name: 'Mars', ...nightAndPeak, time_zone: 'Mars/Olympus' } });
    assert.deepEqual([zone.status, /time zone/.test(zone.body.message)], [422, true]);
    assert.equal((await call(p, 'POST', '/tariffs', { token: billing.token, body: { name: 'Empty', ...nightAndPeak, elements: [] } })).status, 400);
    assert.equal((await call(p, 'POST', '/tariffs', { token: partner.token, body: { name: 'Partner', ...nightAndPeak } })).status, 403, 'tariffs:read cannot create');
  });

  it('lists and shows tariffs to tariffs:read', async () => {
    const list = await call<{ items: Array<{ id: string; name: string; currency: string }> }>(p, 'GET', '/tariffs', { token: partner.token });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items.map((t) => [t.id, t.name, t.currency]), [[id, 'Night & peak', 'EUR']]);
    const one = await call<{ versions: unknown[] }>(p, 'GET', `/tariffs/${id}`, { token: partner.token });
    assert.equal(one.body.versions.length, 1);
    assert.equal((await call(p, 'GET', '/tariffs/999999', { token: partner.token })).status, 404);
  });

  it('quotes a session: split at the night window in Berlin time, parking in 15-minute steps, a flat fee, VAT', async () => {
    // 21:00–23:00 CET charging 4 kWh (2 by day at 0.40, 2 by night at 0.20), then 20 min parked → 30 min at 3.00/h
    const q = await call<Cost>(p, 'POST', `/tariffs/${id}/quote`, { token: partner.token, body: { start: '2026-02-10T20:00:00Z', end: '2026-02-10T22:20:00Z', energy_kwh: 4, parking_minutes: 20 } });
    assert.equal(q.status, 200, JSON.stringify(q.body));
    // 0.80 + 0.40 + 1.50 + 1.00 = 3.70 net; × 1.19 = 4.403 → 4.40
    assert.deepEqual(q.body.total_cost, { excl_vat: 3.7, incl_vat: 4.4 });
    assert.equal(q.body.total_vat, 0.7);
    assert.equal(q.body.version, 1);
    assert.deepEqual(q.body.dimensions.map((d) => [d.type, d.volume, d.billed_volume]), [['ENERGY', 4, 4], ['TIME', 2, 2], ['PARKING_TIME', 0.333333, 0.5], ['FLAT', 1, 1]]);
    assert.deepEqual(q.body.charging_periods.map((c) => [c.start_date_time, c.parking]), [['2026-02-10T20:00:00.000Z', false], ['2026-02-10T21:00:00.000Z', false], ['2026-02-10T22:00:00.000Z', true]]);
  });

  it('quotes V2G: exported energy is credited by window and deducted', async () => {
    // 16:00–18:00 CEST feeding back 4 kWh: 2 off-peak × 0.10 + 2 at peak × 0.40 = 1.00 net credit
    const q = await call<Cost>(p, 'POST', `/tariffs/${id}/quote`, { token: partner.token, body: { start: '2026-06-10T14:00:00Z', end: '2026-06-10T16:00:00Z', energy_kwh: 0, exported_kwh: 4 } });
    assert.equal(q.status, 200, JSON.stringify(q.body));
    assert.deepEqual(q.body.export_credit, { excl_vat: 1, incl_vat: 1.19 });
    // the flat fee (1.00 / 1.19) minus the credit
    assert.deepEqual(q.body.total_cost, { excl_vat: 0, incl_vat: 0 });
    const bad = await call(p, 'POST', `/tariffs/${id}/quote`, { token: partner.token, body: { start: '2026-06-10T14:00:00Z', end: '2026-06-10T13:00:00Z', energy_kwh: 1 } });
    assert.equal(bad.status, 422);
  });

  it('edits by versions: a quote is priced by the version valid at its start', async () => {
    const v2 = await call<Obj>(p, 'POST', `/tariffs/${id}/versions`, { token: billing.token, body: { valid_from: '2026-07-01T00:00:00Z', ...nightAndPeak, min_price: '10.00', vat_rate: '7' } });
    assert.equal(v2.status, 201, JSON.stringify(v2.body));
    assert.equal(v2.body.version, 2);
    const earlier = await call<{ message: string }>(p, 'POST', `/tariffs/${id}/versions`, { token: billing.token, body: { valid_from: '2026-06-01T00:00:00Z', ...nightAndPeak } });
    assert.equal(earlier.status, 422, 'a version may not start before the latest one');
    assert.equal((await call(p, 'POST', '/tariffs/999999/versions', { token: billing.token, body: nightAndPeak })).status, 404);
    const body = { energy_kwh: 1 };
    const june = await call<Cost>(p, 'POST', `/tariffs/${id}/quote`, { token: partner.token, body: { ...body, start: '2026-06-30T10:00:00Z', end: '2026-06-30T11:00:00Z' } });
    const july = await call<Cost>(p, 'POST', `/tariffs/${id}/quote`, { token: partner.token, body: { ...body, start: '2026-07-01T10:00:00Z', end: '2026-07-01T11:00:00Z' } });
    assert.deepEqual([june.body.version, june.body.total_cost], [1, { excl_vat: 1.4, incl_vat: 1.67 }]);
    assert.deepEqual([july.body.version, july.body.total_cost, july.body.charge.min_price_applied], [2, { excl_vat: 10, incl_vat: 10.7 }, true]);
    const shown = await call<{ vat_rate: string; versions: Array<{ version: number }> }>(p, 'GET', `/tariffs/${id}`, { token: partner.token });
    assert.deepEqual([shown.body.vat_rate, shown.body.versions.map((v) => v.version)], ['7', [1, 2]]);
  });

  it('assigns to stations in scope and as the default; deletion is refused while in use', async () => {
    assert.equal((await call(p, 'PUT', '/stations/NOPE/tariff', { token: billing.token, body: { tariff_id: Number(id) } })).status, 404);
    assert.equal((await call(p, 'PUT', '/stations/TARIFF-ST/tariff', { token: other.token, body: { tariff_id: Number(id) } })).status, 404, 'a station outside the caller\'s groups');
    assert.equal((await call(p, 'PUT', '/stations/TARIFF-ST/tariff', { token: billing.token, body: { tariff_id: 999999 } })).status, 404);
    assert.equal((await call(p, 'PUT', '/stations/TARIFF-ST/tariff', { token: billing.token, body: { tariff_id: Number(id) } })).status, 204);
    assert.equal((await p.services.tariffs.forStation('TARIFF-ST'))?.name, 'Night & peak');
    assert.deepEqual((await call<{ stations: string[] }>(p, 'GET', `/tariffs/${id}`, { token: billing.token })).body.stations, ['TARIFF-ST']);
    assert.deepEqual((await call<{ stations: string[] }>(p, 'GET', `/tariffs/${id}`, { token: other.token })).body.stations, [], 'stations out of scope are not shown');
    assert.equal((await call(p, 'DELETE', `/tariffs/${id}`, { token: billing.token })).status, 409);
    assert.equal((await call(p, 'DELETE', '/stations/TARIFF-ST/tariff', { token: billing.token })).status, 204);
    assert.equal(await p.services.tariffs.forStation('TARIFF-ST'), undefined);
    assert.equal((await call(p, 'POST', `/tariffs/${id}/default`, { token: billing.token })).status, 204);
    assert.equal((await p.services.tariffs.forStation('TARIFF-ST'))?.name, 'Night & peak', 'the default applies to stations without their own');
    assert.equal((await call(p, 'DELETE', `/tariffs/${id}`, { token: billing.token })).status, 409, 'the default is in use');
    assert.equal((await call(p, 'POST', '/tariffs/999999/default', { token: billing.token })).status, 404);

    const spare = await call<{ id: string }>(p, 'POST', '/tariffs', { token: billing.token, body: { name: 'Spare', ...nightAndPeak } });
    assert.equal((await call(p, 'DELETE', `/tariffs/${spare.body.id}`, { token: billing.token })).status, 204);
    assert.equal((await call(p, 'GET', `/tariffs/${spare.body.id}`, { token: billing.token })).status, 404);
    assert.equal((await call(p, 'DELETE', `/tariffs/${spare.body.id}`, { token: billing.token })).status, 404);
  });

  it('answers 404 for the cost of an unknown transaction', async () => {
    assert.equal((await call(p, 'GET', '/transactions/999999/cost', { token: billing.token })).status, 404);
  });
});
