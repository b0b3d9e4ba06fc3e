import { userPrincipal } from '../../domain/identity/account-service.js';
import type { SessionService } from '../../domain/identity/session-service.js';
import { unauthenticated } from '../errors.js';
import type { Authenticator } from './credentials.js';

/** Portal cookies and `ov2xs_` bearer tokens: API sessions opened by a login. */
export function sessionAuthenticator(sessions: SessionService): Authenticator {
  return {
    name: 'session',
    async authenticate(credential) {
      if (credential.kind === 'bearer' && !credential.value.startsWith('ov2xs_')) return undefined;
      const found = await sessions.resolve(credential.value);
      if (!found) throw unauthenticated('session expired or unknown');
      return userPrincipal(found.user, found.session, credential.kind === 'cookie');
    },
  };
}
