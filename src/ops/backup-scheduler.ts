import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { Store } from '../store/index.js';
import { createBackup } from './backup/backup.js';
import { pruneBackups } from './backup/manifest.js';

export interface BackupSchedulerOptions {
  store: Store;
  config: Pick<Config, 'backupDir' | 'backupKeep' | 'databaseUrl' | 'dataDir'>;
  log: Logger;
  intervalMs: number;
}

/**
 * Scheduled backups (OP2): one every interval into OV2X_BACKUP_DIR, then retention by count.
 * A failed backup is logged and retried at the next tick; runs never overlap.
 */
export class BackupScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly o: BackupSchedulerOptions) {}

  start(): void {
    this.timer = setInterval(() => { this.running ??= this.runOnce().finally(() => { this.running = undefined; }); }, this.o.intervalMs);
    this.timer.unref();
  }

  /** Stops the schedule and waits for a backup under way (it holds the store). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One backup and the pruning after it; never throws. */
  async runOnce(): Promise<void> {
    const { store, config, log } = this.o;
    const dir = config.backupDir!;
    try {
      const b = await createBackup(store, { databaseUrl: config.databaseUrl, dataDir: config.dataDir }, dir);
      const removed = await pruneBackups(dir, config.backupKeep);
      log.info({ backup: b.file, bytes: b.bytes, sha256: b.sha256, pruned: removed.length }, 'backup taken');
    } catch (err) {
      log.error({ err }, 'scheduled backup failed');
    }
  }
}
