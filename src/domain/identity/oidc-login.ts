import { createHash, randomBytes } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { OidcLoginOptions } from './oidc-options.js';
import { OidcTokenError, OidcUnavailableError, sameSecurity, type OidcVerifier } from './oidc-verifier.js';
import { sameSecret } from './secrets.js';

/** What one login attempt keeps on the server between the redirect to the provider and the callback. */
interface PendingLogin {
  nonce: string;
  verifier: string;
  /** also set as a cookie on the browser that started the login: a callback URL replayed elsewhere is refused */
  binding: string;
  expiresAt: number;
}

/** A login attempt lives this long (ms): long enough to type a password and a code at the provider. */
export const LOGIN_TTL_MS = 10 * 60_000;
/** Logins in flight at once; unauthenticated callers can start them, so memory stays bounded. */
const MAX_PENDING = 10_000;

const random = (): string => randomBytes(32).toString('base64url');

export class OidcLoginError extends Error {
  constructor(readonly reason: 'state' | 'provider' | 'exchange' | 'account', message: string) {
    super(message);
    this.name = 'OidcLoginError';
  }
}

/**
 * The portal's authorization-code flow with PKCE (S256), state and nonce. Each state is stored
 * here (short-lived, single use) and bound to the starting browser by a cookie value.
 */
export class OidcLogin {
  private readonly pending = new Map<string, PendingLogin>();

  constructor(
    private readonly verifier: OidcVerifier,
    readonly opts: OidcLoginOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** The provider URL to send the browser to, and the binding value for its cookie. */
  async start(): Promise<{ url: string; binding: string }> {
    const metadata = await this.verifier.metadata();
    if (!metadata.authorization_endpoint || !sameSecurity(metadata.authorization_endpoint, metadata.issuer)) throw new OidcUnavailableError('the OpenID provider has no usable authorization endpoint');
    this.sweep();
    const state = random();
    const login: PendingLogin = { nonce: random(), verifier: random(), binding: random(), expiresAt: this.now() + LOGIN_TTL_MS };
    this.pending.set(state, login);
    const url = new URL(metadata.authorization_endpoint);
    // added to, not replacing, a query the endpoint may already have (some providers name a policy there)
    for (const [k, v] of Object.entries({
      response_type: 'code', client_id: this.opts.clientId, redirect_uri: this.opts.redirectUrl, scope: this.opts.scopes,
      state, nonce: login.nonce, code_challenge: createHash('sha256').update(login.verifier).digest('base64url'), code_challenge_method: 'S256',
    })) url.searchParams.set(k, v);
    return { url: url.toString(), binding: login.binding };
  }

  /**
   * The callback: the state is consumed whatever happens next (a replay finds nothing), the code
   * exchanged with the PKCE verifier, and the ID token checked (signature, issuer, audience, nonce).
   */
  async finish(q: { state?: string; code?: string; error?: string; iss?: string }, binding: string | undefined): Promise<JWTPayload & { sub: string; iss: string }> {
    const login = q.state === undefined ? undefined : this.pending.get(q.state);
    if (q.state !== undefined) this.pending.delete(q.state);
    if (!login || login.expiresAt <= this.now()) throw new OidcLoginError('state', 'unknown, used or expired login state');
    if (binding === undefined || !sameSecret(binding, login.binding)) throw new OidcLoginError('state', 'the login was started in another browser');
    // RFC 9207: an authorization response naming another issuer is a mix-up attack
    if (q.iss !== undefined && q.iss !== this.verifier.opts.issuer) throw new OidcLoginError('provider', 'the answer comes from another issuer');
    if (q.error !== undefined) throw new OidcLoginError('provider', `the provider refused the login (${/^[\w.-]{1,64}$/.test(q.error) ? q.error : 'error'})`);
    if (!q.code) throw new OidcLoginError('provider', 'the provider sent no authorization code');
    const idToken = await this.exchange(q.code, login.verifier);
    return this.verifier.verifyIdToken(idToken, this.opts.clientId, login.nonce);
  }

  private async exchange(code: string, verifier: string): Promise<string> {
    const metadata = await this.verifier.metadata();
    if (!metadata.token_endpoint || !sameSecurity(metadata.token_endpoint, metadata.issuer)) throw new OidcUnavailableError('the OpenID provider has no usable token endpoint');
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: this.opts.redirectUrl, code_verifier: verifier });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    // client_secret_basic (RFC 6749 §2.3.1: both parts form-encoded); a public client names itself in the body
    if (this.opts.clientSecret !== undefined) headers.authorization = `Basic ${Buffer.from(`${formEncode(this.opts.clientId)}:${formEncode(this.opts.clientSecret)}`).toString('base64')}`;
    else body.set('client_id', this.opts.clientId);
    let res: Response;
    try {
      res = await fetch(metadata.token_endpoint, { method: 'POST', headers, body, redirect: 'error', signal: AbortSignal.timeout(5000) });
    } catch {
      throw new OidcUnavailableError('the OpenID provider token endpoint could not be reached');
    }
    const answer = await res.json().catch(() => ({})) as { id_token?: unknown; error?: unknown };
    if (!res.ok) throw new OidcLoginError('exchange', `the provider refused the code (${typeof answer.error === 'string' && /^[\w.-]{1,64}$/.test(answer.error) ? answer.error : `HTTP ${res.status}`})`);
    if (typeof answer.id_token !== 'string') throw new OidcTokenError('malformed');
    return answer.id_token;
  }

  /** Drops expired attempts; past the cap, the oldest go first. */
  private sweep(): void {
    const now = this.now();
    for (const [state, login] of this.pending) if (login.expiresAt <= now) this.pending.delete(state);
    for (const state of this.pending.keys()) {
      if (this.pending.size < MAX_PENDING) break;
      this.pending.delete(state);
    }
  }
}

const formEncode = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+');
