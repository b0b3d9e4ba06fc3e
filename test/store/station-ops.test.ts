import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CdrRepo } from '../../src/store/repos/cdrs.js';
import { ConnectorRepo } from '../../src/store/repos/connectors.js';
import { LocationRepo } from '../../src/store/repos/locations.js';
import { PasswordRotationRepo } from '../../src/store/repos/password-rotations.js';
import { StationGroupRepo } from '../../src/store/repos/station-groups.js';
import { StationOpsRepo } from '../../src/store/repos/station-ops.js';
import { StationRepo } from '../../src/store/repos/stations.js';
import { cdrLocationOf } from '../../src/domain/cdrs/location.js';
import { backends, type OpenedStore } from '../helpers/db.js';

const t2 = { connectorId: 1, standard: 'IEC_62196_T2', format: 'SOCKET', powerType: 'AC_3_PHASE', maxVoltage: 400, maxAmperage: 32, maxElectricPower: null };
const T0 = Date.parse('2026-03-01T10:00:00Z');
const at = (min: number) => new Date(T0 + min * 60_000);

for (const backend of backends) {
  describe(`StationOpsRepo on ${backend.name}`, () => {
    let s: OpenedStore;
    let repo: StationOpsRepo;
    let stations: StationRepo;
    before(async () => {
      s = await backend.open();
      repo = new StationOpsRepo(s.store.db);
      stations = new StationRepo(s.store.db);
      const groups = new StationGroupRepo(s.store.db);
      await groups.create('g', 'G');
      await groups.create('h', 'H');
      for (const [id, g] of [['S-1', 'g'], ['S-2', 'h'], ['S-3', 'g']] as const) {
        await stations.create({ id, passwordHash: `hash-${id}` });
        await groups.assign(id, g);
      }
    });
    after(() => s?.cleanup());

    it('decommissions once (credentials and open rotations wiped) and recommissions with a new hash', async () => {
      await new PasswordRotationRepo(s.store.db).request('S-1', 'test', 'pending-hash', 'sealed');
      const at1 = new Date('2026-04-01T00:00:00Z');
      const d = await repo.decommission('S-1', at1);
      assert.deepEqual([d?.decommissionedAt?.toISOString(), d?.passwordHash, d?.pendingPasswordHash], [at1.toISOString(), null, null]);
      const rotation = await s.store.db.selectFrom('passwordRotations').selectAll().where('stationId', '=', 'S-1').executeTakeFirstOrThrow();
      assert.deepEqual([rotation.status, rotation.sealedPassword], ['Superseded', null]);
      assert.equal(await repo.decommission('S-1', new Date()), undefined, 'the first decommissioning stays');
      assert.equal(await repo.decommission('NOPE', new Date()), undefined);
      assert.deepEqual((await stations.search({ limit: 10, offset: 0, groups: null, decommissioned: true })).items.map((x) => x.id), ['S-1']);
      assert.equal(await repo.recommission('S-3', 'new'), undefined, 'S-3 is in service');
      const r = await repo.recommission('S-1', 'new-hash', 2);
      assert.deepEqual([r?.decommissionedAt, r?.passwordHash, r?.securityProfile], [null, 'new-hash', 2]);
    });

    it('pages and filters the status history; faults are error codes other than NoError or Faulted', async () => {
      const write = new ConnectorRepo(s.store.db).statusWriter();
      const reports: Array<[number, string, number, string | undefined]> = [[1, 'Available', 0, undefined], [2, 'Faulted', 1, undefined], [1, 'Charging', 2, 'OtherError'], [2, 'Available', 3, undefined]];
      for (const [evseId, status, min, errorCode] of reports) await write({ stationId: 'S-3', evseId, connectorId: 1, status, errorCode, statusAt: at(min) });
      await write.close();
      const all = await repo.statusHistory({ stationId: 'S-3', limit: 2, offset: 0 });
      assert.equal(all.total, 4);
      assert.deepEqual(all.items.map((r) => r.statusAt.getTime()), [at(3).getTime(), at(2).getTime()]);
      const evse2 = await repo.statusHistory({ stationId: 'S-3', evseId: 2, order: 'asc', limit: 10, offset: 0 });
      assert.deepEqual(evse2.items.map((r) => r.status), ['Faulted', 'Available']);
      const window = await repo.statusHistory({ stationId: 'S-3', from: at(1), to: at(3), limit: 10, offset: 0 });
      assert.deepEqual(window.items.map((r) => r.status), ['Charging', 'Faulted']);
      assert.deepEqual((await repo.faults('S-3', 10)).map((r) => [r.status, r.errorCode]), [['Charging', 'OtherError'], ['Faulted', null]]);
    });

    it('locates a connector in the location model only at a location of the station\'s own group', async () => {
      const locations = new LocationRepo(s.store.db);
      const base = { name: null, address: 'Main St 1', city: 'Town', postalCode: '1234', state: null, country: 'NLD', latitude: 52.1, longitude: 4.25, timeZone: 'Europe/Amsterdam', openingTimes: null, parkingType: null, operatorName: null, ownerName: null, facilities: [], publish: true };
      await locations.create('L-G', { ...base, groupId: 'g' });
      await locations.create('L-H', { ...base, groupId: 'h' });
      await locations.attach('S-3', 'L-G');
      await locations.putEvse('S-3', 1, { uid: 'EVSE-UID-1', emi3Id: 'NL*OVX*E1', physicalReference: null, floorLevel: null, capabilities: [], connectors: [t2] });
      const c = await repo.locate('S-3', 1, 1);
      assert.deepEqual(cdrLocationOf(c!), {
        id: 'L-G', address: 'Main St 1', city: 'Town', postal_code: '1234', country: 'NLD', coordinates: { latitude: '52.100000', longitude: '4.250000' },
        evse_uid: 'EVSE-UID-1', evse_id: 'NL*OVX*E1', connector_id: '1', connector_standard: 'IEC_62196_T2', connector_format: 'SOCKET', connector_power_type: 'AC_3_PHASE',
      });
      assert.equal((await repo.locate('S-3', 1, null))?.connectorId, 1, 'the only connector of the EVSE');
      const undefinedEvse = await repo.locate('S-3', 7, 1);
      assert.deepEqual([undefinedEvse?.locationId, undefinedEvse?.evseUid, undefinedEvse?.connectorId], ['L-G', null, null]);
      // a station attached to another group's location does not stand there (as in the locations API)
      await locations.attach('S-2', 'L-G');
      assert.equal(await repo.locate('S-2', 1, 1), undefined);
      assert.equal(await repo.locate('NOPE', 1, 1), undefined);
    });

    it('stores the CdrLocation with the CDR, and a station with CDRs is known to have them', async () => {
      const cdrs = new CdrRepo(s.store.db);
      assert.equal(await repo.hasCdrs('S-3'), false);
      const location = cdrLocationOf((await repo.locate('S-3', 1, 1))!);
      const row = await cdrs.insertOnce({
        transactionId: 4711, creditOf: null, creditReason: null, stationId: 'S-3', evseId: 1, connectorId: 1, sessionId: 's', protocol: 'ocpp1.6',
        startDateTime: at(0), endDateTime: at(1), tokenUid: null, tokenType: 'ISO14443', authMethod: 'WHITELIST', currency: null, tariff: null,
        chargingPeriods: '[]', energyImportWh: 0, energyExportWh: 0, totalTimeMs: 0, parkingTimeMs: 0, costExclVatMinor: 0, costInclVatMinor: 0,
        exportCreditExclVatMinor: null, exportCreditInclVatMinor: null, cdrLocation: JSON.stringify(location),
      });
      assert.deepEqual((await cdrs.get(row!.id))?.cdrLocation, location);
      assert.equal(await repo.hasCdrs('S-3'), true);
    });
  });
}
