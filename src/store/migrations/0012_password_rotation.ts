// Station password rotation (CR2): the pending password's keyed hash on the station (so the
// upgrade accepts old and new until the station proves it has the new one) and an audit
// trail of every rotation. Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('stations').addColumn('pending_password_hash', 'text').execute();
  await db.schema
    .createTable('password_rotations')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    // Requested → Sent → Completed, or Rejected / Failed / Superseded
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    // the new password sealed (AES-256-GCM) until the station accepted it, then wiped
    .addColumn('sealed_password', 'text')
    .addColumn('command_id', 'bigint')
    .addColumn('reason', 'text')
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('password_rotations_station_idx').on('password_rotations').columns(['station_id', 'id']).execute();
}
