import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { listBackups } from '../../src/ops/backup/manifest.js';
import { verifyBackup } from '../../src/ops/backup/backup.js';
import { startTestPlatform } from '../helpers/platform.js';
import { until } from '../helpers/until.js';

describe('scheduled backups', () => {
  it('ov2x serve takes a backup every OV2X_BACKUP_INTERVAL_S into OV2X_BACKUP_DIR and keeps the newest OV2X_BACKUP_KEEP', async () => {
    const backupDir = await mkdtemp(join(tmpdir(), 'ov2x-scheduled-'));
    const p = await startTestPlatform({ backupDir, backupInterval: 1, backupKeep: 2 });
    try {
      await p.addStation('SCHED-1');
      const seen = new Set<string>();
      // three distinct backups taken while at most two are kept: the schedule runs and prunes
      await until('three scheduled backups', async () => {
        const { backups } = await listBackups(backupDir);
        for (const b of backups) seen.add(b.file);
        return seen.size >= 3;
      }, 60_000);
      // stopping waits for a backup under way, so the pruning after it is done too
      await p.close();
      const { backups } = await listBackups(backupDir);
      assert.equal(backups.length, 2);
      assert.equal(backups[0]!.rowCounts.stations, 1);
      assert.equal((await verifyBackup(backups[0]!.manifestPath)).ok, true);
    } finally {
      await p.stop();
      await rm(backupDir, { recursive: true, force: true });
    }
  });
});
