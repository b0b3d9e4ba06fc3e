import { isUniqueViolation } from '../../store/errors.js';
import type { StationGroupRepo } from '../../store/repos/station-groups.js';
import type { UserRepo } from '../../store/repos/users.js';
import type { UserRow } from '../../store/schema.js';
import { oneTimePassword } from './first-admin.js';
import { hashPassword } from './passwords.js';
import { machineRoles, type Role } from './roles.js';
import type { SessionService } from './session-service.js';
import type { TwoFactorService } from './totp.js';

/** Why an account change is refused; the API maps the code to its status, the CLI to exit code 2. */
export class AccountRefused extends Error {
  constructor(
    readonly code: 'self' | 'last_admin' | 'machine_role' | 'unknown_group' | 'duplicate' | 'out_of_scope',
    message: string,
  ) {
    super(message);
    this.name = 'AccountRefused';
  }
}

/** Lower-case letters, digits and `._@-`, as stored (usernames are case-insensitive). */
export const USERNAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$';

export interface NewAccount {
  username: string;
  roles: readonly Role[];
  /** null or absent: every station group */
  stationGroups?: readonly string[] | null;
  displayName?: string | null;
}

export interface AccountChanges {
  roles?: readonly Role[];
  stationGroups?: readonly string[] | null;
  disabled?: boolean;
  displayName?: string | null;
}

/** Who asks for a change: their own account is protected from some of them; a scoped admin grants only its own groups. */
export interface Actor {
  userId?: number;
  groups: readonly string[] | null;
}

const ADMIN: Role = 'admin';
const sameSet = (a: readonly string[] | null, b: readonly string[] | null): boolean =>
  a === b || (a !== null && b !== null && a.length === b.length && a.every((x) => b.includes(x)));

/**
 * Account administration (P4, AC1): people's accounts with one-time first passwords, role and
 * scope changes that end the account's sessions, lock and 2FA resets by another administrator,
 * and never an installation without an active administrator.
 */
export class UserAdmin {
  constructor(
    private readonly users: UserRepo,
    private readonly sessions: SessionService,
    private readonly groups: StationGroupRepo,
    private readonly twoFactor: TwoFactorService,
  ) {}

  /** A local account with a one-time password (shown once) that must be changed at first login. */
  async add(input: NewAccount, actor: Actor): Promise<{ user: UserRow; password: string }> {
    await this.checkGrant(input.roles, input.stationGroups ?? null, actor);
    const password = oneTimePassword();
    try {
      const user = await this.users.create({
        username: input.username, displayName: input.displayName ?? null, roles: [...new Set(input.roles)],
        stationGroups: input.stationGroups ? [...new Set(input.stationGroups)] : null, passwordHash: await hashPassword(password), mustChangePassword: true,
      });
      return { user, password };
    } catch (err) {
      if (isUniqueViolation(err)) throw new AccountRefused('duplicate', `user ${input.username.toLowerCase()} exists`);
      throw err;
    }
  }

  /** Roles, scope, disabled: a change of what the account may do or see ends its sessions. */
  async update(id: number, changes: AccountChanges, actor: Actor): Promise<{ before: UserRow; after: UserRow } | undefined> {
    const before = await this.users.byId(id);
    if (!before) return undefined;
    const roles = changes.roles ? [...new Set(changes.roles)] : before.roles;
    const groups = changes.stationGroups === undefined ? before.stationGroups : changes.stationGroups && [...new Set(changes.stationGroups)];
    if (changes.roles || changes.stationGroups !== undefined) await this.checkGrant(roles as Role[], groups, actor);
    if (changes.disabled && id === actor.userId) throw new AccountRefused('self', 'you cannot disable your own account');
    const losesAdmin = before.roles.includes(ADMIN) && !before.disabled && (!roles.includes(ADMIN) || changes.disabled === true);
    if (losesAdmin) await this.keepAnAdmin();
    const after = await this.users.update(id, {
      roles: JSON.stringify(roles), stationGroups: groups ? JSON.stringify(groups) : null,
      ...(changes.disabled !== undefined && { disabled: changes.disabled }),
      ...(changes.displayName !== undefined && { displayName: changes.displayName }),
    });
    if (!after) return undefined;
    const narrowed = !sameSet(before.roles, after.roles) || !sameSet(before.stationGroups, after.stationGroups) || (after.disabled && !before.disabled);
    if (narrowed) await this.sessions.revokeUser(id);
    return { before, after };
  }

  /** Removes an account (its sessions go with it); not your own, not the last active administrator. */
  async remove(id: number, actor: Actor): Promise<boolean> {
    if (id === actor.userId) throw new AccountRefused('self', 'you cannot remove your own account');
    const user = await this.users.byId(id);
    if (!user) return false;
    if (user.roles.includes(ADMIN) && !user.disabled) await this.keepAnAdmin();
    return this.users.remove(id);
  }

  /** Lifts a lockout before it runs out. */
  async unlock(id: number): Promise<UserRow | undefined> {
    return this.users.update(id, { failedLogins: 0, lockedUntil: null });
  }

  /** Lost phone: only another administrator resets 2FA; the account's sessions end and it enrols again. */
  async resetTwoFactor(id: number, actor: Actor): Promise<UserRow | undefined> {
    if (id === actor.userId) throw new AccountRefused('self', 'another administrator must reset your second factor');
    const user = await this.twoFactor.reset(id);
    if (user) await this.sessions.revokeUser(id);
    return user;
  }

  /** Machine roles belong to API clients; station groups must exist and lie within a scoped actor's own. */
  private async checkGrant(roles: readonly Role[], groups: readonly string[] | null, actor: Actor): Promise<void> {
    const machine = roles.filter((r) => machineRoles.has(r));
    if (machine.length) throw new AccountRefused('machine_role', `role ${machine.join(', ')} is for API clients, not people`);
    if (actor.groups && (groups === null || groups.some((g) => !actor.groups!.includes(g)))) {
      throw new AccountRefused('out_of_scope', 'a scoped administrator grants only station groups of its own');
    }
    for (const g of groups ?? []) {
      if (!(await this.groups.get(g))) throw new AccountRefused('unknown_group', `station group ${g} does not exist`);
    }
  }

  private async keepAnAdmin(): Promise<void> {
    if ((await this.users.countActive(ADMIN)) <= 1) throw new AccountRefused('last_admin', 'this is the last active administrator');
  }
}
