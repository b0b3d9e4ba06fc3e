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

  /** Users holding `role` (all when undefined), for list totals. */
  countWith(role?: string): Promise<number> {
    let q = this.db.selectFrom('users').select((e) => e.fn.countAll<string>().as('n'));
    if (role) q = q.where(sql<boolean>`roles ? ${role}`);
    return q.executeTakeFirstOrThrow().then((r) => Number(r.n));
  }

  /** Enabled accounts holding `role`: the last administrator must not be removed or disabled. */
  countActive(role: string): Promise<number> {
    return this.db.selectFrom('users').select((e) => e.fn.countAll<string>().as('n')).where(sql<boolean>`roles ? ${role}`).where('disabled', '=', false)
      .executeTakeFirstOrThrow().then((r) => Number(r.n));
  }

  /**
   * Records a TOTP time step as used, only if later than the last one used: one statement, so
   * two requests racing with the same code cannot both pass (replay protection).
   */
  async useTotpStep(id: number, step: number): Promise<boolean> {
    const r = await this.db.updateTable('users').set({ totpLastStep: step, updatedAt: sql<Date>`now()` }).where('id', '=', id)
      .where((e) => e.or([e('totpLastStep', 'is', null), e('totpLastStep', '<', step)])).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** Consumes a recovery code (by hash) atomically: each one works once. */
  async useRecoveryCode(id: number, hash: string): Promise<boolean> {
    const r = await this.db.updateTable('users').set({ recoveryCodes: sql<string>`recovery_codes - ${hash}::text`, updatedAt: sql<Date>`now()` })
      .where('id', '=', id).where(sql<boolean>`recovery_codes ? ${hash}`).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async remove(id: number): Promise<boolean> {
    const r = await this.db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }
}
