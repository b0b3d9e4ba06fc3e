// Migration 0027 chains the security events recorded before it (oldest first) so the whole log
// verifies from genesis, on PGlite and PostgreSQL; the ECS JSON-lines sink writes what it is given.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { migrations, SecurityEventRepo } from '../../src/store/index.js';
import { FileSink } from '../../src/security/siem/file-sink.js';
import { SiemExporter } from '../../src/security/siem/exporter.js';
import { backends, type OpenedStore } from '../helpers/db.js';

for (const backend of backends) {
  describe(`migration 0027 on ${backend.name}`, () => {
    let s: OpenedStore;
    before(async () => {
      s = await backend.open({ migrate: false });
    });
    after(() => s?.cleanup());

    it('chains the rows already there, then new records follow the chain', async () => {
      const at = migrations.findIndex((m) => m.name === '0027_security_log_chain');
      for (const m of migrations.slice(0, at)) await m.migration.up(s.store.db as Kysely<unknown>);
      for (let i = 0; i < 4; i++) {
        await sql`insert into security_events (occurred_at, station_id, type, severity, details, origin) values (now() - make_interval(days => ${10 - i}), ${`OLD-${i}`}, 'InvalidMessages', 'warning', ${JSON.stringify({ i, z: { b: 2, a: 1 } })}::jsonb, 'station')`.execute(s.store.db);
      }
      await migrations[at]!.migration.up(s.store.db as Kysely<unknown>);
      const repo = new SecurityEventRepo(s.store.db);
      assert.deepEqual(await repo.head().then((h) => h.seq), 4);
      await repo.record({ type: 'AfterMigration', severity: 'info', details: {} });
      const r = await repo.verify();
      assert.equal(r.ok, true, JSON.stringify(r.broken));
      assert.equal(r.checked, 5);
    });
  });
}

interface EcsLine {
  '@timestamp': string;
  event: { sequence: number; kind: string };
  observer: Record<string, string>;
  user?: { name: string; roles: string[] };
  source?: { ip: string };
  ov2x: { chain: { prev_hash: string; hash: string } };
}

describe('ECS JSON-lines sink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ov2x-siem-file-'));
  let s: OpenedStore;
  before(async () => {
    s = await backends[0]!.open();
  });
  after(async () => {
    await s?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends one ECS document per event, in chain order, resuming at its cursor', async () => {
    const repo = new SecurityEventRepo(s.store.db);
    await repo.record({ stationId: 'CS-1', origin: 'station', type: 'InvalidTLSVersion', severity: 'high', actor: 'CS-1', actorRole: 'station', description: 'InvalidTLSVersion reported by station CS-1', node: 'n1', details: {} });
    await repo.record({ type: 'AccessDenied', severity: 'warning', sourceIp: '203.0.113.5', actor: 'key:7', actorRole: 'dso', description: 'denied', node: 'n1', details: {} });
    const file = join(dir, 'security.ndjson');
    const exporter = new SiemExporter(repo, [new FileSink(file)], { intervalMs: 1000, maxLag: 1000 });
    await exporter.pump();
    await repo.record({ type: 'RoleChanged', severity: 'warning', actor: 'user:1', actorRole: 'admin', details: {} });
    await exporter.pump();
    await exporter.stop();
    const docs = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EcsLine);
    assert.deepEqual(docs.map((d) => d.event.sequence), [1, 2, 3]);
    assert.equal(docs[0]!['@timestamp'].length, 24);
    assert.deepEqual(docs[0]!.observer, { type: 'charging-station', name: 'CS-1' });
    assert.deepEqual(docs[1]!.observer, { type: 'csms', hostname: 'n1' });
    assert.deepEqual(docs[1]!.user, { name: 'key:7', roles: ['dso'] });
    assert.equal(docs[1]!.source?.ip, '203.0.113.5');
    assert.equal(docs[0]!.event.kind, 'alert');
    assert.equal(docs[2]!.ov2x.chain.prev_hash, docs[1]!.ov2x.chain.hash);
  });
});
