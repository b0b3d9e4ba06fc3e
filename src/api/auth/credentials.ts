import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../domain/identity/principal.js';

export const SESSION_COOKIE = 'ov2x_session';
export const CSRF_HEADER = 'x-csrf-token';

/** What a request presents: a bearer token (API clients) or the portal's session cookie. */
export type Credential = { kind: 'bearer'; value: string } | { kind: 'cookie'; value: string };

/**
 * One way of turning a credential into a principal (session, API key, OpenID Connect, ...).
 * Returns undefined when the credential is not of its kind; throws an ApiError (401) when it
 * is of its kind but not valid.
 */
export interface Authenticator {
  name: string;
  authenticate(credential: Credential, req: FastifyRequest): Promise<Principal | undefined>;
}

export function credentialOf(req: FastifyRequest): Credential | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? { kind: 'bearer', value: m[1]! } : { kind: 'bearer', value: '' };
  }
  const cookie = req.cookies[SESSION_COOKIE];
  return cookie ? { kind: 'cookie', value: cookie } : undefined;
}
