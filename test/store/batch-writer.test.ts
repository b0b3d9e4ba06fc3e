import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { BatchUpdater, BatchWriter } from '../../src/store/index.js';
import { backends, type OpenedStore } from '../helpers/db.js';

interface Row {
  id: number;
  note: string | null;
  payload: unknown;
  at: Date | null;
  flag: boolean | null;
}

const columns = [
  { name: 'id', pgType: 'int4' },
  { name: 'note', pgType: 'text' },
  { name: 'payload', pgType: 'jsonb' },
  { name: 'at', pgType: 'timestamptz' },
  { name: 'flag', pgType: 'boolean' },
] as const;

const row = (id: number, extra: Partial<Row> = {}): Row => ({
  id,
  note: `n${id}`,
  payload: null,
  at: null,
  flag: null,
  ...extra,
});

for (const backend of backends) {
  describe(`BatchWriter on ${backend.name}`, () => {
    let s: OpenedStore;
    const writer = (opts: { maxBatch?: number; flushMs?: number } = {}) =>
      new BatchWriter<Row>(s.store.db, { table: 'bw_rows', columns, ...opts });
    const ids = async () =>
      (await sql<{ id: number }>`select id from bw_rows order by id`.execute(s.store.db)).rows.map((r) => r.id);

    before(async () => {
      s = await backend.open({ migrate: false });
      await sql`create table bw_rows (id int primary key, note text, payload jsonb, at timestamptz, flag boolean,
        created timestamptz not null default now())`.execute(s.store.db);
    });
    after(() => s?.cleanup());
    beforeEach(async () => {
      await sql`truncate bw_rows`.execute(s.store.db);
    });

    it('groups concurrent adds into one statement per maxBatch rows', async () => {
      const w = writer({ maxBatch: 100, flushMs: 5 });
      await Promise.all(Array.from({ length: 250 }, (_, i) => w.add(row(i))));
      assert.equal(w.stats.flushes, 3);
      assert.equal(w.stats.rows, 250);
      assert.equal((await ids()).length, 250);
      await w.close();
    });

    it('flushes a small batch after flushMs without an explicit flush', async () => {
      const w = writer({ flushMs: 5 });
      await Promise.all([w.add(row(1)), w.add(row(2)), w.add(row(3))]);
      assert.deepEqual(w.stats, { flushes: 1, failedFlushes: 0, rows: 3 });
      assert.deepEqual(await ids(), [1, 2, 3]);
      await w.close();
    });

    it('resolves add() only after the row is committed', async () => {
      const w = writer({ flushMs: 60_000 });
      let done = false;
      const p = w.add(row(7)).then(() => (done = true));
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(done, false);
      assert.deepEqual(await ids(), []);
      await w.flush();
      await p;
      assert.deepEqual(await ids(), [7]);
      await w.close();
    });

    it('rejects every row of a failed batch and still writes rows that arrive during it', async () => {
      const w = writer({ flushMs: 60_000 });
      const failed = [w.add(row(1)), w.add(row(1))]; // duplicate key fails the statement
      const flushing = w.flush();
      const later = w.add(row(2)); // arrives while the failing flush is in flight
      const settled = await Promise.allSettled([...failed, later]);
      await flushing;
      assert.deepEqual(
        settled.map((r) => r.status),
        ['rejected', 'rejected', 'fulfilled'],
      );
      const reason = (settled[0] as PromiseRejectedResult).reason as { code?: string };
      assert.equal(reason.code, '23505');
      assert.deepEqual(await ids(), [2]);
      assert.deepEqual(w.stats, { flushes: 1, failedFlushes: 1, rows: 1 });
      await w.close();
    });

    it('round-trips jsonb (arrays, quotes, backslashes), timestamps, booleans and nulls', async () => {
      const w = writer();
      const payload = [{ a: 'x"y\\z', b: [1, null, { c: '{,}' }] }, 'ünï ⚡'];
      const at = new Date('2024-02-29T23:59:59.123Z');
      await Promise.all([
        w.add(row(1, { payload, at, flag: true, note: '' })),
        w.add(row(2, { flag: false, note: null })),
      ]);
      const { rows } = await sql<Row>`select id, note, payload, at, flag from bw_rows order by id`.execute(s.store.db);
      assert.deepEqual(rows, [
        { id: 1, note: '', payload, at, flag: true },
        { id: 2, note: null, payload: null, at: null, flag: false },
      ]);
      await w.close();
    });

    it('close() drains pending rows and refuses new ones', async () => {
      const w = writer({ flushMs: 60_000 });
      const p = w.add(row(5));
      await w.close();
      await p;
      assert.deepEqual(await ids(), [5]);
      await assert.rejects(w.add(row(6)), /closed/);
    });

    it('BatchUpdater applies many keyed updates in one statement, last update of a key winning', async () => {
      const w = writer();
      await Promise.all([1, 2, 3].map((id) => w.add(row(id))));
      await w.close();
      const u = new BatchUpdater<Pick<Row, 'id' | 'note' | 'flag'>>(s.store.db, {
        table: 'bw_rows',
        key: { name: 'id', pgType: 'int4' },
        columns: [
          { name: 'note', pgType: 'text' },
          { name: 'flag', pgType: 'boolean' },
        ],
        flushMs: 5,
      });
      await Promise.all([
        u.add({ id: 1, note: 'first', flag: true }),
        u.add({ id: 3, note: 'three', flag: false }),
        u.add({ id: 1, note: 'second', flag: false }),
        u.add({ id: 99, note: 'no such row', flag: null }),
      ]);
      assert.deepEqual(u.stats, { flushes: 1, failedFlushes: 0, rows: 4 });
      const { rows } = await sql<Row>`select id, note, flag from bw_rows order by id`.execute(s.store.db);
      assert.deepEqual(rows, [
        { id: 1, note: 'second', flag: false },
        { id: 2, note: 'n2', flag: null },
        { id: 3, note: 'three', flag: false },
      ]);
      await u.close();
    });

    it('rejects column types that are not plain type names', () => {
      assert.throws(
        () =>
          new BatchWriter<Row>(s.store.db, {
            table: 'bw_rows',
            columns: [{ name: 'id', pgType: 'int4); drop table x; --' }],
          }),
        /unsupported column type/,
      );
    });
  });
}
