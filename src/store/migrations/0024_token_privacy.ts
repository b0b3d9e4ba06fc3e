// No plaintext token UID at rest (issue 6, G1): id_tokens loses its UID primary key for a
// surrogate one, and the UID columns become nullable so the platform can scrub them once it
// has protected the row (TokenRepo.backfill / PrivacyService.start: only the running platform
// holds the keys, so the migration cannot compute blind indexes or pseudonyms itself).
// transactions.id_token and reservations.id_token keep their names but hold the token's
// pseudonym (`tok_…`) from now on; the start-time backfill rewrites older rows.
//
// Rolling upgrade: id_token stays a nullable UNIQUE column, so a node still running the previous
// release can read (its lookups try uid_index first) and insert new tokens (ON CONFLICT (id_token)
// still has its unique index); whatever plaintext it writes is scrubbed by the next backfill pass
// (every start and every retention run). Re-adding an existing token from an old node fails on
// the uid_index unique key: route token writes to upgraded nodes during the roll-out.
// Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table id_tokens drop constraint id_tokens_pkey`.execute(db);
  // surrogate key: rows no longer need the UID to be addressed
  await db.schema.alterTable('id_tokens').addColumn('id', 'bigserial', (c) => c.primaryKey()).execute();
  // the legacy plaintext: null once protected (only a not yet upgraded node writes it)
  await sql`alter table id_tokens alter column id_token drop not null`.execute(db);
  await db.schema.createIndex('id_tokens_id_token_key').on('id_tokens').column('id_token').unique().execute();
  // transactions/reservations reference a token by pseudonym: erasure and export find them by it
  await db.schema.createIndex('transactions_id_token_idx').on('transactions').column('id_token').execute();
  await db.schema.createIndex('reservations_id_token_idx').on('reservations').column('id_token').execute();
  // retention (src/domain/privacy/retention.ts): one row per data class and run, for GET /privacy/retention
  await db.schema
    .createTable('retention_runs')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    // the data class (`meterValues`, `statusHistory`, …)
    .addColumn('data_class', 'text', (c) => c.notNull())
    // rows older than this were deleted
    .addColumn('cutoff', 'timestamptz', (c) => c.notNull())
    .addColumn('deleted', 'integer', (c) => c.notNull())
    // false while a backlog is left for the next run (the batch budget ran out)
    .addColumn('complete', 'boolean', (c) => c.notNull())
    .addColumn('ran_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // retention deletes by age, oldest first, in batches: each batch must find its rows by index
  await db.schema.createIndex('meter_values_sampled_at_idx').on('meter_values').column('sampled_at').execute();
  await db.schema.createIndex('status_history_status_at_idx').on('status_history').column('status_at').execute();
  await db.schema.createIndex('station_commands_created_at_idx').on('station_commands').column('created_at').execute();
  await db.schema.createIndex('transactions_ended_at_idx').on('transactions').column('ended_at').execute();
  await db.schema.createIndex('retention_runs_class_idx').on('retention_runs').columns(['data_class', 'ran_at']).execute();
}
