import { API_KEY_PREFIX, type ApiKeyService } from '../../domain/identity/api-keys.js';
import { ApiError } from '../errors.js';
import type { Authenticator } from './credentials.js';

/**
 * `ov2xk_` bearer values: API keys of machine clients (AC5). Only as a bearer: a key is never
 * a cookie, so a browser can never carry one for someone else. One answer for unknown,
 * expired and revoked, so the refusal says nothing about which keys exist.
 */
export function apiKeyAuthenticator(keys: () => ApiKeyService): Authenticator {
  return {
    name: 'apikey',
    async authenticate(credential) {
      if (credential.kind !== 'bearer' || !credential.value.startsWith(`${API_KEY_PREFIX}_`)) return undefined;
      const principal = await keys().resolve(credential.value);
      if (!principal) throw new ApiError(401, 'invalid_api_key', 'API key unknown, expired or revoked', undefined, { 'www-authenticate': 'Bearer realm="ov2x", error="invalid_token"' });
      return principal;
    },
  };
}
