import type { JWTPayload } from 'jose';
import type { OidcOptions } from './oidc-options.js';
import { roles as allRoles, type Role } from './roles.js';

/** RFC 8176 `amr` values that are a second factor or a multi-factor method by themselves. */
const mfaMethods: ReadonlySet<string> = new Set(['mfa', 'otp', 'hwk', 'sc', 'sms', 'tel', 'fpt', 'face', 'iris', 'retina', 'vbm']);

/** The value at a claim path; undefined when any step is missing. */
export function claimAt(payload: Record<string, unknown>, path: readonly string[]): unknown {
  let at: unknown = payload;
  for (const key of path) {
    if (at === null || typeof at !== 'object' || Array.isArray(at) || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** A list claim: an array of strings, or one string of space-separated values (like `scope`). Anything else counts as empty. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Whether the token shows that the user passed a second factor at the provider. */
export function showsMfa(payload: JWTPayload, opts: Pick<OidcOptions, 'mfaAcr'>): boolean {
  if (stringsOf(payload.amr).some((m) => mfaMethods.has(m))) return true;
  return typeof payload.acr === 'string' && opts.mfaAcr.has(payload.acr);
}

export interface MappedClaims {
  roles: Role[];
  /** null = every station group */
  groups: string[] | null;
  /** the admin role was mapped but dropped because the token shows no second factor */
  adminWithoutMfa: boolean;
}

/**
 * External roles → OV2X roles through the configured map (unmapped ones are ignored), and the
 * station-group scope. With a groups claim configured, a token without it is scoped to no group:
 * a missing claim must never widen access.
 */
export function mapClaims(payload: JWTPayload, opts: Pick<OidcOptions, 'rolesClaim' | 'roleMap' | 'groupsClaim' | 'requireMfa' | 'mfaAcr'>): MappedClaims {
  const held = new Set(stringsOf(claimAt(payload, opts.rolesClaim)).flatMap((r) => opts.roleMap.get(r) ?? []));
  const adminWithoutMfa = held.has('admin') && opts.requireMfa && !showsMfa(payload, opts);
  if (adminWithoutMfa) held.delete('admin');
  // Keycloak's group claim gives full paths (`/site-a`); the station group id is the name
  const groups = opts.groupsClaim ? [...new Set(stringsOf(claimAt(payload, opts.groupsClaim)).map((g) => g.replace(/^\/+/, '')).filter(Boolean))] : null;
  return { roles: allRoles.filter((r) => held.has(r)), groups, adminWithoutMfa };
}
