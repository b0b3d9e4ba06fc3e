import type { UserRepo } from '../../store/repos/users.js';
import type { ApiSessionRow, UserRow } from '../../store/schema.js';
import { hashPassword, needsRehash, verifyPassword } from './passwords.js';
import { checkPassword, type PolicyViolation } from './password-policy.js';
import type { PendingStep, Principal } from './principal.js';
import { isRole, mfaRequired, type Role } from './roles.js';

export interface LockoutPolicy {
  /** failed logins in a row before the account locks */
  maxFailures: number;
  /** first lock (ms); each further failure doubles it, up to maxLockMs */
  lockMs: number;
  maxLockMs: number;
}

export type LoginOutcome =
  | { ok: true; user: UserRow }
  /** one answer for unknown user, wrong password, locked and disabled: no oracle */
  | { ok: false; reason: 'invalid' | 'locked' | 'disabled' | 'unknown'; user?: UserRow };

/** A directory that checks passwords itself (LDAP): its users get an account row of that source. */
export interface ExternalDirectory {
  source: 'ldap';
  /** the directory's view of the user when the password is right; undefined when unknown or wrong */
  authenticate(username: string, password: string): Promise<{ username: string; displayName?: string; roles: Role[]; groups: string[] | null } | undefined>;
}

/** Local accounts: password login with lockout and back-off, and the principal a user acts as. */
export class AccountService {
  constructor(
    readonly users: UserRepo,
    private readonly lockout: LockoutPolicy,
    private readonly now: () => number = Date.now,
    private readonly directory?: ExternalDirectory,
  ) {}

  async login(username: string, password: string): Promise<LoginOutcome> {
    const existing = await this.users.byUsername(username);
    if (this.directory && (!existing || existing.source === this.directory.source)) return this.directoryLogin(username, password, existing);
    return this.localLogin(existing, password);
  }

  /** The directory decides the password and, at every login, the roles and scope (group changes take effect). */
  private async directoryLogin(username: string, password: string, existing: UserRow | undefined): Promise<LoginOutcome> {
    if (existing?.disabled) return { ok: false, reason: 'disabled', user: existing };
    if (existing?.lockedUntil && existing.lockedUntil.getTime() > this.now()) return { ok: false, reason: 'locked', user: existing };
    const found = await this.directory!.authenticate(username, password);
    if (!found) {
      if (existing) await this.countFailure(existing);
      return { ok: false, reason: existing ? 'invalid' : 'unknown', user: existing };
    }
    const fields = { displayName: found.displayName ?? null, roles: JSON.stringify(found.roles), stationGroups: found.groups ? JSON.stringify(found.groups) : null, failedLogins: 0, lockedUntil: null };
    const user = existing
      ? await this.users.update(existing.id, fields)
      : await this.users.create({ username: found.username, source: this.directory!.source, roles: found.roles, stationGroups: found.groups, displayName: found.displayName });
    return { ok: true, user: user! };
  }

  private async localLogin(user: UserRow | undefined, password: string): Promise<LoginOutcome> {
    // the hash is verified in every case, so all outcomes take the same time
    const matches = await verifyPassword(user?.source === 'local' ? user.passwordHash : undefined, password);
    if (!user || user.source !== 'local') return { ok: false, reason: 'unknown' };
    if (user.disabled) return { ok: false, reason: 'disabled', user };
    if (user.lockedUntil && user.lockedUntil.getTime() > this.now()) return { ok: false, reason: 'locked', user };
    if (!matches) {
      await this.countFailure(user);
      return { ok: false, reason: 'invalid', user };
    }
    // with TOTP the sign-in is not over: failures keep counting (and doubling) until the second factor passes
    const set: Parameters<UserRepo['update']>[1] = user.totpEnabled ? {} : { failedLogins: 0, lockedUntil: null };
    if (user.passwordHash && needsRehash(user.passwordHash)) set.passwordHash = await hashPassword(password);
    return { ok: true, user: (await this.users.update(user.id, set)) ?? user };
  }

  isLocked(user: UserRow): boolean {
    return user.lockedUntil !== null && user.lockedUntil.getTime() > this.now();
  }

  /** Changes a local password: the current one must be given and the new one pass the policy. */
  async changePassword(user: UserRow, current: string, next: string): Promise<{ ok: true; user: UserRow } | { ok: false; violation: PolicyViolation | 'wrong_password' | 'not_local' }> {
    if (user.source !== 'local') return { ok: false, violation: 'not_local' };
    // a locked account is refused even with the right password, as at login
    if (this.isLocked(user)) return { ok: false, violation: 'wrong_password' };
    if (!(await verifyPassword(user.passwordHash, current))) {
      await this.countFailure(user);
      return { ok: false, violation: 'wrong_password' };
    }
    const violation = checkPassword(next, user.username) ?? (current === next ? { rule: 'reuse', message: 'the new password must differ from the current one' } as const : undefined);
    if (violation) return { ok: false, violation };
    const updated = await this.users.update(user.id, { passwordHash: await hashPassword(next), mustChangePassword: false, passwordChangedAt: new Date(this.now()) });
    return { ok: true, user: updated ?? user };
  }

  /** Lifts a lock and forgets the failures (an administrator's unlock, a passed second factor). */
  async clearFailures(userId: number): Promise<UserRow | undefined> {
    return this.users.update(userId, { failedLogins: 0, lockedUntil: null });
  }

  /** Counts a failed sign-in step; from the limit on, each failure locks the account twice as long. */
  async countFailure(user: UserRow): Promise<void> {
    const failures = await this.users.failedLogin(user.id);
    const over = failures - this.lockout.maxFailures;
    if (over >= 0) {
      const ms = Math.min(this.lockout.lockMs * 2 ** Math.min(over, 20), this.lockout.maxLockMs);
      await this.users.update(user.id, { lockedUntil: new Date(this.now() + ms) });
    }
  }
}

export function rolesOf(user: Pick<UserRow, 'roles'>): Role[] {
  return user.roles.filter(isRole);
}

/** What a user still has to do before the API opens beyond onboarding. */
export function pendingSteps(user: UserRow, session: Pick<ApiSessionRow, 'mfaPassed'>): PendingStep[] {
  const steps: PendingStep[] = [];
  if (user.totpEnabled && !session.mfaPassed) steps.push('verify-totp');
  if (user.mustChangePassword) steps.push('change-password');
  // an OpenID provider user proved the second factor there (admin is mapped only when the token shows it)
  if (user.source === 'oidc') return steps;
  if (!user.totpEnabled && rolesOf(user).some((r) => mfaRequired.has(r))) steps.push('enrol-totp');
  return steps;
}

export function userPrincipal(user: UserRow, session: ApiSessionRow, viaCookie: boolean): Principal {
  return {
    kind: 'user', id: `user:${user.id}`, name: user.username, userId: user.id,
    roles: rolesOf(user), groups: user.stationGroups,
    // a customer's portal account sees only that customer's data (/me)
    ...(user.customerId !== null && { customerId: user.customerId }),
    session: { id: session.id, csrfToken: session.csrfToken, viaCookie },
    pending: pendingSteps(user, session),
  };
}
