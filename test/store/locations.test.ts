import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConnectorRepo, DuplicateError, InUseError, LocationRepo, StationRepo, type LocationInput } from '../../src/store/index.js';
import { StationGroupRepo } from '../../src/store/repos/station-groups.js';
import { availableOcppStatuses, busyOcppStatuses, stationDownOcppStatuses } from '../../src/domain/locations/status.js';
import { boundingBox, haversineM } from '../../src/domain/locations/geo.js';
import { backends, type OpenedStore } from '../helpers/db.js';

const loc = (groupId: string | null, latitude: number, longitude: number, name: string): LocationInput => ({
  groupId, name, address: 'Main St 1', city: 'Town', postalCode: null, state: null, country: 'NLD', latitude, longitude,
  timeZone: 'Europe/Amsterdam', openingTimes: { twentyfourseven: true }, parkingType: null, operatorName: null, ownerName: null,
  facilities: ['WIFI'], publish: true,
});
const t2 = { connectorId: 1, standard: 'IEC_62196_T2', format: 'SOCKET', powerType: 'AC_3_PHASE', maxVoltage: 400, maxAmperage: 32, maxElectricPower: null };
const page = { limit: 50, offset: 0 };

for (const backend of backends) {
  describe(`LocationRepo on ${backend.name}`, () => {
    let s: OpenedStore;
    let repo: LocationRepo;
    let connectors: ConnectorRepo;
    before(async () => {
      s = await backend.open();
      repo = new LocationRepo(s.store.db);
      connectors = new ConnectorRepo(s.store.db);
      const groups = new StationGroupRepo(s.store.db);
      await groups.create('g', 'G');
      await groups.create('h', 'H');
      const stations = new StationRepo(s.store.db);
      for (const id of ['S-1', 'S-2']) {
        await stations.create({ id, passwordHash: null });
        await groups.assign(id, 'g');
      }
    });
    after(() => s?.cleanup());

    it('stores and reads back numbers, JSON and defaults; updates only what it is given', async () => {
      const l = await repo.create('L-1', loc('g', 52.123456789, -4.5, 'one'));
      assert.equal(l.latitude, 52.123456789);
      assert.equal(l.longitude, -4.5);
      assert.deepEqual(l.openingTimes, { twentyfourseven: true });
      assert.deepEqual(l.facilities, ['WIFI']);
      assert.equal(l.publish, true);
      const u = await repo.update('L-1', { name: 'renamed', openingTimes: null });
      assert.equal(u?.name, 'renamed');
      assert.equal(u?.openingTimes, null);
      assert.equal(u?.latitude, 52.123456789);
      assert.ok(u!.updatedAt >= l.updatedAt);
      assert.equal(await repo.update('NOPE', { name: 'x' }), undefined);
    });

    it('refuses coordinates out of range even past the API', async () => {
      await assert.rejects(repo.create('L-BAD', loc('g', 90.5, 0, 'bad')), /check/i);
      await assert.rejects(repo.create('L-BAD', loc('g', 0, 181, 'bad')), /check/i);
    });

    it('searches by radius sorted by haversine distance, by box (wrapping the antimeridian) and by scope', async () => {
      const pts: [string, string, number, number][] = [['N-0', 'g', 10, 10], ['N-1', 'g', 10.01, 10], ['N-2', 'g', 10.05, 10.05], ['N-3', 'h', 10.02, 10], ['N-FAR', 'g', 11, 10], ['W-E', 'g', 0, 179.5], ['W-W', 'g', 0, -179.5]];
      for (const [id, g, lat, lon] of pts) await repo.create(id, loc(g, lat, lon, id));
      const centre = { lat: 10, lon: 10 };
      const r = await repo.search({ groups: null, near: centre, radiusM: 10_000, bbox: boundingBox(centre, 10_000), ...page });
      assert.deepEqual(r.items.map((l) => l.id), ['N-0', 'N-1', 'N-3', 'N-2']);
      assert.equal(r.total, 4);
      for (const l of r.items) assert.ok(Math.abs(l.distanceM! - haversineM(centre, { lat: l.latitude, lon: l.longitude })) < 0.01);
      const scoped = await repo.search({ groups: ['g'], near: centre, radiusM: 10_000, ...page });
      assert.deepEqual(scoped.items.map((l) => l.id), ['N-0', 'N-1', 'N-2']);
      assert.deepEqual((await repo.search({ groups: [], ...page })).items, []);
      const wrap = await repo.search({ groups: null, bbox: { minLat: -1, minLon: 179, maxLat: 1, maxLon: -179 }, sort: 'id', ...page });
      assert.deepEqual(wrap.items.map((l) => l.id), ['W-E', 'W-W']);
      assert.equal(wrap.items[0]!.distanceM, null);
      // every sortable column sorts (camelCase names reach SQL as snake_case columns)
      for (const sort of ['id', 'name', 'city', 'createdAt', 'updatedAt'] as const) {
        const sorted = await repo.search({ groups: ['g'], bbox: { minLat: 9, minLon: 9, maxLat: 11, maxLon: 11 }, sort, order: 'desc', ...page });
        assert.equal(sorted.items.length, 4, sort);
      }
      const newest = await repo.search({ groups: null, sort: 'createdAt', order: 'desc', limit: 1, offset: 0 });
      assert.equal(newest.items[0]!.id, 'W-W');
    });

    it('finds available locations by the live status of their EVSEs', async () => {
      await repo.create('A-1', loc('g', 30, 30, 'avail'));
      assert.ok(await repo.attach('S-1', 'A-1'));
      await repo.putEvse('S-1', 1, { uid: 'U-1', emi3Id: null, physicalReference: null, floorLevel: null, capabilities: [], connectors: [t2, { ...t2, connectorId: 2 }] });
      const write = connectors.statusWriter({ flushMs: 1 });
      const available = async () => (await repo.search({ groups: null, bbox: { minLat: 29, minLon: 29, maxLat: 31, maxLon: 31 }, available: { available: availableOcppStatuses, busy: busyOcppStatuses, stationDown: stationDownOcppStatuses }, ...page })).items.map((l) => l.id);
      let t = Date.now();
      const report = (c: number, status: string) => write({ stationId: 'S-1', evseId: 1, connectorId: c, status, statusAt: new Date(++t) });
      assert.deepEqual(await available(), []);
      await report(1, 'Available');
      assert.deepEqual(await available(), ['A-1']);
      await report(2, 'SuspendedEV');
      assert.deepEqual(await available(), []);
      await report(2, 'Faulted');
      assert.deepEqual(await available(), ['A-1']);
      // a status of an EVSE with no definition does not count
      await write({ stationId: 'S-1', evseId: 7, connectorId: 1, status: 'Available', statusAt: new Date(++t) });
      // the whole station (1.6 connector 0) unavailable: none of its EVSEs is
      await write({ stationId: 'S-1', evseId: 0, connectorId: 0, status: 'Unavailable', statusAt: new Date(++t) });
      assert.deepEqual(await available(), []);
      await write({ stationId: 'S-1', evseId: 0, connectorId: 0, status: 'Available', statusAt: new Date(++t) });
      assert.deepEqual(await available(), ['A-1']);
      await report(1, 'Reserved');
      assert.deepEqual(await available(), []);
      await write.close();
      const eq = await repo.equipment('A-1');
      assert.deepEqual(eq.stationIds, ['S-1']);
      assert.deepEqual(eq.connectors.map((c) => c.connectorId), [1, 2]);
      assert.equal(eq.live.length, 4);
    });

    it('replaces an EVSE definition atomically and keeps uids unique', async () => {
      const first = await repo.putEvse('S-2', 1, { uid: 'U-2', emi3Id: 'NL*OVX*E2', physicalReference: 'P', floorLevel: '-1', capabilities: ['RESERVABLE'], connectors: [t2, { ...t2, connectorId: 2 }] });
      assert.deepEqual(first.evse.capabilities, ['RESERVABLE']);
      const second = await repo.putEvse('S-2', 1, { uid: 'U-2', emi3Id: null, physicalReference: null, floorLevel: null, capabilities: [], connectors: [{ ...t2, connectorId: 3, maxElectricPower: 11_000 }] });
      assert.deepEqual(second.connectors.map((c) => [c.connectorId, c.maxElectricPower]), [[3, 11_000]]);
      await assert.rejects(repo.putEvse('S-2', 2, { uid: 'U-1', emi3Id: null, physicalReference: null, floorLevel: null, capabilities: [], connectors: [t2] }), DuplicateError);
      // a failed definition leaves nothing half-written
      assert.equal(await repo.getEvse('S-2', 2), undefined);
      // two connectors with one id fail the whole transaction: the previous definition stays
      await assert.rejects(repo.putEvse('S-2', 1, { uid: 'U-2', emi3Id: null, physicalReference: null, floorLevel: null, capabilities: [], connectors: [t2, t2] }));
      const eq = await repo.equipment('NONE');
      assert.deepEqual(eq, { stationIds: [], evses: [], connectors: [], live: [], decommissioned: [] });
      assert.ok(await repo.attach('S-2', 'A-1'));
      assert.deepEqual((await repo.equipment('A-1')).connectors.filter((c) => c.stationId === 'S-2').map((c) => c.connectorId), [3]);
    });

    it('refuses to delete a location with stations; station removal takes its EVSEs along', async () => {
      await assert.rejects(repo.remove('A-1'), InUseError);
      assert.ok(await repo.attach('S-2', null));
      assert.deepEqual(await repo.stationLocation('S-2'), { locationId: null, groupId: 'g' });
      assert.equal(await new StationRepo(s.store.db).remove('S-1'), true);
      assert.deepEqual(await repo.equipment('A-1'), { stationIds: [], evses: [], connectors: [], live: [], decommissioned: [] });
      assert.equal(await repo.getEvse('S-1', 1), undefined);
      assert.equal(await repo.remove('A-1'), true);
      assert.equal(await repo.remove('A-1'), false);
      assert.equal(await repo.removeEvse('S-2', 1), true);
      assert.equal(await repo.removeEvse('S-2', 1), false);
    });
  });
}
