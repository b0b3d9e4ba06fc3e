// Charge detail records (issue 6): OCPI 2.2.1-shaped CDRs issued when a transaction ends,
// immutable once written (corrections are credit CDRs), and the tariff each transaction
// started under. Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // V2G remuneration per exported kWh (net of VAT); null = exported energy is not credited
  await db.schema.alterTable('tariffs').addColumn('v2g_price_per_kwh', 'text').execute();

  // Tariffs are edited in place (assignments, the default, even prices by hand), so the version a
  // transaction started under is kept here, taken when it starts, and a CDR prices by it.
  await db.schema
    .createTable('cdr_tariff_snapshots')
    // no foreign key: erasing a transaction must not be blocked by its tariff snapshot
    .addColumn('transaction_id', 'bigint', (c) => c.primaryKey())
    .addColumn('tariff', 'jsonb', (c) => c.notNull())
    .addColumn('valid_from', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('cdrs')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    // one CDR per transaction: a repeated transaction.ended event cannot issue a second one
    .addColumn('transaction_id', 'bigint', (c) => c.unique())
    // a credit CDR reverses exactly one original, once
    .addColumn('credit_of', 'bigint', (c) => c.unique().references('cdrs.id'))
    .addColumn('credit_reason', 'text')
    .addColumn('station_id', 'text', (c) => c.notNull())
    .addColumn('evse_id', 'integer')
    .addColumn('connector_id', 'integer')
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('start_date_time', 'timestamptz', (c) => c.notNull())
    .addColumn('end_date_time', 'timestamptz', (c) => c.notNull())
    // HMAC pseudonym of the idToken, never the token itself (GDPR)
    .addColumn('token_uid', 'text')
    .addColumn('token_type', 'text', (c) => c.notNull())
    .addColumn('auth_method', 'text', (c) => c.notNull())
    .addColumn('currency', 'text')
    .addColumn('tariff', 'jsonb')
    .addColumn('charging_periods', 'jsonb', (c) => c.notNull())
    .addColumn('energy_import_wh', 'bigint', (c) => c.notNull())
    .addColumn('energy_export_wh', 'bigint', (c) => c.notNull())
    .addColumn('total_time_ms', 'bigint', (c) => c.notNull())
    .addColumn('parking_time_ms', 'bigint', (c) => c.notNull())
    // minor units of the currency; negative in credit CDRs and when export credit exceeds the charge
    .addColumn('cost_excl_vat_minor', 'bigint', (c) => c.notNull())
    .addColumn('cost_incl_vat_minor', 'bigint', (c) => c.notNull())
    .addColumn('export_credit_excl_vat_minor', 'bigint')
    .addColumn('export_credit_incl_vat_minor', 'bigint')
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('cdrs_start_idx').on('cdrs').column('start_date_time').execute();
  await db.schema.createIndex('cdrs_station_idx').on('cdrs').columns(['station_id', 'start_date_time']).execute();
  // immutable in the database itself: an issued CDR is a billing document
  await sql`CREATE FUNCTION cdrs_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'cdrs are immutable: issue a credit CDR instead'; END $$`.execute(db);
  await sql`CREATE TRIGGER cdrs_no_change BEFORE UPDATE OR DELETE ON cdrs
    FOR EACH ROW EXECUTE FUNCTION cdrs_immutable()`.execute(db);
  await sql`CREATE TRIGGER cdrs_no_truncate BEFORE TRUNCATE ON cdrs
    FOR EACH STATEMENT EXECUTE FUNCTION cdrs_immutable()`.execute(db);
}
