import { Command } from 'commander';
import { join } from 'node:path';
import { createBackup, isDirectory, restoreBackup, verifyBackup } from '../../ops/backup/backup.js';
import { listBackups, pruneBackups, type Backup } from '../../ops/backup/manifest.js';
import { openStore } from '../../store/index.js';
import type { Config } from '../../config/config.js';
import { configFrom, output, storeCommand, UsageError, withSettings } from '../options.js';
import { progress } from '../progress.js';

/** The backup folder: --backup-dir / OV2X_BACKUP_DIR, else `<data>/backups`. */
const dirOf = (config: Config): string => config.backupDir ?? join(config.dataDir, 'backups');

/** A backup named on the command line: a manifest path, a name in the folder, or `latest`. */
async function resolveBackup(ref: string, config: Config): Promise<string> {
  if (ref.endsWith('.manifest.json')) return ref;
  const dir = dirOf(config);
  if (ref === 'latest') {
    const { backups } = await listBackups(dir);
    if (!backups[0]) throw new UsageError(`no backups in ${dir}`);
    return backups[0].manifestPath;
  }
  if (await isDirectory(ref)) throw new UsageError(`${ref} is a folder: name a backup (its manifest file, its name, or latest)`);
  return join(dir, `${ref.replace(/\.(pgdump|tar\.gz)$/, '')}.manifest.json`);
}

const sub = (name: string, description: string): Command => withSettings(storeCommand(name, description), ['backupDir', 'backupKeep']);

const describe = (b: Backup): string =>
  `${b.file}  ${b.createdAt}  ${b.store}  ${b.bytes} bytes  schema ${b.schemaVersion ?? '?'}  ${Object.values(b.rowCounts).reduce((a, n) => a + n, 0)} rows  sha256 ${b.sha256}`;

/** `ov2x backup …`: backups (OP2) of the embedded or PostgreSQL database. */
export function backupCommand(): Command {
  const cmd = new Command('backup').description('Backups of the database: a dump plus a manifest (SHA-256, row counts, schema version), files 0600. They hold personal data (encrypted fields stay encrypted); the server secret and master keys are NOT in them — keep those apart.');

  cmd.addCommand(sub('create', 'Take a backup now (PostgreSQL: pg_dump custom format; embedded: the data folder dump; stop `ov2x serve` first, or use its scheduled backups), then keep only the newest OV2X_BACKUP_KEEP.')
    .action(async (opts: Record<string, unknown>) => {
      const config = configFrom(opts);
      const shown = progress(opts.json === true);
      const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, pgliteWorker: config.pgliteWorker });
      try {
        const b = await createBackup(store, config, dirOf(config), (s) => shown.update(s));
        const pruned = await pruneBackups(dirOf(config), config.backupKeep);
        shown.done();
        output(opts.json as boolean, { ...b, pruned }, () => `backup taken: ${b.manifestPath}\n  ${describe(b)}${pruned.length ? `\n  removed (retention): ${pruned.join(', ')}` : ''}`);
      } finally {
        shown.done();
        await store.close();
      }
    }));

  cmd.addCommand(sub('list', 'The backups of the backup folder, newest first.')
    .action(async (opts: Record<string, unknown>) => {
      const config = configFrom(opts);
      const { backups, problems } = await listBackups(dirOf(config));
      output(opts.json as boolean, { backups, problems }, () => [
        ...(backups.length ? backups.map(describe) : [`no backups in ${dirOf(config)}`]),
        ...problems.map((p) => `unreadable: ${p}`),
      ].join('\n'));
    }));

  cmd.addCommand(sub('verify', 'Recompute a backup\'s checksum (exit code 1 on a mismatch); --deep also restores it into a scratch database and compares row counts.')
    .argument('<backup>', 'its manifest file, its name in the backup folder, or latest')
    .option('--deep', 'restore into a scratch database (a temporary folder, or a database created and dropped on DATABASE_URL\'s server) and compare row counts')
    .action(async (ref: string, opts: Record<string, unknown>) => {
      const config = configFrom(opts);
      const shown = progress(opts.json === true);
      const r = await verifyBackup(await resolveBackup(ref, config), { deep: opts.deep === true, databaseUrl: config.databaseUrl }, (s) => shown.update(s))
        .finally(() => shown.done());
      output(opts.json as boolean, r, () => (r.ok ? `backup ${r.file} is intact${r.restoredRowCounts ? ' (restored into a scratch database: row counts match)' : ''}` : `backup ${r.file} FAILED verification:\n  ${r.problems.join('\n  ')}`));
      if (!r.ok) process.exitCode = 1;
    }));

  cmd.addCommand(sub('restore', 'Restore a backup into a fresh database (DATABASE_URL) or data folder (--data-dir), after checking its checksum; compares the restored row counts with the manifest (exit code 1 on a difference).')
    .argument('<backup>', 'its manifest file, its name in the backup folder, or latest')
    .option('--force', 'replace what the target already holds')
    .action(async (ref: string, opts: Record<string, unknown>) => {
      const config = configFrom(opts);
      const shown = progress(opts.json === true);
      const r = await restoreBackup(await resolveBackup(ref, config), config, { force: opts.force === true }, (s) => shown.update(s))
        .finally(() => shown.done());
      output(opts.json as boolean, r, () => (r.differences.length === 0
        ? `restored ${r.file}: ${Object.keys(r.rowCounts).length} tables, ${Object.values(r.rowCounts).reduce((a, n) => a + n, 0)} rows, row counts match the manifest`
        : `restored ${r.file}, but row counts differ from the manifest:\n  ${r.differences.join('\n  ')}`));
      if (r.differences.length > 0) process.exitCode = 1;
    }));

  return cmd;
}
