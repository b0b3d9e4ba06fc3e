// Retention (issue 6, G4): each data class loses exactly what is past its age, in bounded batches,
// on PGlite and PostgreSQL; accounting records stay; a second pass (or a second node) finds nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { RetentionService } from '../../src/domain/privacy/retention.js';
import { RetentionRepo } from '../../src/store/repos/retention.js';
import { StationRepo } from '../../src/store/index.js';
import { backends, type OpenedStore } from '../helpers/db.js';

const day = 86_400_000;
const now = new Date('2026-06-01T00:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * day);
const count = async (s: OpenedStore, table: string, where = sql`true`): Promise<number> =>
  (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${where}`.execute(s.store.db)).rows[0]!.n;

for (const backend of backends) {
  describe(`retention on ${backend.name}`, () => {
    let s: OpenedStore;
    before(async () => {
      s = await backend.open();
      const db = s.store.db;
      await new StationRepo(db).create({ id: 'RET-1', passwordHash: null });
      await db.insertInto('idTokens').values({ idToken: null, pseudonym: 'tok_knownknownknown', uidIndex: 'ix', uidEncrypted: 'box', status: 'Accepted' }).execute();
      // 25 old and 5 recent rows of each age-keyed class
      for (let i = 0; i < 30; i++) {
        const at = i < 25 ? ago(500 + i) : ago(i - 25);
        await db.insertInto('meterValues').values({ stationId: 'RET-1', transactionId: null, evseId: 1, sampledAt: at, context: null, sampledValue: '[]' }).execute();
        await db.insertInto('statusHistory').values({ stationId: 'RET-1', evseId: 1, connectorId: 1, status: 'Available', errorCode: null, info: null, statusAt: at }).execute();
        await sql`insert into security_events (occurred_at, station_id, type, severity) values (${at}, 'RET-1', 'Test', 'info')`.execute(db);
        await sql`insert into station_commands (station_id, kind, command, status, created_at) values ('RET-1', 'reset', '{}', ${i === 0 ? 'Pending' : 'Accepted'}, ${at})`.execute(db);
      }
      // ended transactions: an old one of a known token, an old one of an unknown card, a 40-day-old unknown one, a recent one; one active
      const tx = async (id: number, token: string | null, endedDaysAgo: number | null) => sql`insert into transactions (id, station_id, transaction_ref, protocol, id_token, state, started_at, ended_at)
        values (${id}, 'RET-1', ${String(id)}, 'ocpp2.0.1', ${token}, ${endedDaysAgo === null ? 'active' : 'ended'}, ${ago((endedDaysAgo ?? 0) + 1)}, ${endedDaysAgo === null ? null : ago(endedDaysAgo)})`.execute(db);
      await tx(9001, 'tok_knownknownknown', 1200);
      await tx(9002, 'tok_strangerstrange', 1300);
      await tx(9003, 'tok_strangerstrange', 40);
      await tx(9004, 'tok_strangerstrange', 10);
      await tx(9005, 'tok_knownknownknown', null);
      await db.insertInto('meterValues').values({ stationId: 'RET-1', transactionId: 9001, evseId: 1, sampledAt: ago(10), context: null, sampledValue: '[]' }).execute();
    });
    after(() => s?.cleanup());

    it('deletes exactly what is past its age, batch by batch, and records each class', async () => {
      const repo = new RetentionRepo(s.store.db);
      const svc = new RetentionService(repo, {
        policy: { unknownTokenAttempts: 30, meterValues: 400, endedTransactions: 1095, statusHistory: 90, securityEvents: 365, commandJournal: 180 },
        batch: 10, maxBatches: 2, intervalS: 0,
      });
      const first = await svc.run(now);
      const by = Object.fromEntries(first.map((r) => [r.dataClass, r]));
      // 25 old rows, 2 batches of 10 per pass: 20 now, the rest next pass
      assert.deepEqual([by.meterValues!.deleted, by.meterValues!.complete], [20, false]);
      assert.deepEqual([by.statusHistory!.deleted, by.securityEvents!.deleted], [20, 20]);
      assert.equal(by.commandJournal!.deleted, 20);
      assert.deepEqual([by.endedTransactions!.deleted, by.endedTransactions!.complete], [2, true]);
      assert.equal(by.unknownTokenAttempts!.deleted, 2, 'the stranger\'s pseudonym on the 1300- and 40-day-old ones');
      const second = await svc.run(now);
      const by2 = Object.fromEntries(second.map((r) => [r.dataClass, r]));
      assert.deepEqual([by2.meterValues!.deleted, by2.meterValues!.complete], [5, true]);
      assert.equal(by2.commandJournal!.deleted, 4, 'the pending command stays');
      // what is left is exactly what is younger than its age
      assert.equal(await count(s, 'meter_values'), 5, 'the 5 recent ones; the old transaction\'s recent value went with it');
      assert.equal(await count(s, 'status_history'), 5);
      assert.equal(await count(s, 'security_events'), 5);
      assert.equal(await count(s, 'station_commands'), 6);
      assert.deepEqual((await s.store.db.selectFrom('transactions').select(['id', 'idToken']).orderBy('id').execute()).map((t) => [Number(t.id), t.idToken]),
        [[9003, null], [9004, 'tok_strangerstrange'], [9005, 'tok_knownknownknown']]);
      // idempotent: a third pass (another node) finds nothing
      assert.ok((await svc.run(now)).every((r) => r.deleted === 0 && r.complete));
      const latest = await repo.latest();
      assert.equal(latest.length, 6);
      assert.ok(latest.every((r) => r.deleted === 0));
    });
  });
}
