import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { backends } from '../helpers/db.js';

const MAIN = 'dist/src/cli/main.js';

describe('ov2x backup (embedded database)', () => {
  let root: string;
  const dataDir = () => join(root, 'data');
  const backupDir = () => join(root, 'backups');
  const run = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [MAIN, ...args], {
    env: { ...process.env, OV2X_DATA_DIR: dataDir(), OV2X_BACKUP_DIR: backupDir(), OV2X_LOG_LEVEL: 'silent', DATABASE_URL: '', ...env }, encoding: 'utf8', timeout: 120_000,
  });
  const json = (args: string[], env: Record<string, string> = {}) => {
    const r = run([...args, '--json'], env);
    assert.equal(r.status, 0, `ov2x ${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, '', 'no progress output with --json');
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'ov2x-cli-backup-'));
    json(['station', 'add', 'BK-1']);
    json(['token', 'add', 'BK-TAG']);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('create → list → verify → restore into a fresh folder; tamper → verify fails; non-empty target refused', () => {
    const b = json(['backup', 'create']) as { file: string; manifestPath: string; dumpPath: string; rowCounts: Record<string, number>; sha256: string };
    assert.equal(b.rowCounts.stations, 1);
    assert.equal(b.rowCounts.id_tokens, 1);
    assert.equal(statSync(b.dumpPath).mode & 0o777, 0o600);
    const listed = json(['backup', 'list']) as { backups: Array<{ file: string; sha256: string }> };
    assert.deepEqual(listed.backups.map((x) => [x.file, x.sha256]), [[b.file, b.sha256]]);
    assert.equal(json(['backup', 'verify', 'latest', '--deep']).ok, true);

    const fresh = join(root, 'restored');
    const r = json(['backup', 'restore', b.manifestPath], { OV2X_DATA_DIR: fresh }) as { rowCounts: Record<string, number>; differences: string[] };
    assert.deepEqual(r.differences, []);
    assert.deepEqual(r.rowCounts, b.rowCounts);
    // the restored folder serves: its station is there
    const shown = json(['station', 'show', 'BK-1'], { OV2X_DATA_DIR: fresh });
    assert.equal(shown.id, 'BK-1');
    const again = run(['backup', 'restore', b.manifestPath], { OV2X_DATA_DIR: fresh });
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /holds a database.*--force/);

    const fd = openSync(b.dumpPath, 'r+');
    const one = Buffer.alloc(1);
    readSync(fd, one, 0, 1, 100);
    one[0] = one[0]! ^ 0xff;
    writeSync(fd, one, 0, 1, 100);
    closeSync(fd);
    const bad = run(['backup', 'verify', b.file, '--json']);
    assert.equal(bad.status, 1);
    assert.deepEqual((JSON.parse(bad.stdout) as { problems: string[] }).problems, ['SHA-256 checksum does not match the manifest']);
  });

  it('names a missing pg_dump clearly (PostgreSQL)', async () => {
    const pg = await backends.find((b) => b.name === 'postgres')!.open();
    try {
      const r = run(['backup', 'create'], { DATABASE_URL: pg.target!.databaseUrl!, PATH: '/nonexistent' });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /pg_dump not found: install the PostgreSQL client/);
      assert.doesNotMatch(r.stderr, /password=|:[^@/]+@/, 'no credentials in the message');
    } finally {
      await pg.cleanup();
    }
  });
});
