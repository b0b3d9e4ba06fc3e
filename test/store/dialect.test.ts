// Behaviour the PGlite driver must share with node-postgres.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { isUniqueViolation, StationRepo } from '../../src/store/index.js';
import { backends, type OpenedStore } from '../helpers/db.js';

for (const backend of backends) {
  describe(`driver on ${backend.name}`, () => {
    let s: OpenedStore;
    before(async () => {
      s = await backend.open();
    });
    after(() => s?.cleanup());

    it('reports affected rows for insert, update and delete', async () => {
      const db = s.store.db;
      const ins = await db
        .insertInto('idTokens')
        .values([
          { idToken: 'A', status: 'Accepted' },
          { idToken: 'B', status: 'Accepted' },
        ])
        .executeTakeFirst();
      assert.equal(ins.numInsertedOrUpdatedRows, 2n);
      const upd = await db.updateTable('idTokens').set({ status: 'Blocked' }).executeTakeFirst();
      assert.equal(upd.numUpdatedRows, 2n);
      const del = await db.deleteFrom('idTokens').where('idToken', '=', 'A').executeTakeFirst();
      assert.equal(del.numDeletedRows, 1n);
    });

    it('keeps a concurrent query out of an open transaction', async () => {
      const db = s.store.db;
      const stations = new StationRepo(db);
      let outside: Promise<unknown> | undefined;
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await new StationRepo(trx).create({ id: 'CS-TX-ROLLED-BACK', passwordHash: null });
          // Issued on the root handle while the transaction is open: on PGlite's
          // single session this must wait, not join the transaction.
          outside = stations.create({ id: 'CS-TX-OUTSIDE', passwordHash: null });
          await new Promise((r) => setTimeout(r, 20));
          throw new Error('roll back');
        }),
        /roll back/,
      );
      await outside;
      assert.equal(await stations.get('CS-TX-ROLLED-BACK'), undefined);
      assert.ok(await stations.get('CS-TX-OUTSIDE'));
    });

    it('supports savepoints in controlled transactions', async () => {
      const db = s.store.db;
      const trx = await db.startTransaction().execute();
      await trx.insertInto('idTokens').values({ idToken: 'SP-1', status: 'Accepted' }).execute();
      const sp = await trx.savepoint('before_second').execute();
      await sp.insertInto('idTokens').values({ idToken: 'SP-2', status: 'Accepted' }).execute();
      const back = await sp.rollbackToSavepoint('before_second').execute();
      await back.commit().execute();
      const { rows } = await sql<{
        idToken: string;
      }>`select id_token from id_tokens where id_token like 'SP-%'`.execute(db);
      assert.deepEqual(
        rows.map((r) => r.idToken),
        ['SP-1'],
      );
    });

    it('a failing statement rejects with its SQLSTATE and the session keeps serving', async () => {
      const db = s.store.db;
      await db.insertInto('idTokens').values({ idToken: 'DUP-1', status: 'Accepted' }).execute();
      const err = await db.insertInto('idTokens').values({ idToken: 'DUP-1', status: 'Accepted' }).execute().catch((e: unknown) => e);
      assert.ok(isUniqueViolation(err), `expected a unique violation, got ${String(err)}`);
      const row = await db.selectFrom('idTokens').select('status').where('idToken', '=', 'DUP-1').executeTakeFirst();
      assert.equal(row?.status, 'Accepted');
      const when = await sql<{ at: Date; n: number }>`select now() as at, 2::int8 as n`.execute(db);
      assert.ok(when.rows[0]?.at instanceof Date, 'timestamps arrive as Date');
      assert.equal(when.rows[0]?.n, 2);
    });
  });
}
