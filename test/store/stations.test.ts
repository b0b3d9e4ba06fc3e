import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuplicateError, InUseError, StationRepo, TransactionRepo } from '../../src/store/index.js';
import { backends, type OpenedStore } from '../helpers/db.js';

for (const backend of backends) {
  describe(`StationRepo on ${backend.name}`, () => {
    let s: OpenedStore;
    let stations: StationRepo;
    before(async () => {
      s = await backend.open();
      stations = new StationRepo(s.store.db);
    });
    after(() => s?.cleanup());

    it('creates with defaults and reads back', async () => {
      const created = await stations.create({ id: 'CS-1', passwordHash: 'hash-1' });
      assert.equal(created.securityProfile, 1);
      assert.equal(created.registrationStatus, 'Accepted');
      assert.deepEqual(await stations.get('CS-1'), created);
      assert.equal(await stations.get('CS-NOPE'), undefined);
    });

    it('throws DuplicateError for an existing id', async () => {
      await stations.create({ id: 'CS-DUP', passwordHash: null });
      await assert.rejects(stations.create({ id: 'CS-DUP', passwordHash: 'x' }), (err: unknown) => {
        assert.ok(err instanceof DuplicateError);
        assert.equal(err.key, 'CS-DUP');
        return true;
      });
    });

    it('rejects identities longer than 48 characters', async () => {
      await assert.rejects(stations.create({ id: 'x'.repeat(49), passwordHash: null }), /stations_id_length/);
    });

    it('lists in id order with limit and offset', async () => {
      for (const id of ['L-3', 'L-1', 'L-2']) await stations.create({ id, passwordHash: null });
      const page = await stations.list({ limit: 2, offset: 0 });
      assert.ok(page.length === 2 && page[0]!.id < page[1]!.id);
      const all = (await stations.list({ limit: 100 })).map((x) => x.id).filter((id) => id.startsWith('L-'));
      assert.deepEqual(all, ['L-1', 'L-2', 'L-3']);
    });

    it('records a boot notification', async () => {
      await stations.create({ id: 'CS-BOOT', passwordHash: null, registrationStatus: 'Pending' });
      const at = new Date('2025-01-02T03:04:05.000Z');
      assert.equal(
        await stations.recordBoot('CS-BOOT', {
          protocol: 'ocpp2.0.1',
          vendor: 'V',
          model: 'M',
          serialNumber: 'SN',
          firmwareVersion: '1.2',
          at,
        }),
        'Pending',
      );
      const st = await stations.get('CS-BOOT');
      assert.equal(st?.vendor, 'V');
      assert.equal(st?.firmwareVersion, '1.2');
      assert.equal(st?.iccid, null);
      assert.equal(st?.registrationStatus, 'Pending', 'a boot never changes the registration status');
      assert.equal(st?.lastBootAt?.toISOString(), at.toISOString());
      assert.equal(
        await stations.recordBoot('CS-NOPE', {
          protocol: 'p',
          vendor: 'v',
          model: 'm',
          at,
        }),
        undefined,
      );
    });

    it('touches many stations in one call and never moves last_seen_at back', async () => {
      await stations.create({ id: 'T-1', passwordHash: null });
      await stations.create({ id: 'T-2', passwordHash: null });
      const t1 = new Date('2025-05-05T10:00:00Z');
      const t0 = new Date('2025-05-05T09:00:00Z');
      assert.equal(await stations.touch(['T-1', 'T-2', 'T-unknown'], t1), 2);
      assert.equal(await stations.touch(['T-1'], t0), 0);
      assert.equal((await stations.get('T-1'))?.lastSeenAt?.toISOString(), t1.toISOString());
      assert.equal(await stations.touch([], t1), 0);
    });

    it('updates password hash and registration status', async () => {
      await stations.create({ id: 'CS-SET', passwordHash: 'old' });
      assert.equal(await stations.setPasswordHash('CS-SET', 'new'), true);
      assert.equal(await stations.setRegistrationStatus('CS-SET', 'Rejected'), true);
      const st = await stations.get('CS-SET');
      assert.equal(st?.passwordHash, 'new');
      assert.equal(st?.registrationStatus, 'Rejected');
      assert.equal(await stations.setPasswordHash('CS-NOPE', 'x'), false);
    });

    it('removes a station, but not one with transactions', async () => {
      await stations.create({ id: 'CS-RM', passwordHash: null });
      assert.equal(await stations.remove('CS-RM'), true);
      assert.equal(await stations.remove('CS-RM'), false);
      await stations.create({ id: 'CS-USED', passwordHash: null });
      await new TransactionRepo(s.store.db).start({
        stationId: 'CS-USED',
        protocol: 'ocpp1.6',
        evseId: 1,
        connectorId: 1,
        idToken: null,
        startedAt: new Date(),
        meterStartWh: 0,
      });
      await assert.rejects(stations.remove('CS-USED'), InUseError);
      assert.ok(await stations.get('CS-USED'));
    });
  });
}
