// Intrusion detection alerts (issue 7, M4/T1–T5/PH3). One row per incident, not per sighting:
// repeated detections of the same rule on the same station or source within the rule's
// deduplication window raise `count` and `last_seen` instead of adding rows, so a flood cannot
// become a flood of writes. Each alert is also written to security_events when it opens.
// Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ids_alerts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    // threat class of the rule (T1 DoS … T5 Sybil, PH3 station-reported): what dashboards group by
    .addColumn('class', 'text', (c) => c.notNull())
    // rule id from the rule table (built-in or OV2X_IDS_RULES): which threshold fired
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    // not a foreign key: alerts also name identities that never registered (handshake floods)
    .addColumn('station_id', 'text')
    .addColumn('source_ip', 'text')
    // deduplication key (rule + station or source); an open alert with the same key is updated
    .addColumn('dedup_key', 'text', (c) => c.notNull())
    // the frames and counters that made the rule fire; token pseudonyms only, never a UID or password
    .addColumn('evidence', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // what the rule's response did (report/throttle/disconnect/block) and whether it was executed
    .addColumn('response', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('first_seen', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // detections merged into this alert
    .addColumn('count', 'integer', (c) => c.notNull().defaultTo(1))
    // open → acknowledged → closed, changed by an operator with security:manage
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    // who last changed the status (`user:<name>` / `apikey:<id>`) and when: the triage trail
    .addColumn('changed_by', 'text')
    .addColumn('changed_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('ids_alerts_dedup_idx').on('ids_alerts').columns(['dedup_key', 'last_seen']).execute();
  await db.schema.createIndex('ids_alerts_station_idx').on('ids_alerts').columns(['station_id', 'id']).execute();
  await db.schema.createIndex('ids_alerts_status_idx').on('ids_alerts').columns(['status', 'id']).execute();
}
