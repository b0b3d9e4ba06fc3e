// Tariffs v2 (issue 6): OCPI-shaped tariff definitions (elements, price components,
// restrictions in a time zone, min/max price), versioned so a session is priced by the version
// valid when it started. Existing flat tariffs become version 1 with a single element.
// Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tariff_versions')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('tariff_id', 'bigint', (c) => c.notNull().references('tariffs.id').onDelete('cascade'))
    // 1, 2, …: editing a tariff adds a version, never rewrites one a session may have started under
    .addColumn('version', 'integer', (c) => c.notNull())
    // the version applies to sessions starting at or after this instant, until the next version's
    .addColumn('valid_from', 'timestamptz', (c) => c.notNull())
    // the OCPI-shaped definition (src/domain/tariffs/model.ts), validated by the tariff service
    .addColumn('definition', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('tariff_versions_number', ['tariff_id', 'version'])
    .execute();
  await db.schema.createIndex('tariff_versions_valid_idx').on('tariff_versions').columns(['tariff_id', 'valid_from']).execute();

  // the flat price columns are kept (old tariffs' history) but no longer required: a tariff of elements has none
  await sql`ALTER TABLE tariffs ALTER COLUMN price_per_kwh DROP NOT NULL,
    ALTER COLUMN price_per_minute DROP NOT NULL, ALTER COLUMN start_fee DROP NOT NULL`.execute(db);

  // every existing tariff becomes version 1: one element whose per-minute price, as per hour,
  // covers charging and parking time alike (what the flat tariff charged). A hand-edited price
  // that is no decimal is copied as is, so the tariff service reports it instead of this failing.
  await sql`INSERT INTO tariff_versions (tariff_id, version, valid_from, definition)
    SELECT id, 1, created_at, jsonb_build_object(
      'currency', currency, 'time_zone', 'UTC', 'vat_rate', vat_rate,
      'elements', jsonb_build_array(jsonb_build_object('price_components',
        jsonb_build_array(
          jsonb_build_object('type', 'FLAT', 'price', start_fee),
          jsonb_build_object('type', 'ENERGY', 'price', price_per_kwh),
          jsonb_build_object('type', 'TIME', 'price', per_hour),
          jsonb_build_object('type', 'PARKING_TIME', 'price', per_hour))
        || CASE WHEN v2g_price_per_kwh IS NULL THEN '[]'::jsonb
           ELSE jsonb_build_array(jsonb_build_object('type', 'ENERGY_EXPORT', 'price', v2g_price_per_kwh)) END)))
    FROM (SELECT *, CASE WHEN price_per_minute ~ '^[0-9]{1,9}([.][0-9]{1,9})?$'
      THEN trim_scale(price_per_minute::numeric * 60)::text ELSE price_per_minute END AS per_hour FROM tariffs) t`.execute(db);
}
