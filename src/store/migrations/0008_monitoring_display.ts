// OCPP 2.0.1 blocks B (what the station answered to Get/SetVariables), N (monitors, events,
// customer information) and O (display messages). Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // the station's last answer about an attribute (GetVariables / SetVariables / GetConfiguration)
  await db.schema.alterTable('device_variables').addColumn('status', 'text').execute();
  await db.schema.alterTable('device_variables').addColumn('status_reason', 'text').execute();

  // Monitors on a station: those we set (with the station's verdict) and those it reports.
  await db.schema
    .createTable('variable_monitors')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    // assigned by the station; NULL when it refused the monitor
    .addColumn('monitor_id', 'integer')
    .addColumn('component', 'text', (c) => c.notNull())
    .addColumn('component_instance', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('evse_id', 'integer')
    .addColumn('connector_id', 'integer')
    .addColumn('variable', 'text', (c) => c.notNull())
    .addColumn('variable_instance', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addColumn('severity', 'integer', (c) => c.notNull())
    .addColumn('transaction', 'boolean', (c) => c.notNull().defaultTo(false))
    // the SetVariableMonitoring result, or 'Reported' for monitors only known from a report
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // NULLs are distinct, so refused monitors never collide
  await db.schema.createIndex('variable_monitors_station_monitor_uq').on('variable_monitors').columns(['station_id', 'monitor_id']).unique().execute();

  await db.schema
    .createTable('device_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('event_id', 'integer', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('cause', 'integer')
    .addColumn('actual_value', 'text', (c) => c.notNull())
    .addColumn('tech_code', 'text')
    .addColumn('tech_info', 'text')
    .addColumn('cleared', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('transaction_id', 'text')
    .addColumn('component', 'text', (c) => c.notNull())
    .addColumn('component_instance', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('evse_id', 'integer')
    .addColumn('connector_id', 'integer')
    .addColumn('variable', 'text', (c) => c.notNull())
    .addColumn('variable_instance', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('variable_monitoring_id', 'integer')
    .addColumn('notification_type', 'text', (c) => c.notNull())
    .addColumn('generated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('seq_no', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('device_events_station_idx').on('device_events').columns(['station_id', 'id']).execute();

  // Personal data, kept apart so it can be encrypted or erased on its own: one row per
  // NotifyCustomerInformation part, assembled in seqNo order when read.
  await db.schema
    .createTable('customer_information_parts')
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('request_id', 'integer', (c) => c.notNull())
    .addColumn('seq_no', 'integer', (c) => c.notNull())
    .addColumn('tbc', 'boolean', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('generated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('customer_information_parts_pk', ['station_id', 'request_id', 'seq_no'])
    .execute();

  // Display messages: those we set (status = the station's answer) and those it reports.
  await db.schema
    .createTable('display_messages')
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('message_id', 'integer', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('state', 'text')
    .addColumn('start_at', 'timestamptz')
    .addColumn('end_at', 'timestamptz')
    .addColumn('transaction_id', 'text')
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('language', 'text')
    .addColumn('display', 'jsonb')
    // the SetDisplayMessage answer; NULL for a message only known from a report
    .addColumn('status', 'text')
    .addColumn('reported_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('display_messages_pk', ['station_id', 'message_id'])
    .execute();
}
