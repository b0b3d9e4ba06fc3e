import { sql, type Kysely } from 'kysely';
import type { Database, RetentionRun } from '../schema.js';
import { SecurityEventRepo } from './security-events.js';

/** The data classes retention applies to; accounting records (cdrs, invoices) are never among them. */
export type DataClass = 'meterValues' | 'statusHistory' | 'securityEvents' | 'commandJournal' | 'endedTransactions' | 'unknownTokenAttempts';

/**
 * One bounded step of a data class: at most `limit` rows older than `cutoff`, oldest first, by a
 * primary-key sub-select so the statement locks only those rows. Answers how many it changed.
 * Several nodes may run the same step at once: each row goes once, the other node finds fewer.
 */
const steps: Record<DataClass, (db: Kysely<Database>, cutoff: Date, limit: number) => Promise<number>> = {
  meterValues: (db, cutoff, limit) => deleteOldest(db, 'meter_values', sql`sampled_at < ${cutoff}`, 'sampled_at', limit),
  statusHistory: (db, cutoff, limit) => deleteOldest(db, 'status_history', sql`status_at < ${cutoff}`, 'status_at', limit),
  // the hash chain goes as a prefix behind a checkpoint (SecurityEventRepo.dropOldest); rows written around the chain by age
  securityEvents: async (db, cutoff, limit) => {
    const unchained = await deleteOldest(db, 'security_events', sql`chain_seq is null and occurred_at < ${cutoff}`, 'occurred_at', limit);
    return unchained + (unchained < limit ? await new SecurityEventRepo(db).dropOldest(cutoff, limit - unchained) : 0);
  },
  // answered commands only (their updates go with them, ON DELETE CASCADE); a pending one is still awaited
  commandJournal: (db, cutoff, limit) => deleteOldest(db, 'station_commands', sql`created_at < ${cutoff} and status <> 'Pending'`, 'created_at', limit),
  // ended transactions past their age, with the meter values they still have (the CDR keeps what billing needs)
  endedTransactions: async (db, cutoff, limit) => {
    const rows = await sql<{ id: number }>`select id from transactions where state = 'ended' and ended_at < ${cutoff} order by ended_at limit ${limit}`.execute(db);
    const ids = rows.rows.map((r) => Number(r.id));
    if (!ids.length) return 0;
    await db.deleteFrom('meterValues').where('transactionId', 'in', ids).execute();
    const r = await db.deleteFrom('transactions').where('id', 'in', ids).executeTakeFirst();
    return Number(r.numDeletedRows);
  },
  // the pseudonym of a card the CSMS never knew (no id_tokens row): dropped from ended transactions
  unknownTokenAttempts: async (db, cutoff, limit) => {
    const r = await sql`update transactions set id_token = null where id in (
      select t.id from transactions t where t.state = 'ended' and t.ended_at < ${cutoff} and t.id_token is not null
        and not exists (select 1 from id_tokens k where k.pseudonym = t.id_token or k.id_token = t.id_token)
      order by t.ended_at limit ${limit})`.execute(db);
    return Number(r.numAffectedRows ?? 0n);
  },
};

async function deleteOldest(db: Kysely<Database>, table: string, older: ReturnType<typeof sql>, by: string, limit: number): Promise<number> {
  const r = await sql`delete from ${sql.table(table)} where id in (select id from ${sql.table(table)} where ${older} order by ${sql.ref(by)} limit ${limit})`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

export class RetentionRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** One batch of one data class; see steps. */
  step(dataClass: DataClass, cutoff: Date, limit: number): Promise<number> {
    return steps[dataClass](this.db, cutoff, limit);
  }

  async record(run: { dataClass: DataClass; cutoff: Date; deleted: number; complete: boolean }): Promise<void> {
    await this.db.insertInto('retentionRuns').values(run).execute();
  }

  /** The latest run of each data class. */
  async latest(): Promise<RetentionRun[]> {
    return this.db.selectFrom('retentionRuns').selectAll()
      .where('id', 'in', (eb) => eb.selectFrom('retentionRuns').select((e) => e.fn.max('id').as('id')).groupBy('dataClass'))
      .orderBy('dataClass').execute();
  }

  /** Keeps the run log itself bounded: runs older than `cutoff` go. */
  async prune(cutoff: Date): Promise<void> {
    await this.db.deleteFrom('retentionRuns').where('ranAt', '<', cutoff).execute();
  }
}
