import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { userPrincipal } from '../../domain/identity/account-service.js';
import { upsertOidcUser, type OidcService } from '../../domain/identity/oidc.js';
import { LOGIN_TTL_MS, OidcLoginError } from '../../domain/identity/oidc-login.js';
import { OidcTokenError, OidcUnavailableError } from '../../domain/identity/oidc-verifier.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { setSessionCookie } from './auth.js';

/** Binds a login to the browser that started it; SameSite=Lax so the provider's top-level redirect back carries it. */
const BINDING_COOKIE = 'ov2x_oidc';
/** The session's CSRF token for the portal script, which got no JSON answer it could read it from. */
export const CSRF_COOKIE = 'ov2x_csrf';

const CallbackQuery = Type.Object({
  state: Type.Optional(Type.String({ maxLength: 512 })),
  code: Type.Optional(Type.String({ maxLength: 4096 })),
  iss: Type.Optional(Type.String({ maxLength: 2048 })),
  error: Type.Optional(Type.String({ maxLength: 256 })),
  error_description: Type.Optional(Type.String({ maxLength: 2048 })),
});

const redirectAnswer = { 302: Type.Null({ description: 'redirect; see the Location header' }) };

/** The domain's refusals as API answers; messages never quote tokens or codes. */
function asApiError(err: unknown): unknown {
  if (err instanceof OidcLoginError) {
    if (err.reason === 'state') return new ApiError(400, 'invalid_state', err.message);
    return err.reason === 'account' ? new ApiError(409, 'account_conflict', err.message) : new ApiError(401, 'oidc_login_failed', err.message);
  }
  if (err instanceof OidcTokenError) return new ApiError(401, 'invalid_token', err.message);
  if (err instanceof OidcUnavailableError) return new ApiError(503, 'oidc_unavailable', 'the identity provider cannot be reached; try again later', undefined, { 'retry-after': '5' });
  return err;
}

/** Portal login through the external OpenID provider: authorization-code flow with PKCE (M1). */
export async function oidcRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { sessions, audit, accounts } = ctx.services.identity;
  // only the callback needs the binding cookie
  const bindingPath = `${app.prefix}/auth/oidc`;
  const loginOf = (): NonNullable<OidcService['login']> => {
    const login = ctx.services.identity.oidc?.login;
    if (!login) throw new ApiError(404, 'oidc_login_disabled', 'login through an OpenID provider is not configured');
    return login;
  };
  const refuse = async (req: FastifyRequest, err: unknown): Promise<never> => {
    const e = asApiError(err);
    if (e instanceof ApiError) await audit.record({ actor: { anonymous: 'oidc' }, action: 'auth.login', result: 'failure', sourceIp: req.ip, details: { via: 'oidc', code: e.code, reason: e.message } });
    throw e;
  };

  api.get('/auth/oidc/login', {
    config: { permission: 'public', audit: false },
    schema: {
      tags: ['auth'], summary: 'Start the portal login at the OpenID provider',
      description: 'Redirects to the provider with state, nonce and a PKCE S256 challenge; sets a short-lived cookie binding the login to this browser.',
      response: redirectAnswer,
    },
  }, async (_req, reply) => {
    const login = loginOf();
    const { url, binding } = await login.start().catch((err: unknown) => { throw asApiError(err); });
    void reply.setCookie(BINDING_COOKIE, binding, { httpOnly: true, secure: true, sameSite: 'lax', path: bindingPath, maxAge: LOGIN_TTL_MS / 1000 });
    return reply.redirect(url, 302);
  });

  api.get('/auth/oidc/callback', {
    config: { permission: 'public', audit: false },
    schema: {
      tags: ['auth'], summary: 'Where the OpenID provider sends the browser back',
      description: 'Consumes the state (single use), exchanges the code with the PKCE verifier, checks the ID token (signature, issuer, audience, nonce), maps the roles, opens a session (cookie) and redirects to the portal.',
      querystring: CallbackQuery, response: redirectAnswer,
    },
  }, async (req, reply) => {
    const login = loginOf();
    const oidc = ctx.services.identity.oidc!;
    void reply.clearCookie(BINDING_COOKIE, { path: bindingPath });
    const claims = await login.finish(req.query, req.cookies[BINDING_COOKIE]).catch((err: unknown) => refuse(req, err));
    const mapped = oidc.map(claims);
    if (!mapped.roles.length) await refuse(req, new ApiError(403, 'no_role', mapped.adminWithoutMfa ? 'the admin role needs a second factor at the provider' : 'your account at the provider has no role on this platform'));
    const user = await upsertOidcUser(accounts.users, claims, mapped).catch((err: unknown) => refuse(req, err));
    if (user.disabled) await refuse(req, new ApiError(403, 'account_disabled', 'this account is disabled'));
    // the provider did the sign-in, second factor included when the roles need it
    const { token, session } = await sessions.create(user.id, { mfaPassed: true, sourceIp: req.ip });
    const me = userPrincipal(user, session, true);
    req.principal = me;
    await audit.record({ actor: me, action: 'auth.login', result: 'success', sourceIp: req.ip, details: { via: 'oidc', pending: me.pending } });
    setSessionCookie(reply, token, session.expiresAt);
    // a redirect has no body to hand the CSRF token over: the portal script reads it from this cookie (not HttpOnly on purpose;
    // it proves nothing by itself, the server compares the x-csrf-token header with the session's own copy)
    void reply.setCookie(CSRF_COOKIE, session.csrfToken, { httpOnly: false, secure: true, sameSite: 'strict', path: '/', expires: session.expiresAt });
    return reply.redirect(login.opts.postLoginUrl, 302);
  });
}
