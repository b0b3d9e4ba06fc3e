// Locations, EVSEs and connector definitions (issue 6, P5): the OCPI 2.2.1 shape of the network,
// so roaming can publish it. Live status stays in `connectors`; these tables only describe.
// Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('locations')
    // random UUID: fits OCPI's CiString(36) location id
    .addColumn('id', 'text', (c) => c.primaryKey())
    // RBAC scope like stations.group_id; null = visible to unscoped principals only
    .addColumn('group_id', 'text', (c) => c.references('station_groups.id').onDelete('set null'))
    .addColumn('name', 'text')
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('postal_code', 'text')
    .addColumn('state', 'text')
    // ISO 3166-1 alpha-3, checked against the list in the domain
    .addColumn('country', 'text', (c) => c.notNull().check(sql`country ~ '^[A-Z]{3}$'`))
    // numbers, not OCPI's strings: distance and bbox search run in SQL
    .addColumn('latitude', 'double precision', (c) => c.notNull().check(sql`latitude between -90 and 90`))
    .addColumn('longitude', 'double precision', (c) => c.notNull().check(sql`longitude between -180 and 180`))
    .addColumn('time_zone', 'text', (c) => c.notNull())
    // OCPI Hours object; null = opening times unknown
    .addColumn('opening_times', 'jsonb')
    .addColumn('parking_type', 'text')
    .addColumn('operator_name', 'text')
    .addColumn('owner_name', 'text')
    .addColumn('facilities', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('publish', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // OCPI last_updated
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('locations_group_idx').on('locations').column('group_id').execute();
  // the bounding-box prefilter of every geographic search
  await db.schema.createIndex('locations_lat_lon_idx').on('locations').columns(['latitude', 'longitude']).execute();

  // a location with stations attached cannot be deleted: detaching is an explicit step
  await db.schema.alterTable('stations').addColumn('location_id', 'text', (c) => c.references('locations.id')).execute();
  await db.schema.createIndex('stations_location_idx').on('stations').column('location_id').execute();

  await db.schema
    .createTable('evses')
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    // the OCPP EVSE id (1.6: the connector id)
    .addColumn('evse_id', 'integer', (c) => c.notNull().check(sql`evse_id >= 1`))
    // OCPI EVSE uid, unique across the CPO
    .addColumn('uid', 'text', (c) => c.notNull().unique())
    // OCPI evse_id (eMI3 / ISO 15118 EVSE ID)
    .addColumn('emi3_id', 'text')
    .addColumn('physical_reference', 'text')
    .addColumn('floor_level', 'text')
    .addColumn('capabilities', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('evses_pk', ['station_id', 'evse_id'])
    .execute();

  await db.schema
    .createTable('evse_connectors')
    .addColumn('station_id', 'text', (c) => c.notNull())
    .addColumn('evse_id', 'integer', (c) => c.notNull())
    .addColumn('connector_id', 'integer', (c) => c.notNull().check(sql`connector_id >= 1`))
    .addColumn('standard', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('power_type', 'text', (c) => c.notNull())
    .addColumn('max_voltage', 'integer', (c) => c.notNull())
    .addColumn('max_amperage', 'integer', (c) => c.notNull())
    // W; null = voltage × amperage (× phases) applies
    .addColumn('max_electric_power', 'integer')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('evse_connectors_pk', ['station_id', 'evse_id', 'connector_id'])
    .addForeignKeyConstraint('evse_connectors_evse_fk', ['station_id', 'evse_id'], 'evses', ['station_id', 'evse_id'], (c) => c.onDelete('cascade'))
    .execute();
}
