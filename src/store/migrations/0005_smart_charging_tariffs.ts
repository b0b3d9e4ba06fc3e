// Smart charging (1.6 Smart Charging profile, 2.0.1 block K) and tariffs (2.0.1 block I):
// the charging profiles we set or stations report, external limits, the EV's charging needs
// and schedule, tariffs and which station uses which. Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('charging_profiles')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('evse_id', 'integer', (c) => c.notNull())
    // the OCPP chargingProfileId
    .addColumn('profile_id', 'integer', (c) => c.notNull())
    .addColumn('stack_level', 'integer', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    // active: set by us and accepted; rejected: refused by the station; reported: from ReportChargingProfiles
    .addColumn('status', 'text', (c) => c.notNull())
    // CSO for profiles we set; the station's chargingLimitSource for reported ones
    .addColumn('limit_source', 'text', (c) => c.notNull().defaultTo('CSO'))
    .addColumn('transaction_ref', 'text')
    // the neutral profile (src/domain/smart-charging/profile.ts)
    .addColumn('profile', 'json', (c) => c.notNull())
    .addColumn('command_id', 'bigint')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('charging_profiles_status', sql`status in ('active', 'rejected', 'reported')`)
    .execute();
  await db.schema.createIndex('charging_profiles_station_idx').on('charging_profiles').columns(['station_id', 'status', 'evse_id']).execute();

  await db.schema
    .createTable('charging_limits')
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    // 0 = the whole station
    .addColumn('evse_id', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('is_grid_critical', 'boolean')
    .addColumn('schedules', 'json', (c) => c.notNull())
    .addColumn('notified_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('charging_limits_pk', ['station_id', 'evse_id', 'source'])
    .execute();

  await db.schema
    .createTable('ev_charging_needs')
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('evse_id', 'integer', (c) => c.notNull())
    .addColumn('requested_energy_transfer', 'text', (c) => c.notNull())
    .addColumn('energy_amount_wh', 'double precision')
    .addColumn('departure_time', 'timestamptz')
    .addColumn('max_schedule_tuples', 'integer')
    .addColumn('ac_parameters', 'json')
    .addColumn('dc_parameters', 'json')
    .addColumn('reported_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('ev_charging_needs_pk', ['station_id', 'evse_id'])
    .execute();

  await db.schema
    .createTable('ev_charging_schedules')
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('evse_id', 'integer', (c) => c.notNull())
    .addColumn('time_base', 'timestamptz', (c) => c.notNull())
    .addColumn('schedule', 'json', (c) => c.notNull())
    .addColumn('reported_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('ev_charging_schedules_pk', ['station_id', 'evse_id'])
    .execute();

  // Prices are exact decimal strings (validated by the tariff service), never floats.
  await db.schema
    .createTable('tariffs')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('price_per_kwh', 'text', (c) => c.notNull())
    .addColumn('price_per_minute', 'text', (c) => c.notNull())
    .addColumn('start_fee', 'text', (c) => c.notNull())
    // percent, e.g. '19' or '7.7'
    .addColumn('vat_rate', 'text', (c) => c.notNull())
    .addColumn('is_default', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('tariffs_currency', sql`char_length(currency) = 3`)
    .execute();
  // at most one default tariff
  await db.schema.createIndex('tariffs_one_default').on('tariffs').column('is_default').unique().where(sql.ref('is_default'), '=', true).execute();

  await db.schema
    .createTable('station_tariffs')
    .addColumn('station_id', 'text', (c) => c.primaryKey().references('stations.id').onDelete('cascade'))
    .addColumn('tariff_id', 'bigint', (c) => c.notNull().references('tariffs.id').onDelete('cascade'))
    .execute();
}
