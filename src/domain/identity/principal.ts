import { allows, type Permission, type Role } from './roles.js';

/** What a user still has to do before the rest of the API opens (first login, 2FA). */
export type PendingStep = 'change-password' | 'enrol-totp' | 'verify-totp';

/** Whoever is calling: a portal user, an API client or a token of an external OpenID provider. */
export interface Principal {
  kind: 'user' | 'apikey' | 'oidc';
  /** stable and unique: `user:12`, `apikey:3`, `oidc:<issuer>#<sub>` */
  id: string;
  /** for people: the username */
  name: string;
  roles: readonly Role[];
  /** station groups in scope; null = all */
  groups: readonly string[] | null;
  /** the user row behind a session (kind 'user') */
  userId?: number;
  /** a customer's portal account: the customer whose data it may see (role `customer`) */
  customerId?: number;
  /** the API session, when authenticated by one */
  session?: { id: string; csrfToken: string; viaCookie: boolean };
  /** non-empty: only the onboarding routes are open */
  pending: readonly PendingStep[];
}

export const can = (p: Principal, permission: Permission): boolean => allows(p.roles, permission);

/** Whether a station in `groupId` (null = no group) is within the principal's scope. */
export function inScope(p: Principal, groupId: string | null): boolean {
  return p.groups === null || (groupId !== null && p.groups.includes(groupId));
}
