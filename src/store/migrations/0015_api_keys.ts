// API keys of machine clients and market parties (issue 5, AC3, AC5). Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    // SHA-256 of the key: the key itself is shown once and never stored
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    // the key's first characters, so people can tell keys apart; far too short to use
    .addColumn('prefix', 'text', (c) => c.notNull())
    // exactly one role of the permission matrix; never 'admin'
    .addColumn('role', 'text', (c) => c.notNull())
    // null = every station group
    .addColumn('station_groups', 'jsonb')
    // the principal id (`user:12`, `cli:<os user>`) that created or rotated it
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // a rotation pulls this in to the end of the overlap
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    // the key this one was rotated from / into
    .addColumn('rotated_from', 'bigint', (c) => c.references('api_keys.id').onDelete('set null'))
    .addColumn('replaced_by', 'bigint', (c) => c.references('api_keys.id').onDelete('set null'))
    .execute();
}
