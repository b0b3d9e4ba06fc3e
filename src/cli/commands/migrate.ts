import { Command } from 'commander';
import { migrateToLatest, openStore } from '../../store/index.js';
import { configFrom, output, storeSettings, withSettings } from '../options.js';

export function migrateCommand(): Command {
  const cmd = new Command('migrate').description('Apply pending database migrations (also done at start-up).').option('--json', 'machine-readable output');
  withSettings(cmd, storeSettings);
  return cmd.action(async (opts: Record<string, unknown>) => {
    const config = configFrom(opts);
    const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, pgliteWorker: config.pgliteWorker });
    try {
      const { applied } = await migrateToLatest(store.db);
      output(opts.json as boolean, { applied }, () => (applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date'));
    } finally {
      await store.close();
    }
  });
}
