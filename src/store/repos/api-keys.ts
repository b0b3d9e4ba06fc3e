import { sql, type Kysely } from 'kysely';
import type { ApiKeyRow, Database } from '../schema.js';

export interface NewApiKey {
  name: string;
  tokenHash: string;
  prefix: string;
  role: string;
  /** null = every station group */
  stationGroups: readonly string[] | null;
  createdBy: string;
  expiresAt: Date;
}

export type ApiKeyState = 'active' | 'expired' | 'revoked';

export interface ApiKeyQuery {
  limit: number;
  offset: number;
  sort?: 'createdAt' | 'expiresAt' | 'name';
  order?: 'asc' | 'desc';
  role?: string;
  state?: ApiKeyState;
  /** only keys whose station groups all lie within these (null = no restriction) */
  within: readonly string[] | null;
  now: Date;
}

/** API keys, found by the SHA-256 of the key. */
export class ApiKeyRepo {
  constructor(private readonly db: Kysely<Database>) {}

  create(k: NewApiKey): Promise<ApiKeyRow> {
    return this.db.insertInto('apiKeys').values({ ...k, stationGroups: k.stationGroups ? JSON.stringify(k.stationGroups) : null })
      .returningAll().executeTakeFirstOrThrow();
  }

  byHash(tokenHash: string): Promise<ApiKeyRow | undefined> {
    return this.db.selectFrom('apiKeys').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst();
  }

  get(id: number): Promise<ApiKeyRow | undefined> {
    return this.db.selectFrom('apiKeys').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(q: ApiKeyQuery): Promise<{ items: ApiKeyRow[]; total: number }> {
    let base = this.db.selectFrom('apiKeys');
    // a key for every group is outside any scoped caller's reach
    if (q.within) base = base.where(sql<boolean>`station_groups is not null and station_groups <@ ${JSON.stringify(q.within)}::jsonb`);
    if (q.role) base = base.where('role', '=', q.role);
    if (q.state === 'revoked') base = base.where('revokedAt', 'is not', null);
    if (q.state === 'expired') base = base.where('revokedAt', 'is', null).where('expiresAt', '<=', q.now);
    if (q.state === 'active') base = base.where('revokedAt', 'is', null).where('expiresAt', '>', q.now);
    const [items, count] = await Promise.all([
      base.selectAll().orderBy(q.sort ?? 'createdAt', q.order ?? 'asc').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(count.n) };
  }

  async touch(id: number, at: Date): Promise<void> {
    await this.db.updateTable('apiKeys').set({ lastUsedAt: at }).where('id', '=', id).execute();
  }

  /** Revokes a key not yet revoked; undefined when there is none such. */
  revoke(id: number, at: Date): Promise<ApiKeyRow | undefined> {
    return this.db.updateTable('apiKeys').set({ revokedAt: at }).where('id', '=', id).where('revokedAt', 'is', null)
      .returningAll().executeTakeFirst();
  }

  /**
   * Replaces a live, not yet rotated key by `next`, the old one ending at `oldUntil` (or
   * earlier, if it expires before). Undefined when the key was revoked or rotated meanwhile:
   * one key has one successor, so two rotations racing cannot both hand out keys.
   */
  rotate(id: number, next: NewApiKey, oldUntil: Date, now: Date): Promise<{ previous: ApiKeyRow; key: ApiKeyRow } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const claimed = await trx.updateTable('apiKeys')
        .set({ expiresAt: sql<Date>`least(expires_at, ${oldUntil.toISOString()}::timestamptz)` })
        .where('id', '=', id).where('revokedAt', 'is', null).where('replacedBy', 'is', null).where('expiresAt', '>', now)
        .returning('id').executeTakeFirst();
      if (!claimed) return undefined;
      const key = await trx.insertInto('apiKeys')
        .values({ ...next, stationGroups: next.stationGroups ? JSON.stringify(next.stationGroups) : null, rotatedFrom: id })
        .returningAll().executeTakeFirstOrThrow();
      const previous = await trx.updateTable('apiKeys').set({ replacedBy: key.id }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
      return { previous, key };
    });
  }
}
