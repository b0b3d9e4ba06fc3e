// Command journal: every command the platform sends to a station, its answer, and the
// follow-up notifications that report its progress (firmware, log upload, reports, ...).
// Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('station_commands')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('action', 'text')
    // the requestId / reservationId that the station's later notifications quote back
    .addColumn('request_id', 'integer')
    .addColumn('command', 'json', (c) => c.notNull())
    // Pending until answered; then Accepted / Rejected / the station's status word / Failed
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('Pending'))
    .addColumn('failure', 'text')
    .addColumn('response', 'json')
    .addColumn('progress', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('answered_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('station_commands_station_idx').on('station_commands').columns(['station_id', 'kind', 'id']).execute();
  await db.schema
    .createTable('station_command_updates')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('command_id', 'bigint', (c) => c.notNull().references('station_commands.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('details', 'json', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('station_command_updates_command_idx').on('station_command_updates').columns(['command_id', 'id']).execute();
}
