import assert from 'node:assert/strict';
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBackup, restoreBackup, verifyBackup } from '../../src/ops/backup/backup.js';
import { listBackups, pruneBackups } from '../../src/ops/backup/manifest.js';
import { rowCounts, tableChecksums } from '../../src/ops/backup/table-counts.js';
import { openStore, SecurityEventRepo, TokenRepo } from '../../src/store/index.js';
import { backends, type OpenedStore } from '../helpers/db.js';

for (const backend of backends) {
  describe(`backups on ${backend.name}`, () => {
    let s: OpenedStore;
    let dir: string;
    const scratch: OpenedStore[] = [];
    before(async () => {
      s = await backend.open();
      dir = await mkdtemp(join(tmpdir(), 'ov2x-backups-'));
      const tokens = new TokenRepo(s.store.db);
      const events = new SecurityEventRepo(s.store.db);
      for (let i = 0; i < 25; i++) await tokens.upsert({ idToken: `BK-${i}`, status: i % 3 ? 'Accepted' : 'Blocked' });
      for (let i = 0; i < 7; i++) await events.record({ type: 'AuthFailed', severity: 'high', details: { n: i } });
    });
    after(async () => {
      for (const o of scratch) await o.cleanup();
      await s?.cleanup();
      await rm(dir, { recursive: true, force: true });
    });

    it('creates a backup with a manifest (checksum, row counts, schema version), files 0600, that verifies', async () => {
      const b = await createBackup(s.store, s.target!, dir);
      assert.equal(b.store, backend.name);
      assert.match(b.sha256, /^[0-9a-f]{64}$/);
      assert.equal(b.rowCounts.id_tokens, 25);
      assert.equal(b.rowCounts.security_events, 7);
      assert.deepEqual(b.rowCounts, await rowCounts(s.store.db));
      assert.match(b.schemaVersion ?? '', /^\d{4}_/);
      for (const f of [b.dumpPath, b.manifestPath]) assert.equal((await stat(f)).mode & 0o777, 0o600, f);
      assert.equal((await stat(dir)).mode & 0o077, 0);
      assert.deepEqual(await verifyBackup(b.manifestPath), { ok: true, file: b.file, problems: [] });
      const deep = await verifyBackup(b.manifestPath, { deep: true, ...(s.target!.databaseUrl && { databaseUrl: s.target!.databaseUrl }) });
      assert.deepEqual(deep.problems, []);
      assert.deepEqual(deep.restoredRowCounts, b.rowCounts);
    });

    it('fails verification (and refuses to restore) after one byte of the dump changed', async () => {
      const b = await createBackup(s.store, s.target!, dir);
      const fh = await open(b.dumpPath, 'r+');
      try {
        const at = Math.floor(b.bytes / 2);
        const one = Buffer.alloc(1);
        await fh.read(one, 0, 1, at);
        one[0] = one[0]! ^ 0x01;
        await fh.write(one, 0, 1, at);
      } finally {
        await fh.close();
      }
      const r = await verifyBackup(b.manifestPath);
      assert.equal(r.ok, false);
      assert.deepEqual(r.problems, ['SHA-256 checksum does not match the manifest']);
      const fresh = await freshTarget();
      await assert.rejects(restoreBackup(b.manifestPath, fresh), /failed its integrity check/);
    });

    it('restores into a fresh database with equal row counts and table checksums, and refuses a non-empty target without --force', async () => {
      const b = await createBackup(s.store, s.target!, dir);
      const fresh = await freshTarget();
      const r = await restoreBackup(b.manifestPath, fresh);
      assert.deepEqual(r.differences, []);
      assert.deepEqual(r.rowCounts, b.rowCounts);
      const restored = await openStore({ ...fresh, pgliteWorker: false });
      try {
        assert.deepEqual(await tableChecksums(restored.db), await tableChecksums(s.store.db));
        assert.equal((await new TokenRepo(restored.db).get('BK-3'))?.status, 'Blocked');
      } finally {
        await restored.close();
      }
      await assert.rejects(restoreBackup(b.manifestPath, fresh), /not empty|holds a database/);
      const forced = await restoreBackup(b.manifestPath, fresh, { force: true });
      assert.deepEqual(forced.differences, []);
    });

    it('keeps only the newest backups (retention by count) and lists them newest first', async () => {
      const before = (await listBackups(dir)).backups;
      assert.ok(before.length >= 3);
      const removed = await pruneBackups(dir, 2);
      assert.equal(removed.length, before.length - 2);
      const { backups, problems } = await listBackups(dir);
      assert.deepEqual(problems, []);
      assert.deepEqual(backups.map((b) => b.file), before.slice(0, 2).map((b) => b.file));
      await assert.rejects(readFile(before.at(-1)!.dumpPath), /ENOENT/);
    });

    /** PostgreSQL: an empty throw-away database; PGlite: an empty folder. */
    async function freshTarget(): Promise<{ databaseUrl?: string; dataDir: string }> {
      if (backend.name === 'pglite') {
        const dataDir = await mkdtemp(join(tmpdir(), 'ov2x-restore-'));
        scratch.push({ store: s.store, cleanup: () => rm(dataDir, { recursive: true, force: true }) });
        return { dataDir };
      }
      const o = await backend.open({ migrate: false });
      await o.store.close();
      scratch.push({ ...o, cleanup: () => o.cleanup().catch(() => undefined) });
      return o.target!;
    }
  });
}
