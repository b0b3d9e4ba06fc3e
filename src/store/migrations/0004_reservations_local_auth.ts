// Reservations, the per-station local authorization list state, and who closed a transaction.
// Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The id is the reservationId sent to the station (OCPP integer), so it is drawn from a sequence
  // and kept below 2^31.
  await db.schema
    .createTable('reservations')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    // null = any EVSE (1.6 connectorId 0, 2.0.1 without evseId)
    .addColumn('evse_id', 'integer')
    .addColumn('connector_type', 'text')
    .addColumn('id_token', 'text', (c) => c.notNull())
    .addColumn('group_id_token', 'text')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    // Pending → the station's answer (Accepted/Faulted/Occupied/Rejected/Unavailable/Failed)
    // → Used / Cancelled / Expired / Removed
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('Pending'))
    .addColumn('transaction_id', 'bigint')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('reservations_station_idx').on('reservations').columns(['station_id', 'id']).execute();
  // expiry sweeps look only at reservations that can still expire
  await db.schema.createIndex('reservations_open_idx').on('reservations').column('expires_at')
    .where(sql<boolean>`status in ('Pending', 'Accepted')`).execute();

  // The local list each station holds, as far as the CSMS knows: the version it last accepted and
  // the entries it had at that version (idToken → info), so the next update can be differential.
  await db.schema
    .createTable('local_auth_lists')
    .addColumn('station_id', 'text', (c) => c.primaryKey().references('stations.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    // highest version ever sent, accepted or not: versions only go up
    .addColumn('last_sent_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('entries', 'json', (c) => c.notNull())
    .addColumn('last_status', 'text')
    .addColumn('synced_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // 'station' when the station's own stop message ended it, 'csms' when the platform closed it
  // (superseded, or left open by a reboot)
  await db.schema.alterTable('transactions').addColumn('closed_by', 'text').execute();
  await db.schema.alterTable('transactions').addCheckConstraint('transactions_closed_by', sql`closed_by in ('station', 'csms')`).execute();
}
