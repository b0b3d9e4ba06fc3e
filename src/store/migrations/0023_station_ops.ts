// Station operations (issue 6): decommissioning, and the OCPI CdrLocation fixed into each CDR
// when it is issued. Forward-only. (The status-history API uses 0001's (station_id, status_at) index.)
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // when the station was taken out of service: from then on it is refused at the upgrade and shown
  // as REMOVED, while its row (and so its status history, transactions and CDRs) stays; null = in service
  await db.schema.alterTable('stations').addColumn('decommissioned_at', 'timestamptz').execute();
  // OCPI 2.2.1 CdrLocation (snake_case JSON) as the location model described the station at issue;
  // null when it stood at no location. cdrs refuse UPDATE (0018): it is only ever set on insert.
  await db.schema.alterTable('cdrs').addColumn('cdr_location', 'jsonb').execute();
}
