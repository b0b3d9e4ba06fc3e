import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest, migrations } from '../../src/store/index.js';
import { backends, type OpenedStore } from '../helpers/db.js';

describe('migration list', () => {
  it('names are unique and listed in ascending order', () => {
    const names = migrations.map((m) => m.name);
    assert.deepEqual(names, [...new Set(names)].sort());
  });
});

for (const backend of backends) {
  describe(`migrations on ${backend.name}`, () => {
    let s: OpenedStore;
    before(async () => {
      s = await backend.open({ migrate: false });
    });
    after(() => s?.cleanup());

    it('applies every migration once, then nothing', async () => {
      const first = await migrateToLatest(s.store.db);
      assert.deepEqual(
        first.applied,
        migrations.map((m) => m.name),
      );
      const second = await migrateToLatest(s.store.db);
      assert.deepEqual(second.applied, []);
    });

    it('creates the core tables', async () => {
      const { rows } = await sql<{ tableName: string }>`
        select table_name from information_schema.tables where table_schema = 'public'`.execute(s.store.db);
      const tables = new Set(rows.map((r) => r.tableName));
      for (const t of [
        'stations',
        'connectors',
        'status_history',
        'id_tokens',
        'transactions',
        'meter_values',
        'security_events',
      ]) {
        assert.ok(tables.has(t), `missing table ${t}`);
      }
    });
  });
}
