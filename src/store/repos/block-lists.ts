import type { Kysely } from 'kysely';
import type { BlockListEntry, Database } from '../schema.js';

export interface BlockListInput {
  list: BlockListEntry['list'];
  kind: BlockListEntry['kind'];
  value: string;
  reason: string;
  createdBy: string;
  expiresAt: Date | null;
}

/** The block / allow list table (migration 0028); read whole, as it is small. */
export class BlockListRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Adds the entry or renews the one for the same list and target (new reason, author and expiry). */
  async put(e: BlockListInput): Promise<BlockListEntry> {
    return this.db.insertInto('blockListEntries').values(e)
      .onConflict((oc) => oc.columns(['list', 'kind', 'value']).doUpdateSet({ reason: e.reason, createdBy: e.createdBy, expiresAt: e.expiresAt, createdAt: new Date() }))
      .returningAll().executeTakeFirstOrThrow();
  }

  /** Entries not expired at `now`, oldest first. */
  async active(now: Date): Promise<BlockListEntry[]> {
    return this.db.selectFrom('blockListEntries').selectAll()
      .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', now)]))
      .orderBy('id').execute();
  }

  async get(id: number): Promise<BlockListEntry | undefined> {
    return this.db.selectFrom('blockListEntries').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async remove(id: number): Promise<BlockListEntry | undefined> {
    return this.db.deleteFrom('blockListEntries').where('id', '=', id).returningAll().executeTakeFirst();
  }

  /** Drops entries that expired before `now` (their refusals are already in the security log). */
  async purgeExpired(now: Date): Promise<number> {
    const r = await this.db.deleteFrom('blockListEntries').where('expiresAt', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
