// OCPP 2.0.1 device model store: one row per station × component × variable × attribute type,
// as reported by NotifyReport. Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('device_variables')
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('component', 'text', (c) => c.notNull())
    // '' instead of NULL so the natural key can be a primary key
    .addColumn('component_instance', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('evse_id', 'integer')
    .addColumn('connector_id', 'integer')
    .addColumn('variable', 'text', (c) => c.notNull())
    .addColumn('variable_instance', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('attribute_type', 'text', (c) => c.notNull().defaultTo('Actual'))
    .addColumn('value', 'text')
    .addColumn('mutability', 'text')
    .addColumn('characteristics', 'jsonb')
    .addColumn('reported_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('evse_key', 'integer', (c) => c.notNull().generatedAlwaysAs(sql`coalesce(evse_id, -1)`).stored())
    .addColumn('connector_key', 'integer', (c) => c.notNull().generatedAlwaysAs(sql`coalesce(connector_id, -1)`).stored())
    .addPrimaryKeyConstraint('device_variables_pk', [
      'station_id', 'component', 'component_instance', 'evse_key', 'connector_key', 'variable', 'variable_instance', 'attribute_type',
    ])
    .execute();
}
