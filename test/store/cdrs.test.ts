import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { CdrRepo } from '../../src/store/repos/cdrs.js';
import { StationGroupRepo } from '../../src/store/repos/station-groups.js';
import { StationRepo } from '../../src/store/index.js';
import type { NewCdr } from '../../src/store/schema.js';
import { backends, type OpenedStore } from '../helpers/db.js';

const cdr = (transactionId: number | null, extra: Partial<NewCdr> = {}): NewCdr => ({
  transactionId, creditOf: null, creditReason: null, stationId: 'CS-CDR', evseId: 1, connectorId: 1, sessionId: String(transactionId), protocol: 'ocpp1.6',
  startDateTime: new Date('2026-01-01T10:00:00Z'), endDateTime: new Date('2026-01-01T11:00:00Z'), tokenUid: 'pseudonym', tokenType: 'RFID', authMethod: 'AUTH_REQUEST',
  currency: 'EUR', tariff: null, chargingPeriods: '[]', energyImportWh: 1000, energyExportWh: 0, totalTimeMs: 3_600_000, parkingTimeMs: 0,
  costExclVatMinor: 100, costInclVatMinor: 119, exportCreditExclVatMinor: null, exportCreditInclVatMinor: null, ...extra,
});

for (const backend of backends) {
  describe(`CdrRepo and migration 0018 on ${backend.name}`, () => {
    let s: OpenedStore;
    let repo: CdrRepo;
    before(async () => {
      s = await backend.open();
      repo = new CdrRepo(s.store.db);
      await new StationRepo(s.store.db).create({ id: 'CS-CDR', passwordHash: null });
      await s.store.db.insertInto('stationGroups').values({ id: 'g1', name: 'G1' }).execute();
      await new StationGroupRepo(s.store.db).assign('CS-CDR', 'g1');
    });
    after(() => s?.cleanup());

    it('keeps one CDR per transaction and one credit per CDR', async () => {
      const first = await repo.insertOnce(cdr(1));
      assert.ok(first);
      assert.equal(await repo.insertOnce(cdr(1, { costInclVatMinor: 999 })), undefined);
      assert.equal((await repo.byTransaction(1))?.costInclVatMinor, 119);
      const credit = await repo.insertCredit(cdr(null, { creditOf: first.id, creditReason: 'r', costExclVatMinor: -100, costInclVatMinor: -119 }));
      assert.equal(credit?.creditOf, first.id);
      assert.equal(await repo.insertCredit(cdr(null, { creditOf: first.id, creditReason: 'again' })), undefined);
      assert.equal((await repo.creditOf(first.id))?.id, credit?.id);
    });

    it('refuses UPDATE, DELETE and TRUNCATE of cdrs in the database itself', async () => {
      const row = (await repo.byTransaction(1))!;
      await assert.rejects(s.store.db.updateTable('cdrs').set({ costInclVatMinor: 0 }).where('id', '=', row.id).execute(), /immutable/);
      await assert.rejects(s.store.db.deleteFrom('cdrs').execute(), /immutable/);
      await assert.rejects(sql`TRUNCATE cdrs CASCADE`.execute(s.store.db), /immutable/);
      assert.equal((await repo.get(row.id))?.costInclVatMinor, 119);
    });

    it('searches by time window, station and station-group scope', async () => {
      await repo.insertOnce(cdr(2, { startDateTime: new Date('2026-02-01T10:00:00Z'), endDateTime: new Date('2026-02-01T11:00:00Z') }));
      const all = await repo.search({ limit: 10, offset: 0, groups: null });
      assert.equal(all.total, 3);
      const feb = await repo.search({ limit: 10, offset: 0, groups: null, from: new Date('2026-02-01T00:00:00Z') });
      assert.deepEqual(feb.items.map((r) => r.transactionId), [2]);
      const jan = await repo.search({ limit: 10, offset: 0, groups: null, to: new Date('2026-02-01T00:00:00Z'), sort: 'startDateTime', order: 'desc' });
      assert.equal(jan.total, 2);
      assert.equal((await repo.search({ limit: 10, offset: 0, groups: ['g1'] })).total, 3);
      assert.equal((await repo.search({ limit: 10, offset: 0, groups: ['g2'] })).total, 0);
      assert.equal((await repo.search({ limit: 10, offset: 0, groups: [] })).total, 0);
      assert.equal((await repo.search({ limit: 10, offset: 0, groups: null, stationId: 'OTHER' })).total, 0);
      const paged = await repo.search({ limit: 1, offset: 1, groups: null });
      assert.deepEqual([paged.items.length, paged.total], [1, 3]);
    });

    it('keeps the first tariff snapshot of a transaction, and "no tariff" as one', async () => {
      const t = { id: 7, name: 'A', currency: 'EUR', pricePerKwh: '0.30', pricePerMinute: '0', startFee: '0', vatRate: '19', v2gPricePerKwh: null };
      await repo.saveSnapshot(10, t, new Date());
      await repo.saveSnapshot(10, { ...t, pricePerKwh: '9.99' }, new Date());
      assert.deepEqual(await repo.snapshot(10), { tariff: t });
      await repo.saveSnapshot(11, null, new Date());
      assert.deepEqual(await repo.snapshot(11), { tariff: null });
      assert.equal(await repo.snapshot(12), undefined);
    });
  });
}
