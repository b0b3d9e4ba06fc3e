// Repositories of migration 0004 on both back ends: reservations, local list state, who closed a transaction.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { differential } from '../../src/domain/local-auth/local-auth-list-service.js';
import { LocalAuthListRepo, ReservationRepo, StationRepo, TransactionRepo } from '../../src/store/index.js';
import { backends, type OpenedStore } from '../helpers/db.js';

for (const backend of backends) {
  describe(`reservations, local lists and closed_by on ${backend.name}`, () => {
    let s: OpenedStore;
    let reservations: ReservationRepo;
    let lists: LocalAuthListRepo;
    let txs: TransactionRepo;
    before(async () => {
      s = await backend.open();
      reservations = new ReservationRepo(s.store.db);
      lists = new LocalAuthListRepo(s.store.db);
      txs = new TransactionRepo(s.store.db);
      const stations = new StationRepo(s.store.db);
      for (const id of ['RS-1', 'RS-2']) await stations.create({ id, passwordHash: null });
    });
    after(() => s?.cleanup());

    it('creates Pending reservations with distinct integer ids and moves them only from allowed statuses', async () => {
      const a = await reservations.create({ stationId: 'RS-1', evseId: null, idToken: 'T', expiresAt: new Date(Date.now() + 60_000) });
      const b = await reservations.create({ stationId: 'RS-1', evseId: 2, idToken: 'T', groupIdToken: 'G', expiresAt: new Date(Date.now() + 60_000) });
      assert.equal(a.status, 'Pending');
      assert.ok(Number.isInteger(a.id) && b.id > a.id);
      assert.equal((await reservations.transition('RS-1', a.id, 'Accepted', ['Pending']))?.status, 'Accepted');
      assert.equal(await reservations.transition('RS-1', a.id, 'Rejected', ['Pending']), undefined, 'a late answer cannot move it back');
      assert.equal(await reservations.transition('RS-2', a.id, 'Cancelled', ['Accepted']), undefined, 'another station cannot touch it');
      const used = await reservations.transition('RS-1', a.id, 'Used', ['Pending', 'Accepted'], 77);
      assert.deepEqual([used?.status, used?.transactionId], ['Used', 77]);
      assert.deepEqual((await reservations.list('RS-1')).map((r) => r.id), [b.id, a.id]);
    });

    it('expires only open reservations past their expiry', async () => {
      const past = await reservations.create({ stationId: 'RS-2', evseId: 1, idToken: 'T', expiresAt: new Date(Date.now() - 1000) });
      const future = await reservations.create({ stationId: 'RS-2', evseId: 1, idToken: 'T', expiresAt: new Date(Date.now() + 60_000) });
      const usedPast = await reservations.create({ stationId: 'RS-2', evseId: 1, idToken: 'T', expiresAt: new Date(Date.now() - 1000) });
      await reservations.transition('RS-2', usedPast.id, 'Used', ['Pending']);
      const expired = await reservations.expire(new Date(), 'RS-2');
      assert.deepEqual(expired.map((r) => r.id), [past.id]);
      assert.equal((await reservations.get('RS-2', future.id))?.status, 'Pending');
      assert.equal((await reservations.get('RS-2', usedPast.id))?.status, 'Used');
    });

    it('hands out strictly increasing list versions and changes the list only when accepted', async () => {
      const v1 = await lists.nextVersion('RS-1');
      const v2 = await lists.nextVersion('RS-1');
      assert.deepEqual([v1, v2], [1, 2]);
      await lists.recordSync('RS-1', 'Accepted', { version: v2, entries: [{ idToken: 'A', type: 'ISO14443', info: { status: 'Accepted' } }] });
      await lists.recordSync('RS-1', 'VersionMismatch');
      const state = await lists.get('RS-1');
      assert.deepEqual([state?.version, state?.lastStatus, state?.entries], [2, 'VersionMismatch', [{ idToken: 'A', type: 'ISO14443', info: { status: 'Accepted' } }]]);
      assert.equal(await lists.nextVersion('RS-1', 10), 11, 'never below a floor');
    });

    it('records who closed a transaction; only a platform-closed one takes the station\'s end data', async () => {
      const t = await txs.start({ stationId: 'RS-1', protocol: 'ocpp1.6', evseId: 1, connectorId: 1, idToken: 'T', startedAt: new Date(), meterStartWh: 0 });
      assert.equal((await txs.get(t.id))?.closedBy, null);
      await txs.end(t.id, { endedAt: new Date(), meterStopWh: 10, energyWh: 10, stopReason: 'StationRebooted', closedBy: 'csms' });
      assert.equal((await txs.get(t.id))?.closedBy, 'csms');
      assert.equal(await txs.replacePlatformEnd(t.id, { endedAt: new Date(), meterStopWh: 20, energyWh: 20, stopReason: 'Local' }), true);
      const row = await txs.get(t.id);
      assert.deepEqual([row?.closedBy, row?.meterStopWh, row?.stopReason], ['station', 20, 'Local']);
      assert.equal(await txs.replacePlatformEnd(t.id, { endedAt: new Date(), meterStopWh: 30, energyWh: 30, stopReason: 'Other' }), false);
    });
  });
}

describe('local list differential', () => {
  it('sends new and changed entries with info and removed ones without', () => {
    const held = [
      { idToken: 'KEEP', type: 'ISO14443', info: { status: 'Accepted' as const } },
      { idToken: 'CHANGE', type: 'ISO14443', info: { status: 'Accepted' as const } },
      { idToken: 'GONE', type: 'eMAID', info: { status: 'Accepted' as const } },
    ];
    const desired = [
      { idToken: 'CHANGE', type: 'ISO14443', info: { status: 'Blocked' as const } },
      { idToken: 'KEEP', type: 'ISO14443', info: { status: 'Accepted' as const } },
      { idToken: 'NEW', type: 'ISO14443', info: { status: 'Accepted' as const, groupIdToken: 'G' } },
    ];
    assert.deepEqual(differential(held, desired), [desired[0], desired[2], { idToken: 'GONE', type: 'eMAID' }]);
    assert.deepEqual(differential(desired, desired), []);
  });
});
