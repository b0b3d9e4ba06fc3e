import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { haversineM } from '../../src/domain/locations/geo.js';
import { apiUser, call, type ApiUser } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

interface Location { id: string; groupId: string | null; coordinates: { latitude: number; longitude: number }; distanceM: number | null; [k: string]: unknown }
interface Evse { stationId: string; evseId: number; uid: string; status: string; connectors: { connectorId: number; standard: string; status: string; ocppStatus: string | null }[] }
interface Detail extends Location { stationIds: string[]; evses: Evse[] }
interface Page<T> { items: T[]; total: number }

const base = { address: 'Stationsplein 1', city: 'Amsterdam', country: 'NLD', timeZone: 'Europe/Amsterdam' };
const at = (latitude: number, longitude: number) => ({ coordinates: { latitude, longitude } });
const t2 = { connectorId: 1, standard: 'IEC_62196_T2', format: 'SOCKET', powerType: 'AC_3_PHASE', maxVoltage: 400, maxAmperage: 32, maxElectricPower: 22_000 };

describe('Locations API', () => {
  let p: TestPlatform;
  let admin: ApiUser;
  let managerA: ApiUser;
  let managerB: ApiUser;
  let readerA: ApiUser;

  const create = async (u: ApiUser, body: Record<string, unknown>): Promise<Location> => {
    const r = await call<Location>(p, 'POST', '/locations', { token: u.token, body });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };
  const list = async (u: ApiUser, query: string) => {
    const r = await call<Page<Location>>(p, 'GET', `/locations?${query}`, { token: u.token });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  before(async () => {
    p = await startTestPlatform();
    for (const g of ['A', 'B', 'geo']) await p.services.identity.stationGroups.create(g, `group ${g}`);
    for (const [id, g] of [['LOC-A1', 'A'], ['LOC-A2', 'A'], ['LOC-A3', 'A'], ['LOC-B1', 'B']] as const) {
      await p.addStation(id);
      await p.services.identity.stationGroups.assign(id, g);
    }
    admin = await apiUser(p, ['admin']);
    managerA = await apiUser(p, ['cpo_manager'], { groups: ['A'] });
    managerB = await apiUser(p, ['cpo_manager'], { groups: ['B'] });
    readerA = await apiUser(p, ['support_l1'], { groups: ['A'] });
  });
  after(() => p?.stop());

  it('creates a location with OCPI fields and reads it back with its EVSEs, connectors and live status', async () => {
    const created = await create(managerA, {
      ...base, ...at(52.3791, 4.9003), groupId: 'A', name: 'Centraal', postalCode: '1012AB', parkingType: 'PARKING_GARAGE',
      operatorName: 'OV2X Charging', ownerName: 'City', facilities: ['TRAIN_STATION', 'WIFI'], publish: true,
      openingTimes: { twentyfourseven: false, regularHours: [{ weekday: 1, periodBegin: '07:00', periodEnd: '22:00' }], exceptionalClosings: [{ periodBegin: '2026-12-25T00:00:00Z', periodEnd: '2026-12-26T00:00:00Z' }] },
    });
    assert.match(created.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(created.coordinates, { latitude: 52.3791, longitude: 4.9003 });
    assert.equal(created.timeZone, 'Europe/Amsterdam');
    assert.equal((await call(p, 'PUT', `/locations/${created.id}/stations/LOC-A1`, { token: managerA.token })).status, 204);
    const evse = await call<Omit<Evse, 'connectors'> & { connectors: { connectorId: number; standard: string; powerType: string }[] }>(p, 'PUT', '/stations/LOC-A1/evses/1', {
      token: managerA.token,
      body: { emi3Id: 'NL*OVX*E0001', physicalReference: '1A', capabilities: ['RFID_READER', 'REMOTE_START_STOP_CAPABLE'], connectors: [t2, { ...t2, connectorId: 2, standard: 'IEC_62196_T2_COMBO', format: 'CABLE', powerType: 'DC', maxVoltage: 920, maxAmperage: 200, maxElectricPower: 150_000 }] },
    });
    assert.equal(evse.status, 200, JSON.stringify(evse.body));
    assert.deepEqual(evse.body.connectors.map((c) => [c.connectorId, c.standard, c.powerType]), [[1, 'IEC_62196_T2', 'AC_3_PHASE'], [2, 'IEC_62196_T2_COMBO', 'DC']]);

    await p.services.stations.statusChanged({ stationId: 'LOC-A1', evseId: 1, connectorId: 2, status: 'Charging', at: new Date() });
    const d = await call<Detail>(p, 'GET', `/locations/${created.id}`, { token: readerA.token });
    assert.equal(d.status, 200);
    assert.deepEqual(d.body.stationIds, ['LOC-A1']);
    assert.equal(d.body.evses.length, 1);
    assert.equal(d.body.evses[0]!.uid, evse.body.uid);
    assert.equal(d.body.evses[0]!.status, 'CHARGING', 'one charging connector makes the EVSE busy');
    assert.deepEqual(d.body.evses[0]!.connectors.map((c) => [c.connectorId, c.status, c.ocppStatus]), [[1, 'UNKNOWN', null], [2, 'CHARGING', 'Charging']]);
    assert.equal((d.body.openingTimes as { regularHours: unknown[] }).regularHours.length, 1);

    // redefining keeps the uid and drops connectors left out
    const again = await call<Evse>(p, 'PUT', '/stations/LOC-A1/evses/1', { token: managerA.token, body: { connectors: [t2] } });
    assert.equal(again.body.uid, evse.body.uid);
    assert.deepEqual(again.body.connectors.map((c) => c.connectorId), [1]);
    // an EVSE uid is unique across the CPO
    const dup = await call(p, 'PUT', '/stations/LOC-A2/evses/1', { token: managerA.token, body: { uid: evse.body.uid, connectors: [t2] } });
    assert.equal(dup.status, 409);
  });

  it('keeps each group\'s locations to its own managers: another group gets 404, never 403', async () => {
    const a = await create(managerA, { ...base, ...at(52.0, 5.0), groupId: 'A' });
    for (const [method, path, body] of [
      ['GET', `/locations/${a.id}`, undefined],
      ['PATCH', `/locations/${a.id}`, { name: 'taken over' }],
      ['DELETE', `/locations/${a.id}`, undefined],
      ['PUT', `/locations/${a.id}/stations/LOC-B1`, undefined],
    ] as const) {
      const r = await call(p, method, path, { token: managerB.token, body });
      assert.equal(r.status, 404, `${method} ${path}`);
    }
    assert.ok(!(await list(managerB, 'limit=500')).items.some((l) => l.id === a.id));
    assert.ok((await list(managerA, 'limit=500')).items.some((l) => l.id === a.id));
    // a scoped manager cannot place a location in another group or outside every group
    assert.equal((await call(p, 'POST', '/locations', { token: managerA.token, body: { ...base, ...at(1, 1), groupId: 'B' } })).status, 403);
    assert.equal((await call(p, 'POST', '/locations', { token: managerA.token, body: { ...base, ...at(1, 1) } })).status, 403);
    // its stations are out of reach too (the station scope check answers first)
    assert.equal((await call(p, 'PUT', `/locations/${a.id}/stations/LOC-B1`, { token: managerA.token })).status, 404);
    assert.equal((await call(p, 'PUT', '/stations/LOC-B1/evses/1', { token: managerA.token, body: { connectors: [t2] } })).status, 404);
    // even an unscoped admin cannot put a station of group B at a location of group A
    const mismatch = await call(p, 'PUT', `/locations/${a.id}/stations/LOC-B1`, { token: admin.token });
    assert.equal(mismatch.status, 422);
    assert.equal((mismatch.body as { code: string }).code, 'group_mismatch');
    // read-only roles read but do not write
    assert.equal((await call(p, 'GET', `/locations/${a.id}`, { token: readerA.token })).status, 200);
    assert.equal((await call(p, 'PATCH', `/locations/${a.id}`, { token: readerA.token, body: { name: 'x' } })).status, 403);
  });

  it('refuses bad coordinates, countries, time zones and opening hours with a reason', async () => {
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ ...base, ...at(91, 4) }, 400, /latitude/],
      [{ ...base, ...at(52, -180.5) }, 400, /longitude/],
      [{ ...base, ...at(52, 4), country: 'NL' }, 400, /country/],
      [{ ...base, ...at(52, 4), country: 'XYZ' }, 422, /country: not an ISO 3166-1 alpha-3 code/],
      [{ ...base, ...at(52, 4), timeZone: 'Mars/Olympus_Mons' }, 422, /timeZone/],
      [{ ...base, ...at(52, 4), timeZone: '+01:00' }, 422, /timeZone/],
      [{ ...base, ...at(52, 4), openingTimes: { twentyfourseven: true, regularHours: [{ weekday: 2, periodBegin: '08:00', periodEnd: '18:00' }] } }, 422, /twentyfourseven/],
      [{ ...base, ...at(52, 4), openingTimes: { twentyfourseven: false, regularHours: [{ weekday: 2, periodBegin: '18:00', periodEnd: '08:00' }] } }, 422, /later than periodBegin/],
      [{ ...base, ...at(52, 4), openingTimes: { twentyfourseven: false, regularHours: [{ weekday: 8, periodBegin: '08:00', periodEnd: '18:00' }] } }, 400, /weekday/],
      [{ ...base, ...at(52, 4), facilities: ['CASINO'] }, 400, /facilities/],
      [{ ...base, ...at(52, 4), address: 'x'.repeat(46) }, 400, /address/],
    ];
    for (const [body, status, reason] of cases) {
      const r = await call(p, 'POST', '/locations', { token: admin.token, body });
      assert.equal(r.status, status, JSON.stringify(body));
      assert.match(JSON.stringify(r.body), reason);
    }
    const ok = await create(admin, { ...base, ...at(52, 4), timeZone: 'europe/amsterdam' });
    assert.equal(ok.timeZone, 'Europe/Amsterdam', 'stored in the canonical spelling');
    assert.equal((await call(p, 'PATCH', `/locations/${ok.id}`, { token: admin.token, body: { timeZone: 'Nowhere/City' } })).status, 422);
    assert.equal((await call(p, 'PATCH', `/locations/${ok.id}`, { token: admin.token, body: {} })).status, 400);
    const evseBad: [Record<string, unknown>, number][] = [
      [{ connectors: [{ ...t2, standard: 'SCHUKO' }] }, 400],
      [{ connectors: [{ ...t2, powerType: 'AC' }] }, 400],
      [{ connectors: [] }, 400],
      [{ connectors: [t2, t2] }, 422],
      [{ emi3Id: 'not an evse id', connectors: [t2] }, 400],
    ];
    for (const [body, status] of evseBad) assert.equal((await call(p, 'PUT', '/stations/LOC-A3/evses/1', { token: admin.token, body })).status, status, JSON.stringify(body));
    for (const q of ['near=91,0', 'near=52', 'radiusM=100', 'bbox=1,2,3', 'bbox=10,0,5,1', 'near=52,4&radiusM=-5']) {
      assert.equal((await call(p, 'GET', `/locations?${q}`, { token: admin.token })).status, 400, q);
    }
  });

  it('searches by distance (nearest first, within the radius) and by bounding box, across the antimeridian too', async () => {
    const centre = { lat: 52.3791, lon: 4.9003 };
    const places = {
      dam: [52.3731, 4.8926], schiphol: [52.3105, 4.7683], utrecht: [52.0894, 5.11], rotterdam: [51.9244, 4.4777],
      suva: [-18.1416, 178.4419], apia: [-13.8333, -171.7667], centraal: [52.3791, 4.9003],
    } as const;
    const ids = new Map<string, string>();
    for (const [name, [lat, lon]] of Object.entries(places)) ids.set((await create(admin, { ...base, ...at(lat, lon), groupId: 'geo', name })).id, name);
    const names = (items: Location[]) => items.map((l) => ids.get(l.id));

    const near = await list(admin, `groupId=geo&near=${centre.lat},${centre.lon}&radiusM=20000`);
    assert.deepEqual(names(near.items), ['centraal', 'dam', 'schiphol']);
    assert.equal(near.total, 3);
    for (const l of near.items) {
      const expected = haversineM(centre, { lat: l.coordinates.latitude, lon: l.coordinates.longitude });
      assert.ok(Math.abs(l.distanceM! - expected) < 1, `${l.distanceM} vs ${expected}`);
    }
    assert.deepEqual(names((await list(admin, `groupId=geo&near=${centre.lat},${centre.lon}&radiusM=60000&order=desc`)).items), ['rotterdam', 'utrecht', 'schiphol', 'dam', 'centraal']);
    // without a radius every location comes back, nearest first, and pages keep that order
    const page2 = await list(admin, `groupId=geo&near=${centre.lat},${centre.lon}&limit=2&offset=2`);
    assert.deepEqual(names(page2.items), ['schiphol', 'utrecht']);
    assert.equal(page2.total, 7);
    // a box narrows a radius search
    assert.deepEqual(names((await list(admin, `groupId=geo&near=${centre.lat},${centre.lon}&radiusM=60000&bbox=52.2,4.0,53,5.0`)).items), ['centraal', 'dam', 'schiphol']);
    assert.deepEqual(names((await list(admin, 'groupId=geo&bbox=51.9,4.4,52.2,5.2&sort=name')).items), ['rotterdam', 'utrecht']);
    assert.deepEqual(names((await list(admin, 'groupId=geo&bbox=-20,170,-10,-170&sort=name')).items), ['apia', 'suva']);
    // near Suva, Apia (across the date line) is closer than Amsterdam
    assert.deepEqual(names((await list(admin, 'groupId=geo&near=-18,179.9&radiusM=1500000')).items), ['suva', 'apia']);
  });

  it('filters on availability as the live connector status changes', async () => {
    const l = await create(managerA, { ...base, ...at(48.8566, 2.3522), country: 'FRA', timeZone: 'Europe/Paris', groupId: 'A', name: 'avail' });
    assert.equal((await call(p, 'PUT', `/locations/${l.id}/stations/LOC-A3`, { token: managerA.token })).status, 204);
    assert.equal((await call(p, 'PUT', '/stations/LOC-A3/evses/1', { token: managerA.token, body: { connectors: [t2, { ...t2, connectorId: 2 }] } })).status, 200);
    const available = async () => (await list(managerA, 'available=true&near=48.8566,2.3522&radiusM=1000')).items.map((x) => x.id);
    const status = async () => (await call<Detail>(p, 'GET', `/locations/${l.id}`, { token: managerA.token })).body.evses[0]!.status;
    assert.deepEqual(await available(), [], 'no status reported yet');
    assert.equal(await status(), 'UNKNOWN');

    const report = (connectorId: number, s: string) => p.services.stations.statusChanged({ stationId: 'LOC-A3', evseId: 1, connectorId, status: s, at: new Date() });
    await report(1, 'Available');
    await report(2, 'Available');
    assert.deepEqual(await available(), [l.id]);
    assert.equal(await status(), 'AVAILABLE');
    await report(2, 'Charging');
    assert.deepEqual(await available(), [], 'a charging connector takes its whole EVSE');
    assert.equal(await status(), 'CHARGING');
    await report(2, 'Faulted');
    assert.deepEqual(await available(), [l.id], 'a broken connector does not stop the other');
    await report(1, 'Unavailable');
    assert.deepEqual(await available(), []);
    assert.equal(await status(), 'OUTOFORDER');
    await report(1, 'Reserved');
    assert.equal(await status(), 'RESERVED');
    // OCPP 1.6 reports the whole charge point as connector 0: faulted there, every EVSE is out of order
    await p.services.stations.statusChanged({ stationId: 'LOC-A3', evseId: 0, connectorId: 0, status: 'Faulted', at: new Date() });
    await report(1, 'Available');
    assert.equal(await status(), 'OUTOFORDER');
    assert.deepEqual(await available(), []);
  });

  it('deletes a location only after its stations are detached, explicitly', async () => {
    const l = await create(managerA, { ...base, ...at(50, 5), groupId: 'A' });
    assert.equal((await call(p, 'PUT', `/locations/${l.id}/stations/LOC-A2`, { token: managerA.token })).status, 204);
    const refused = await call(p, 'DELETE', `/locations/${l.id}`, { token: managerA.token });
    assert.equal(refused.status, 409);
    // nor may it change group under its stations
    assert.equal((await call(p, 'PATCH', `/locations/${l.id}`, { token: admin.token, body: { groupId: 'B' } })).status, 409);
    assert.equal((await call(p, 'DELETE', `/locations/${l.id}/stations/LOC-A1`, { token: managerA.token })).status, 404, 'LOC-A1 stands elsewhere');
    assert.equal((await call(p, 'DELETE', `/locations/${l.id}/stations/LOC-A2`, { token: managerA.token })).status, 204);
    assert.deepEqual((await call<Detail>(p, 'GET', `/locations/${l.id}`, { token: managerA.token })).body.stationIds, []);
    assert.equal((await call(p, 'DELETE', `/locations/${l.id}`, { token: managerA.token })).status, 204);
    assert.equal((await call(p, 'GET', `/locations/${l.id}`, { token: managerA.token })).status, 404);
    // every change is audited, the attachment under station/location
    const audited = async (target: string) => (await call<Page<{ action: string; result: string }>>(p, 'GET', `/audit?target=${encodeURIComponent(target)}&sort=at`, { token: admin.token })).body.items.map((a) => `${a.action}:${a.result}`);
    assert.deepEqual(await audited(l.id), ['location.delete:failure', 'location.update:failure', 'location.delete:success']);
    assert.deepEqual(await audited(`LOC-A2/${l.id}`), ['location.attach:success', 'location.detach:success']);
  });

  it('documents the routes in OpenAPI with the OCPI enumerations', async () => {
    const doc = await call<{ paths: Record<string, Record<string, unknown>> }>(p, 'GET', '/openapi.json');
    assert.equal(doc.status, 200);
    for (const [path, methods] of Object.entries({
      '/api/v1/locations': ['get', 'post'], '/api/v1/locations/{id}': ['get', 'patch', 'delete'],
      '/api/v1/locations/{id}/stations/{stationId}': ['put', 'delete'], '/api/v1/stations/{stationId}/evses/{evseId}': ['put', 'delete'],
    })) assert.deepEqual(Object.keys(doc.body.paths[path] ?? {}).sort(), [...methods].sort(), path);
    const text = JSON.stringify(doc.body.paths['/api/v1/stations/{stationId}/evses/{evseId}']);
    for (const v of ['IEC_62196_T2_COMBO', 'AC_3_PHASE', 'CABLE', 'REMOTE_START_STOP_CAPABLE']) assert.ok(text.includes(v), v);
    assert.ok(JSON.stringify(doc.body.paths['/api/v1/locations/{id}']).includes('OUTOFORDER'));
  });

  it('stops showing a station through a location once it moves to another group', async () => {
    const l = await create(admin, { ...base, ...at(49, 6), groupId: 'A' });
    await p.addStation('LOC-MOVE');
    await p.services.identity.stationGroups.assign('LOC-MOVE', 'A');
    assert.equal((await call(p, 'PUT', `/locations/${l.id}/stations/LOC-MOVE`, { token: admin.token })).status, 204);
    assert.equal((await call(p, 'PUT', '/stations/LOC-MOVE/evses/1', { token: admin.token, body: { connectors: [t2] } })).status, 200);
    await p.services.stations.statusChanged({ stationId: 'LOC-MOVE', evseId: 1, connectorId: 1, status: 'Available', at: new Date() });
    assert.deepEqual((await list(managerA, 'available=true&near=49,6&radiusM=10')).items.map((x) => x.id), [l.id]);
    assert.equal((await call(p, 'PUT', '/stations/LOC-MOVE/group', { token: admin.token, body: { groupId: 'B' } })).status, 204);
    const d = await call<Detail>(p, 'GET', `/locations/${l.id}`, { token: managerA.token });
    assert.deepEqual([d.body.stationIds, d.body.evses], [[], []]);
    assert.deepEqual((await list(managerA, 'available=true&near=49,6&radiusM=10')).items, []);
    // and the location can go without a detach the old group could not even see to do
    assert.equal((await call(p, 'DELETE', `/locations/${l.id}`, { token: managerA.token })).status, 204);
  });

  it('removes EVSE definitions with the EVSE and with the station', async () => {
    const l = await create(admin, { ...base, ...at(51, 5), groupId: 'A' });
    await p.addStation('LOC-GONE');
    await p.services.identity.stationGroups.assign('LOC-GONE', 'A');
    assert.equal((await call(p, 'PUT', `/locations/${l.id}/stations/LOC-GONE`, { token: admin.token })).status, 204);
    for (const e of [1, 2]) assert.equal((await call(p, 'PUT', `/stations/LOC-GONE/evses/${e}`, { token: admin.token, body: { connectors: [t2] } })).status, 200);
    assert.equal((await call(p, 'DELETE', '/stations/LOC-GONE/evses/2', { token: admin.token })).status, 204);
    assert.equal((await call(p, 'DELETE', '/stations/LOC-GONE/evses/2', { token: admin.token })).status, 404);
    assert.deepEqual((await call<Detail>(p, 'GET', `/locations/${l.id}`, { token: admin.token })).body.evses.map((e) => e.evseId), [1]);
    // decommissioning the station takes its EVSEs along; the location stays
    assert.equal((await call(p, 'DELETE', '/stations/LOC-GONE', { token: admin.token })).status, 204);
    const d = await call<Detail>(p, 'GET', `/locations/${l.id}`, { token: admin.token });
    assert.deepEqual([d.status, d.body.stationIds, d.body.evses], [200, [], []]);
  });
});
