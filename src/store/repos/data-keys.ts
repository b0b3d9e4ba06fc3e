import type { Kysely } from 'kysely';
import type { Database, DataKeyRecord } from '../schema.js';

/** Wrapped data keys (migration 0019); the store never sees a data key in clear. */
export class DataKeyRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts unless a key of that id exists (two nodes creating the same named key: the first wins). */
  async insert(row: { id: string; purpose: string; masterKeyId: string; wrapped: string }): Promise<void> {
    await this.db.insertInto('dataKeys').values(row).onConflict((oc) => oc.column('id').doNothing()).execute();
  }

  async get(id: string): Promise<DataKeyRecord | undefined> {
    return this.db.selectFrom('dataKeys').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The newest key of a purpose: the one new values are encrypted under. */
  async newest(purpose: string): Promise<DataKeyRecord | undefined> {
    return this.db.selectFrom('dataKeys').selectAll().where('purpose', '=', purpose).orderBy('createdAt', 'desc').orderBy('id').limit(1).executeTakeFirst();
  }

  /** Keys not yet wrapped under the given master key. */
  async notWrappedUnder(masterKeyId: string): Promise<DataKeyRecord[]> {
    return this.db.selectFrom('dataKeys').selectAll().where('masterKeyId', '<>', masterKeyId).orderBy('id').execute();
  }

  /** Replaces the box only if it is still the one read (another node may have re-wrapped it meanwhile). */
  async rewrap(id: string, from: string, to: { masterKeyId: string; wrapped: string }): Promise<boolean> {
    const r = await this.db.updateTable('dataKeys').set((eb) => ({ ...to, rewrappedAt: eb.fn<Date>('now') })).where('id', '=', id).where('wrapped', '=', from).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }
}
