// Security profile upgrades driven by the platform (1 → 2 → 3): the profile a station has been
// told to move to. Its configured profile rises only once it connects with that profile, so the
// downgrade check never locks out a station that has not switched yet. Forward-only.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('stations').addColumn('security_profile_target', 'integer').execute();
}
