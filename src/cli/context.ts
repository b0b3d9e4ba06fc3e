import { wireServices } from '../app.js';
import type { Config } from '../config/config.js';
import type { DomainServices } from '../domain/services.js';
import { createLogger } from '../log/logger.js';
import { migrateToLatest, openStore } from '../store/index.js';
import type { Repositories } from '../store/repositories.js';
import { configFrom } from './options.js';

/** Runs an offline CLI command against the store (migrated) and the domain services. */
export async function withDomain<T>(opts: Record<string, unknown>, fn: (d: { domain: DomainServices; repos: Repositories; config: Config }) => Promise<T>): Promise<T> {
  const config = configFrom(opts);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, pgliteWorker: config.pgliteWorker });
  try {
    await migrateToLatest(store.db);
    const wired = wireServices(store, config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr as never));
    try {
      return await fn({ domain: wired.domain, repos: wired.repos, config });
    } finally {
      await wired.close();
    }
  } finally {
    await store.close();
  }
}
