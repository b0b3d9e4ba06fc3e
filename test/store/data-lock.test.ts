import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataDirInUseError, openStore } from '../../src/store/index.js';

describe('embedded database folder lock', () => {
  it('refuses a second opener while the first holds the folder, and frees it on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ov2x-lock-'));
    try {
      const store = await openStore({ dataDir: dir });
      await assert.rejects(openStore({ dataDir: dir }), DataDirInUseError);
      // another process gets the same clear refusal (the CLI exits 2 with it)
      const cli = spawnSync(process.execPath, ['dist/src/cli/main.js', 'station', 'list', '--data-dir', dir], { encoding: 'utf8' });
      assert.equal(cli.status, 2);
      assert.match(cli.stderr, /in use by another OV2X process \(pid \d+\)/);
      await store.close();
      assert.ok(!existsSync(join(dir, 'pg', 'ov2x.lock')));
      await (await openStore({ dataDir: dir })).close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ov2x-lock-'));
    try {
      mkdirSync(join(dir, 'pg'), { recursive: true });
      const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
      writeFileSync(join(dir, 'pg', 'ov2x.lock'), gone.stdout.trim());
      await (await openStore({ dataDir: dir })).close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
