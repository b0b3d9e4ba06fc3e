import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { UserRepo } from '../../store/repos/users.js';
import type { UserRow } from '../../store/schema.js';
import { mapClaims, type MappedClaims } from './oidc-claims.js';
import { OidcLogin, OidcLoginError } from './oidc-login.js';
import { oidcOptions, type OidcOptions, type OidcSettings } from './oidc-options.js';
import { OidcVerifier } from './oidc-verifier.js';
import type { Principal } from './principal.js';

/** OpenID Connect (M1): bearer tokens of an external provider and, optionally, the portal login through it. */
export interface OidcService {
  opts: OidcOptions;
  verifier: OidcVerifier;
  /** undefined when no client id is configured */
  login?: OidcLogin;
  map(payload: JWTPayload): MappedClaims;
}

/** undefined when no issuer is configured; throws ConfigError on a bad configuration. */
export function oidcService(settings: OidcSettings, now: () => number = Date.now): OidcService | undefined {
  const opts = oidcOptions(settings);
  if (!opts) return undefined;
  const verifier = new OidcVerifier(opts, now);
  return { opts, verifier, login: opts.login && new OidcLogin(verifier, opts.login, now), map: (p) => mapClaims(p, opts) };
}

/** Who a provider's token speaks for; stable across logins, never reused for another subject. */
export const oidcSubject = (p: { iss: string; sub: string }): string => `oidc:${p.iss}#${p.sub}`;

const nameOf = (p: JWTPayload & { sub: string }): string =>
  typeof p.preferred_username === 'string' && p.preferred_username ? p.preferred_username.slice(0, 128) : p.sub;

/** The principal of a bearer access token: no session, nothing pending (the provider did the sign-in). */
export function oidcPrincipal(p: JWTPayload & { sub: string; iss: string }, mapped: MappedClaims): Principal {
  return { kind: 'oidc', id: oidcSubject(p), name: nameOf(p), roles: mapped.roles, groups: mapped.groups, pending: [] };
}

/**
 * The account row of a provider user who logged in to the portal. Its username is derived from
 * issuer and subject (a hash: `sub` is case-sensitive and usernames are not), so a provider
 * user can never land on a local account of the same name. Roles and scope follow the
 * provider at every login.
 */
export async function upsertOidcUser(users: UserRepo, p: JWTPayload & { sub: string; iss: string }, mapped: MappedClaims): Promise<UserRow> {
  const username = `oidc-${createHash('sha256').update(oidcSubject(p)).digest('hex').slice(0, 32)}`;
  const fields = { displayName: nameOf(p), roles: mapped.roles, stationGroups: mapped.groups };
  const existing = await users.byUsername(username);
  if (!existing) return users.create({ username, source: 'oidc', ...fields });
  // a local account that happens to carry this name is never taken over
  if (existing.source !== 'oidc') throw new OidcLoginError('account', 'the account name of this provider user is taken by another account');
  const updated = await users.update(existing.id, { displayName: fields.displayName, roles: JSON.stringify(mapped.roles), stationGroups: mapped.groups ? JSON.stringify(mapped.groups) : null });
  return updated ?? existing;
}
