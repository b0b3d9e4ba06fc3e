import type { Logger } from '../../log/logger.js';
import type { DataClass, RetentionRepo } from '../../store/repos/retention.js';
import type { RetentionRun } from '../../store/schema.js';

/** Days each data class is kept; 0 = forever. From the configuration (OV2X_RETENTION_*_DAYS). */
export type RetentionPolicy = Record<DataClass, number>;

export interface RetentionOptions {
  policy: RetentionPolicy;
  /** rows per statement */
  batch: number;
  /** statements per data class and pass: the rest waits for the next pass */
  maxBatches: number;
  /** seconds between passes; 0 = no timer */
  intervalS: number;
}

export interface RetentionResult {
  dataClass: DataClass;
  keepDays: number;
  cutoff: string;
  deleted: number;
  complete: boolean;
}

const day = 86_400_000;

/**
 * Retention per data class (G4), enforced by a timer on every node. A pass walks the classes in
 * turn, each in batches of `batch` rows up to `maxBatches`, yielding to the event loop between
 * statements, so a large backlog is worked off over several passes instead of one long lock.
 * Deletes are by age only and idempotent, so nodes running passes at once only share the work.
 * Accounting records (CDRs, invoices) are not a data class here: they are kept for good.
 */
export class RetentionService {
  private timer?: NodeJS.Timeout;
  private running?: Promise<RetentionResult[]>;

  constructor(
    private readonly repo: RetentionRepo,
    private readonly opts: RetentionOptions,
    /** runs before each pass: the privacy backfill that scrubs UIDs an older node may have written */
    private readonly beforePass: () => Promise<unknown> = async () => undefined,
    private readonly log?: Logger,
  ) {}

  start(): void {
    if (this.opts.intervalS <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.run().catch((err: unknown) => this.log?.error({ err }, 'retention pass failed')), this.opts.intervalS * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass (a pass already running on this node is joined, not doubled). */
  run(now = new Date()): Promise<RetentionResult[]> {
    this.running ??= this.pass(now).finally(() => { this.running = undefined; });
    return this.running;
  }

  policy(): RetentionPolicy {
    return { ...this.opts.policy };
  }

  latest(): Promise<RetentionRun[]> {
    return this.repo.latest();
  }

  private async pass(now: Date): Promise<RetentionResult[]> {
    await this.beforePass();
    const results: RetentionResult[] = [];
    for (const [dataClass, keepDays] of Object.entries(this.opts.policy) as Array<[DataClass, number]>) {
      if (keepDays <= 0) continue;
      const cutoff = new Date(now.getTime() - keepDays * day);
      let deleted = 0;
      let complete = false;
      for (let i = 0; i < this.opts.maxBatches; i++) {
        const n = await this.repo.step(dataClass, cutoff, this.opts.batch);
        deleted += n;
        if (n < this.opts.batch) {
          complete = true;
          break;
        }
        // let OCPP traffic through between two batches
        await new Promise((r) => setImmediate(r));
      }
      await this.repo.record({ dataClass, cutoff, deleted, complete });
      results.push({ dataClass, keepDays, cutoff: cutoff.toISOString(), deleted, complete });
    }
    await this.repo.prune(new Date(now.getTime() - 90 * day));
    const total = results.reduce((a, r) => a + r.deleted, 0);
    if (total) this.log?.info({ retention: results.filter((r) => r.deleted) }, 'retention pass deleted expired data');
    else this.log?.debug({}, 'retention pass: nothing expired');
    return results;
  }
}

/** The policy of a configuration: one setting per data class. */
export const retentionPolicyOf = (c: {
  retentionMeterValuesDays: number; retentionEndedTransactionsDays: number; retentionStatusHistoryDays: number;
  retentionSecurityEventsDays: number; retentionCommandJournalDays: number; retentionUnknownTokenDays: number;
}): RetentionPolicy => ({
  // unknown-token pseudonyms before ended transactions: a transaction past both goes whole anyway
  unknownTokenAttempts: c.retentionUnknownTokenDays,
  meterValues: c.retentionMeterValuesDays,
  endedTransactions: c.retentionEndedTransactionsDays,
  statusHistory: c.retentionStatusHistoryDays,
  securityEvents: c.retentionSecurityEventsDays,
  commandJournal: c.retentionCommandJournalDays,
});
