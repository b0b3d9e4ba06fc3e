import { sql, type Kysely } from 'kysely';
import type { ApiSessionRow, Database } from '../schema.js';

/** API sessions, keyed by the SHA-256 of their token. */
export class ApiSessionRepo {
  constructor(private readonly db: Kysely<Database>) {}

  create(s: { id: string; userId: number; csrfToken: string; mfaPassed: boolean; sourceIp: string | null; expiresAt: Date }): Promise<ApiSessionRow> {
    return this.db.insertInto('apiSessions').values(s).returningAll().executeTakeFirstOrThrow();
  }

  get(id: string): Promise<ApiSessionRow | undefined> {
    return this.db.selectFrom('apiSessions').selectAll().where('id', '=', id).where('revokedAt', 'is', null).executeTakeFirst();
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.db.updateTable('apiSessions').set({ lastSeenAt: at }).where('id', '=', id).execute();
  }

  async passMfa(id: string): Promise<void> {
    await this.db.updateTable('apiSessions').set({ mfaPassed: true }).where('id', '=', id).execute();
  }

  async revoke(id: string): Promise<void> {
    await this.db.updateTable('apiSessions').set({ revokedAt: sql<Date>`now()` }).where('id', '=', id).where('revokedAt', 'is', null).execute();
  }

  /** Ends every session of a user but `keep` (password change, 2FA reset, role change). */
  async revokeUser(userId: number, keep?: string): Promise<void> {
    let q = this.db.updateTable('apiSessions').set({ revokedAt: sql<Date>`now()` }).where('userId', '=', userId).where('revokedAt', 'is', null);
    if (keep) q = q.where('id', '!=', keep);
    await q.execute();
  }
}
