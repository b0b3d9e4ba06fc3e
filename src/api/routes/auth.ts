import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { permissionMatrix, type Permission } from '../../domain/identity/roles.js';
import type { Principal } from '../../domain/identity/principal.js';
import { userPrincipal } from '../../domain/identity/account-service.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiContext } from '../context.js';
import { SESSION_COOKIE } from '../auth/credentials.js';
import { ApiError, unauthenticated } from '../errors.js';
import { DateTime } from '../schemas.js';
import type { FastifyInstance } from 'fastify';

const Credentials = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 128 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
}, { additionalProperties: false });

export const Me = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  name: Type.String(),
  roles: Type.Array(Type.String()),
  groups: Type.Union([Type.Array(Type.String()), Type.Null()]),
  permissions: Type.Array(Type.String()),
  pending: Type.Array(Type.String(), { description: 'steps left before the rest of the API opens' }),
});

const LoginAnswer = Type.Object({
  token: Type.String({ description: 'bearer token of the session; the portal uses the HttpOnly cookie instead' }),
  csrfToken: Type.String({ description: 'send as x-csrf-token with every unsafe request made with the cookie' }),
  expiresAt: DateTime,
  me: Me,
});

export function meOf(p: Principal): Static<typeof Me> {
  const perms = new Set<Permission>(p.roles.flatMap((r) => permissionMatrix[r]));
  return { id: p.id, kind: p.kind, name: p.name, roles: [...p.roles], groups: p.groups ? [...p.groups] : null, permissions: [...perms].sort(), pending: [...p.pending] };
}

/** The session cookie: HttpOnly (no script reads it), Secure, SameSite=Strict, API paths only. */
export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: Date): void {
  void reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, secure: true, sameSite: 'strict', path: '/', expires: expiresAt });
}

/** Login, logout and who-am-I. One answer for every failed login: no account-existence oracle. */
export async function authRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { accounts, sessions, audit } = ctx.services.identity;

  api.post('/auth/login', {
    config: { permission: 'public', audit: false },
    schema: { tags: ['auth'], summary: 'Log in with username and password', body: Credentials, response: { 200: LoginAnswer } },
  }, async (req, reply) => {
    const { username, password } = req.body;
    const outcome = await accounts.login(username, password);
    if (!outcome.ok) {
      await audit.record({ actor: { anonymous: username.slice(0, 128) }, action: 'auth.login', result: 'failure', sourceIp: req.ip, details: { reason: outcome.reason } });
      throw new ApiError(401, 'invalid_credentials', 'invalid username or password');
    }
    const { token, session } = await sessions.create(outcome.user.id, { mfaPassed: !outcome.user.totpEnabled, sourceIp: req.ip });
    const me = userPrincipal(outcome.user, session, false);
    req.principal = me;
    await audit.record({ actor: me, action: 'auth.login', result: 'success', sourceIp: req.ip, details: { pending: me.pending } });
    setSessionCookie(reply, token, session.expiresAt);
    return { token, csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString(), me: meOf(me) };
  });

  api.post('/auth/logout', {
    config: { permission: 'authenticated', onboarding: true, audit: 'auth.logout' },
    schema: { tags: ['auth'], summary: 'End the current session', response: { 204: Type.Null() } },
  }, async (req, reply) => {
    const s = req.principal?.session;
    if (!s) throw new ApiError(400, 'no_session', 'this credential is not a session');
    await sessions.revoke(s.id);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send(null);
  });

  api.get('/auth/me', {
    config: { permission: 'authenticated', onboarding: true },
    schema: { tags: ['auth'], summary: 'The caller: roles, scope, permissions and pending sign-in steps', response: { 200: Me } },
  }, async (req) => {
    if (!req.principal) throw unauthenticated();
    return meOf(req.principal);
  });
}
