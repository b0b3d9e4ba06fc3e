import { ConfigError } from '../../config/config.js';
import { isRole, type Role } from './roles.js';

/** Asymmetric JWS algorithms only: a symmetric (HS*) key would be a secret shared with every client, 'none' no signature at all. */
export const asymmetricAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;

/** What the OpenID Connect relying party needs, parsed and checked once at start. */
export interface OidcOptions {
  issuer: string;
  /** `aud` an access token must carry to be accepted by this API */
  audience: string;
  clockSkewS: number;
  algorithms: string[];
  /** the claim holding external role names, as path segments (`realm_access.roles`) */
  rolesClaim: string[];
  /** external role name → OV2X roles */
  roleMap: ReadonlyMap<string, readonly Role[]>;
  /** the claim holding station-group ids; undefined = tokens are not scoped to groups */
  groupsClaim?: string[];
  /** the admin role is granted only when the token shows a second factor (amr/acr) */
  requireMfa: boolean;
  /** `acr` values that count as multi-factor */
  mfaAcr: ReadonlySet<string>;
  /** least time (ms) between two JWKS downloads triggered by an unknown key id */
  jwksCooldownMs: number;
  /** the portal login (authorization-code flow); undefined when no client is configured */
  login?: OidcLoginOptions;
}

export interface OidcLoginOptions {
  clientId: string;
  clientSecret?: string;
  redirectUrl: string;
  postLoginUrl: string;
  scopes: string;
}

/** The settings this module reads (a subset of the platform Config). */
export interface OidcSettings {
  oidcIssuer?: string;
  oidcAudience?: string;
  oidcClockSkew: number;
  oidcAlgorithms: string;
  oidcRolesClaim: string;
  oidcRoleMap?: string;
  oidcGroupsClaim?: string;
  oidcRequireMfa: boolean;
  oidcMfaAcr?: string;
  oidcJwksCooldown: number;
  oidcClientId?: string;
  oidcClientSecret?: string;
  oidcRedirectUrl?: string;
  oidcPostLoginUrl: string;
  oidcScopes: string;
}

const list = (raw: string | undefined): string[] => (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** `a.b\.c` → ['a', 'b.c']: a backslash keeps a dot inside a key (Keycloak client ids often hold dots). */
export function claimPath(raw: string): string[] {
  return raw.split(/(?<!\\)\./).map((s) => s.replace(/\\\./g, '.')).filter(Boolean);
}

/** https, or http on a loopback address only (tests, a provider on the same host). */
function acceptableIssuer(raw: string): boolean {
  try {
    const u = new URL(raw);
    if (u.search || u.hash || u.username || u.password) return false;
    return u.protocol === 'https:' || (u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname));
  } catch {
    return false;
  }
}

/** undefined when no issuer is configured (OpenID Connect off); throws a ConfigError with every problem at once otherwise. */
export function oidcOptions(s: OidcSettings): OidcOptions | undefined {
  if (!s.oidcIssuer) return undefined;
  const problems: string[] = [];
  if (!acceptableIssuer(s.oidcIssuer)) problems.push('OV2X_OIDC_ISSUER must be an https:// URL (http:// only on a loopback address) without query or fragment');
  if (!s.oidcAudience) problems.push('OV2X_OIDC_AUDIENCE is required with OV2X_OIDC_ISSUER: without it a token for any other service of the provider would be accepted');
  const algorithms = list(s.oidcAlgorithms);
  const bad = algorithms.filter((a) => !(asymmetricAlgorithms as readonly string[]).includes(a));
  if (bad.length || !algorithms.length) problems.push(`OV2X_OIDC_ALGORITHMS accepts only ${asymmetricAlgorithms.join(', ')}${bad.length ? ` (not ${bad.join(', ')})` : ''}`);
  const roleMap = new Map<string, Role[]>();
  for (const pair of list(s.oidcRoleMap)) {
    const [external, role, extra] = pair.split('=').map((x) => x.trim());
    if (!external || !isRole(role) || extra !== undefined) {
      problems.push(`OV2X_OIDC_ROLE_MAP: ${JSON.stringify(pair)} is not <external role>=<OV2X role>`);
      continue;
    }
    roleMap.set(external, [...(roleMap.get(external) ?? []), role]);
  }
  const rolesClaim = claimPath(s.oidcRolesClaim);
  if (!rolesClaim.length) problems.push('OV2X_OIDC_ROLES_CLAIM must name a claim');
  let login: OidcLoginOptions | undefined;
  if (s.oidcClientId) {
    if (!s.oidcRedirectUrl) problems.push('OV2X_OIDC_REDIRECT_URL is required with OV2X_OIDC_CLIENT_ID (the callback URL registered at the provider)');
    const post = s.oidcPostLoginUrl;
    // a fixed setting, yet never let it become an open redirect to another host by accident
    if (!/^\/(?![/\\])/.test(post) && !acceptableRedirect(post)) problems.push('OV2X_OIDC_POST_LOGIN_URL must be a path (/…) or an http(s) URL');
    if (!list(s.oidcScopes.replace(/\s+/g, ',')).includes('openid')) problems.push('OV2X_OIDC_SCOPES must include openid');
    login = { clientId: s.oidcClientId, clientSecret: s.oidcClientSecret, redirectUrl: s.oidcRedirectUrl ?? '', postLoginUrl: post, scopes: s.oidcScopes };
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    issuer: s.oidcIssuer, audience: s.oidcAudience!, clockSkewS: s.oidcClockSkew, algorithms, rolesClaim, roleMap,
    groupsClaim: s.oidcGroupsClaim ? claimPath(s.oidcGroupsClaim) : undefined,
    requireMfa: s.oidcRequireMfa, mfaAcr: new Set(list(s.oidcMfaAcr)), jwksCooldownMs: s.oidcJwksCooldown * 1000, login,
  };
}

function acceptableRedirect(raw: string): boolean {
  try {
    const u = new URL(raw);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}
