// Firmware campaigns (issue 9, OP8/OP9): one signed image rolled out to many stations in
// batches. Every decision the scheduler takes is a row change here, so a restarted node (or
// another node) resumes the rollout where it stood. Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('firmware_campaigns')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    // restrict: an image a campaign rolled out stays, it is the campaign's evidence
    .addColumn('firmware_id', 'bigint', (c) => c.notNull().references('firmware_images.id').onDelete('restrict'))
    // the station group targeted, when the campaign was created for one (RBAC scope of the campaign)
    .addColumn('group_id', 'text')
    // draft → running ⇄ paused → completed | aborted | halted
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('draft'))
    // most stations between "sent" and a final status at any time
    .addColumn('concurrency', 'integer', (c) => c.notNull())
    // halt when failures exceed this many stations (count) or this share of all (percent)
    .addColumn('failure_threshold', 'integer', (c) => c.notNull())
    .addColumn('threshold_kind', 'text', (c) => c.notNull())
    // a station silent for this long after its last status counts as failed (Timeout)
    .addColumn('station_timeout_s', 'integer', (c) => c.notNull())
    // no new station is started outside [window_start, window_end)
    .addColumn('window_start', 'timestamptz')
    .addColumn('window_end', 'timestamptz')
    .addColumn('halt_reason', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema
    .createTable('firmware_campaign_stations')
    .addColumn('campaign_id', 'bigint', (c) => c.notNull().references('firmware_campaigns.id').onDelete('cascade'))
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    // pending → active → succeeded | failed; skipped when the campaign ended before its turn
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending'))
    // the station's last firmware status, or why it failed (Rejected, Offline, Timeout, ...)
    .addColumn('status', 'text')
    // the update command in the journal: its answer and notifications are the source of truth
    .addColumn('command_id', 'bigint')
    .addColumn('started_at', 'timestamptz')
    .addColumn('last_update_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addPrimaryKeyConstraint('firmware_campaign_stations_pk', ['campaign_id', 'station_id'])
    .execute();
  await db.schema.createIndex('firmware_campaign_stations_state_idx').on('firmware_campaign_stations').columns(['campaign_id', 'state']).execute();
  await db.schema.createIndex('firmware_campaigns_state_idx').on('firmware_campaigns').column('state').execute();
}
