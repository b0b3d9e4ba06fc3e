// File transfers between the platform and stations: single-purpose expiring URLs (only a
// hash of their token is kept), the log/diagnostics files stations uploaded, and the
// firmware images the operator registered. Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('firmware_images')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'text')
    // generated file name under <data>/files/firmware; never a name the operator chose
    .addColumn('storage_name', 'text', (c) => c.notNull().unique())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    // 2.0.1 PublishFirmware identifies an image by its MD5 (L03)
    .addColumn('md5', 'text', (c) => c.notNull())
    .addColumn('signature', 'text')
    .addColumn('signing_certificate', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('file_transfers')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    // SHA-256 of the URL's random token: a leaked database does not leak usable URLs
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    // upload (log, diagnostics) or download (firmware)
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('file_kind', 'text', (c) => c.notNull())
    .addColumn('firmware_id', 'bigint', (c) => c.references('firmware_images.id').onDelete('cascade'))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    // set when an upload starts: an upload URL serves one upload
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('station_files')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('transfer_id', 'bigint', (c) => c.notNull().references('file_transfers.id').onDelete('cascade'))
    .addColumn('file_kind', 'text', (c) => c.notNull())
    // the name the station gave, sanitised, for display only
    .addColumn('original_name', 'text')
    .addColumn('storage_name', 'text', (c) => c.notNull().unique())
    .addColumn('content_type', 'text')
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('station_files_station_idx').on('station_files').columns(['station_id', 'id']).execute();
}
