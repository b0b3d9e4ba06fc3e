import { sql, type Kysely, type Updateable } from 'kysely';
import type { Database, UserRow, UsersTable } from '../schema.js';

export interface NewUser {
  username: string;
  displayName?: string | null;
  source?: 'local' | 'ldap' | 'oidc';
  roles: readonly string[];
  stationGroups?: readonly string[] | null;
  passwordHash?: string | null;
  mustChangePassword?: boolean;
}

/** User accounts: local ones with their Argon2id hash, federated ones as a mapping target. */
export class UserRepo {
  constructor(private readonly db: Kysely<Database>) {}

  create(u: NewUser): Promise<UserRow> {
    return this.db.insertInto('users').values({
      username: u.username.toLowerCase(), displayName: u.displayName ?? null, source: u.source ?? 'local',
      roles: JSON.stringify(u.roles), stationGroups: u.stationGroups ? JSON.stringify(u.stationGroups) : null,
      passwordHash: u.passwordHash ?? null, mustChangePassword: u.mustChangePassword ?? false,
      passwordChangedAt: u.passwordHash ? new Date() : null,
    }).returningAll().executeTakeFirstOrThrow();
  }

  byUsername(username: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('username', '=', username.toLowerCase()).executeTakeFirst();
  }

  byId(id: number): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(opts: { limit: number; offset: number; role?: string; sort?: 'username' | 'createdAt'; order?: 'asc' | 'desc' }): Promise<UserRow[]> {
    let q = this.db.selectFrom('users').selectAll();
    if (opts.role) q = q.where(sql<boolean>`roles ? ${opts.role}`);
    return q.orderBy(opts.sort ?? 'username', opts.order ?? 'asc').orderBy('id').limit(opts.limit).offset(opts.offset).execute();
  }

  count(): Promise<number> {
    return this.db.selectFrom('users').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow().then((r) => Number(r.n));
  }

  async update(id: number, set: Omit<Updateable<UsersTable>, 'id' | 'createdAt'>): Promise<UserRow | undefined> {
    return this.db.updateTable('users').set({ ...set, updatedAt: sql<Date>`now()` }).where('id', '=', id).returningAll().executeTakeFirst();
  }

  /** Counts a failed login; returns the new count. */
  async failedLogin(id: number): Promise<number> {
    const r = await this.db.updateTable('users').set({ failedLogins: sql<number>`failed_logins + 1` }).where('id', '=', id)
      .returning('failedLogins').executeTakeFirstOrThrow();
    return r.failedLogins;
  }

  async remove(id: number): Promise<boolean> {
    const r = await this.db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }
}
