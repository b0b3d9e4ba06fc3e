import type { ApiContext } from '../context.js';
import type { Authenticator } from './credentials.js';
import { sessionAuthenticator } from './session-authenticator.js';
import { apiKeyAuthenticator } from './api-key-authenticator.js';
import { oidcAuthenticator } from './oidc-authenticator.js';

/** The authenticators tried in order for every credential; each claims only its own kind. */
export function authenticatorsFor(ctx: ApiContext): Authenticator[] {
  return [
    sessionAuthenticator(ctx.services.identity.sessions),
    // looked up per request: the key service may be rewired (a test's clock) after start
    apiKeyAuthenticator(() => ctx.services.identity.apiKeys),
    ...(ctx.services.identity.oidc ? [oidcAuthenticator(ctx.services.identity.oidc, ctx.log)] : []),
  ];
}
