import { oidcPrincipal, type OidcService } from '../../domain/identity/oidc.js';
import { OidcTokenError, OidcUnavailableError } from '../../domain/identity/oidc-verifier.js';
import type { Logger } from '../../log/logger.js';
import { ApiError } from '../errors.js';
import type { Authenticator } from './credentials.js';

/** Three base64url parts: a JWS in compact form. Session tokens and API keys never look like this. */
const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** RFC 6750 §3: tell the client its token is the problem, not that it sent none. */
const invalidToken = (message: string): ApiError =>
  new ApiError(401, 'invalid_token', message, undefined, { 'www-authenticate': 'Bearer realm="ov2x", error="invalid_token"' });

/**
 * Bearer access tokens (JWT) of the configured OpenID provider: verified against its keys,
 * issuer, audience and expiry, then mapped to OV2X roles and station groups. Error messages say
 * why, never what the token holds.
 */
export function oidcAuthenticator(oidc: OidcService, log: Logger): Authenticator {
  return {
    name: 'oidc',
    async authenticate(credential) {
      if (credential.kind !== 'bearer' || !jwtShape.test(credential.value)) return undefined;
      let payload;
      try {
        payload = await oidc.verifier.verifyAccessToken(credential.value);
      } catch (err) {
        if (err instanceof OidcTokenError) {
          log.debug({ problem: err.problem }, 'OpenID Connect bearer token refused');
          throw invalidToken(err.message);
        }
        if (err instanceof OidcUnavailableError) {
          log.warn({ reason: err.message }, 'OpenID provider unavailable: bearer tokens cannot be checked');
          throw new ApiError(503, 'oidc_unavailable', 'the identity provider cannot be reached; try again later', undefined, { 'retry-after': '5' });
        }
        throw err;
      }
      const mapped = oidc.map(payload);
      if (!mapped.roles.length) {
        throw new ApiError(403, 'no_role', mapped.adminWithoutMfa
          ? 'the token maps to the admin role only, which needs a second factor shown in amr/acr'
          : 'the token carries no role this platform maps');
      }
      return oidcPrincipal(payload, mapped);
    },
  };
}
