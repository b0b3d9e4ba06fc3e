import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { OidcOptions } from './oidc-options.js';

/** Why a token was refused; the reason is safe to show (it never quotes the token). */
export type TokenProblem = 'malformed' | 'issuer' | 'algorithm' | 'type' | 'signature' | 'expired' | 'not_yet_valid' | 'audience' | 'claims' | 'nonce';

const problemText: Record<TokenProblem, string> = {
  malformed: 'the token is not a well-formed JWT',
  issuer: 'the token comes from an issuer this platform does not trust',
  algorithm: 'the token is signed with an algorithm this platform does not accept',
  type: 'the token is not an access token',
  signature: 'the token signature does not verify against the provider keys',
  expired: 'the token has expired',
  not_yet_valid: 'the token is not valid yet',
  audience: 'the token is not meant for this API',
  claims: 'the token lacks a required claim',
  nonce: 'the ID token does not belong to this login',
};

export class OidcTokenError extends Error {
  constructor(readonly problem: TokenProblem) {
    super(problemText[problem]);
    this.name = 'OidcTokenError';
  }
}

/** The provider could not be reached or answered nonsense: tokens cannot be checked right now. */
export class OidcUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OidcUnavailableError';
  }
}

/** The parts of the provider's discovery document (OpenID Connect Discovery 1.0) this platform uses. */
export interface ProviderMetadata {
  issuer: string;
  jwks_uri: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
}

const FETCH_TIMEOUT_MS = 5000;
/** keys are re-read at least this often, so a key the provider withdrew stops working */
const JWKS_MAX_AGE_MS = 10 * 60_000;
/** a failed discovery is retried after this long, not at every request */
const DISCOVERY_RETRY_MS = 5000;

/** `typ` values of an access token (RFC 9068 `at+jwt`; Keycloak and others send `JWT`). */
const accessTokenTypes = new Set(['at+jwt', 'application/at+jwt', 'jwt']);

/**
 * The external provider as this platform sees it: discovery once, then its key set through
 * jose's remote JWKS (cached; a token with an unknown key id triggers a new download, at most
 * once per cool-down, so the provider can rotate keys without a restart).
 */
export class OidcVerifier {
  private discovery?: Promise<{ metadata: ProviderMetadata; keys: JWTVerifyGetKey }>;
  private failedAt = 0;

  constructor(
    readonly opts: OidcOptions,
    private readonly now: () => number = Date.now,
  ) {}

  async metadata(): Promise<ProviderMetadata> {
    return (await this.discover()).metadata;
  }

  /** A bearer access token of the provider for this API: its verified claims, or an OidcTokenError. */
  async verifyAccessToken(token: string): Promise<JWTPayload & { sub: string; iss: string }> {
    const header = this.precheck(token);
    const typ = header.typ?.toLowerCase();
    if (typ !== undefined && !accessTokenTypes.has(typ)) throw new OidcTokenError('type');
    const payload = await this.verify(token, this.opts.audience);
    // Keycloak marks its ID tokens with typ "ID": an ID token is proof of login for a client, not an access grant
    if (payload.typ === 'ID') throw new OidcTokenError('type');
    return payload;
  }

  /** An ID token of the login flow: signed by the provider, for our client, carrying our nonce. */
  async verifyIdToken(token: string, clientId: string, nonce: string): Promise<JWTPayload & { sub: string; iss: string }> {
    this.precheck(token);
    const payload = await this.verify(token, clientId);
    if (payload.nonce !== nonce) throw new OidcTokenError('nonce');
    // with several audiences the authorized party must be us (OpenID Connect Core 3.1.3.7)
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== clientId) throw new OidcTokenError('audience');
    return payload;
  }

  /** Cheap checks before any key lookup: a foreign issuer must not make us download keys. */
  private precheck(token: string): ReturnType<typeof decodeProtectedHeader> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    let claims: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      claims = decodeJwt(token);
    } catch {
      throw new OidcTokenError('malformed');
    }
    if (claims.iss !== this.opts.issuer) throw new OidcTokenError('issuer');
    if (typeof header.alg !== 'string' || !this.opts.algorithms.includes(header.alg)) throw new OidcTokenError('algorithm');
    return header;
  }

  private async verify(token: string, audience: string): Promise<JWTPayload & { sub: string; iss: string }> {
    const { keys } = await this.discover();
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: this.opts.issuer, audience, algorithms: this.opts.algorithms,
        clockTolerance: this.opts.clockSkewS, currentDate: new Date(this.now()), requiredClaims: ['exp', 'sub'],
      });
      // jose checks iat only with a maximum age; a token issued in our future means a clock beyond the tolerated skew
      if (typeof payload.iat === 'number' && payload.iat > this.now() / 1000 + this.opts.clockSkewS) throw new OidcTokenError('not_yet_valid');
      return payload as JWTPayload & { sub: string; iss: string };
    } catch (err) {
      throw err instanceof OidcTokenError ? err : classify(err);
    }
  }

  private discover(): Promise<{ metadata: ProviderMetadata; keys: JWTVerifyGetKey }> {
    if (this.discovery && !(this.failedAt && this.now() - this.failedAt >= DISCOVERY_RETRY_MS)) return this.discovery;
    this.failedAt = 0;
    this.discovery = this.fetchMetadata().then((metadata) => ({
      metadata,
      keys: createRemoteJWKSet(new URL(metadata.jwks_uri), { cooldownDuration: this.opts.jwksCooldownMs, cacheMaxAge: JWKS_MAX_AGE_MS, timeoutDuration: FETCH_TIMEOUT_MS }),
    }));
    this.discovery.catch(() => { this.failedAt = this.now(); });
    return this.discovery;
  }

  private async fetchMetadata(): Promise<ProviderMetadata> {
    const url = `${this.opts.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let body: Partial<ProviderMetadata>;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error', headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      body = await res.json() as Partial<ProviderMetadata>;
    } catch (err) {
      throw new OidcUnavailableError(`OpenID provider discovery failed: ${(err as Error).message}`);
    }
    // the document must name exactly the configured issuer (Discovery 1.0 §4.3), or it is someone else's
    if (body.issuer !== this.opts.issuer) throw new OidcUnavailableError('OpenID provider discovery names another issuer');
    if (typeof body.jwks_uri !== 'string' || !sameSecurity(body.jwks_uri, this.opts.issuer)) throw new OidcUnavailableError('OpenID provider discovery has no usable jwks_uri');
    return body as ProviderMetadata;
  }
}

/** An https issuer's endpoints must be https too. */
export function sameSecurity(url: string, issuer: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === new URL(issuer).protocol || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function classify(err: unknown): Error {
  if (err instanceof errors.JWTExpired) return new OidcTokenError('expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return new OidcTokenError('audience');
    if (err.claim === 'iss') return new OidcTokenError('issuer');
    if (err.claim === 'nbf' || err.claim === 'iat') return new OidcTokenError('not_yet_valid');
    return new OidcTokenError('claims');
  }
  // the key set could not be fetched or read (jose raises the generic error for a bad HTTP answer)
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || (err instanceof errors.JOSEError && err.code === 'ERR_JOSE_GENERIC')) return new OidcUnavailableError('OpenID provider keys could not be fetched');
  if (err instanceof errors.JOSEAlgNotAllowed) return new OidcTokenError('algorithm');
  if (err instanceof errors.JWTInvalid || err instanceof errors.JWSInvalid) return new OidcTokenError('malformed');
  if (err instanceof errors.JOSEError) return new OidcTokenError('signature');
  // fetch of the key set failed (network, HTTP status): not the caller's fault
  return new OidcUnavailableError('OpenID provider keys could not be fetched');
}
