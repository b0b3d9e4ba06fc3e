import { Command } from 'commander';
import { migrateToLatest, openStore } from '../../store/index.js';
import { pendingMigrations } from '../../store/migrations/migrate.js';
import { progress } from '../progress.js';
import { configFrom, output, storeSettings, withSettings } from '../options.js';

export function migrateCommand(): Command {
  const cmd = new Command('migrate').description('Apply pending database migrations (also done at start-up).').option('--json', 'machine-readable output');
  withSettings(cmd, storeSettings);
  return cmd.action(async (opts: Record<string, unknown>) => {
    const config = configFrom(opts);
    const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, pgliteWorker: config.pgliteWorker });
    try {
      // one transaction for all of them: the terminal shows what runs, not per-migration steps
      const shown = progress(opts.json === true);
      const pending = await pendingMigrations(store.db);
      if (pending.length) shown.update(`applying ${pending.length} migration(s): ${pending[0]}${pending.length > 1 ? ` … ${pending.at(-1)}` : ''}`);
      const { applied } = await migrateToLatest(store.db).finally(() => shown.done());
      output(opts.json as boolean, { applied }, () => (applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date'));
    } finally {
      await store.close();
    }
  });
}
