import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { permissionMatrix, type Permission } from '../../domain/identity/roles.js';
import type { Principal } from '../../domain/identity/principal.js';
import { pendingSteps, userPrincipal } from '../../domain/identity/account-service.js';
import { PASSWORD_MAX } from '../../domain/identity/password-policy.js';
import type { UserRow } from '../../store/schema.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiContext } from '../context.js';
import { DependencyUnavailable } from '../../domain/errors.js';
import { SESSION_COOKIE } from '../auth/credentials.js';
import { ApiError, unauthenticated } from '../errors.js';
import { DateTime } from '../schemas.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';

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

const MeAnswer = Type.Composite([Me, Type.Object({
  csrfToken: Type.Optional(Type.String({ description: 'of the calling session: send as x-csrf-token with unsafe requests made with the cookie' })),
  sessionIdleS: Type.Integer({ description: 'a session unused this long (s) ends; the portal signs out on its own after as long without user input' }),
})]);

const Code = Type.String({ minLength: 6, maxLength: 16, description: 'the 6 digits the authenticator app shows' });
const NoStore = { 'cache-control': 'no-store' };

const PasswordChange = Type.Object({
  currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
  newPassword: Type.String({ minLength: 1, maxLength: PASSWORD_MAX * 4, description: '12 to 128 characters; not the username, not a common or breached password' }),
}, { additionalProperties: false });

const invalidCode = (): ApiError => new ApiError(401, 'invalid_code', 'the code is wrong, already used, or the account is locked for now');

/** The caller's own account: sign-in steps are for people with a session, not API keys or external tokens. */
async function ownAccount(req: FastifyRequest, ctx: ApiContext): Promise<{ user: UserRow; sessionId: string; mfaPassed: boolean }> {
  const p = req.principal;
  if (!p || p.kind !== 'user' || p.userId === undefined || !p.session) throw new ApiError(400, 'no_session', 'only a signed-in user session can do this');
  const user = await ctx.services.identity.accounts.users.byId(p.userId);
  if (!user) throw unauthenticated();
  return { user, sessionId: p.session.id, mfaPassed: !p.pending.includes('verify-totp') };
}

/** Changing the password or the factor needs the second factor first, when the account has one. */
function requireMfa(req: FastifyRequest): void {
  if (req.principal?.pending.includes('verify-totp')) throw new ApiError(403, 'onboarding_required', 'enter your TOTP code first', { pending: ['verify-totp'] });
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
    const outcome = await accounts.login(username, password).catch(async (err: unknown) => {
      // an outage is answered 503 by the error handler, but the attempt is audited first
      if (err instanceof DependencyUnavailable) await audit.record({ actor: { anonymous: username.slice(0, 128) }, action: 'auth.login', result: 'failure', sourceIp: req.ip, details: { reason: err.code } });
      throw err;
    });
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

  const meAfter = (req: FastifyRequest, user: UserRow, mfaPassed: boolean): Static<typeof Me> =>
    meOf({ ...req.principal!, pending: pendingSteps(user, { mfaPassed }) });

  api.post('/auth/password', {
    config: { permission: 'authenticated', onboarding: true, audit: 'auth.password.change' },
    schema: {
      tags: ['auth'], summary: 'Change your own password; your other sessions end',
      body: PasswordChange, response: { 200: Type.Object({ me: Me }) },
    },
  }, async (req) => {
    requireMfa(req);
    const { user, sessionId, mfaPassed } = await ownAccount(req, ctx);
    const r = await accounts.changePassword(user, req.body.currentPassword, req.body.newPassword);
    if (!r.ok) {
      if (r.violation === 'not_local') throw new ApiError(409, 'external_account', 'this account\'s password is managed by the directory');
      if (r.violation === 'wrong_password') throw new ApiError(403, 'wrong_password', 'the current password is wrong (or the account is locked for now)');
      throw new ApiError(422, 'password_policy', r.violation.message, { rule: r.violation.rule });
    }
    await sessions.revokeUser(user.id, sessionId);
    return { me: meAfter(req, r.user, mfaPassed) };
  });

  api.post('/auth/totp/enrol', {
    config: { permission: 'authenticated', onboarding: true, audit: 'auth.totp.enrol' },
    schema: {
      tags: ['auth'], summary: 'Start TOTP enrolment: a new secret, answered once (confirm it with a code to turn 2FA on)',
      response: { 200: Type.Object({
        secret: Type.String({ description: 'base32; shown only in this answer, kept sealed at rest' }),
        uri: Type.String({ description: 'otpauth:// URI for a QR code' }),
        digits: Type.Integer(), period: Type.Integer(),
      }) },
    },
  }, async (req, reply) => {
    const { user } = await ownAccount(req, ctx);
    const enrolment = await ctx.services.identity.twoFactor.enrol(user);
    if (!enrolment) throw new ApiError(409, 'already_enrolled', 'two-factor authentication is on; an administrator can reset it');
    void reply.headers(NoStore);
    return { ...enrolment, digits: 6, period: 30 };
  });

  api.post('/auth/totp/confirm', {
    config: { permission: 'authenticated', onboarding: true, audit: 'auth.totp.confirm' },
    schema: {
      tags: ['auth'], summary: 'Turn TOTP on with a first code; answers 10 single-use recovery codes, once',
      body: Type.Object({ code: Code }, { additionalProperties: false }),
      response: { 200: Type.Object({ recoveryCodes: Type.Array(Type.String(), { description: 'shown only in this answer; each works once' }), me: Me }) },
    },
  }, async (req, reply) => {
    const { user, sessionId } = await ownAccount(req, ctx);
    if (user.totpEnabled) throw new ApiError(409, 'already_enrolled', 'two-factor authentication is already on');
    if (!user.totpSecret) throw new ApiError(409, 'not_enrolling', 'start with POST /auth/totp/enrol');
    const r = await ctx.services.identity.twoFactor.confirm(user, req.body.code);
    if (r.outcome !== 'ok') throw invalidCode();
    // this session proved the factor; sessions opened before 2FA was on did not
    await sessions.passMfa(sessionId);
    await sessions.revokeUser(user.id, sessionId);
    void reply.headers(NoStore);
    return { recoveryCodes: r.recoveryCodes!, me: meAfter(req, { ...user, totpEnabled: true }, true) };
  });

  api.post('/auth/totp', {
    config: { permission: 'authenticated', onboarding: true, audit: 'auth.totp.verify' },
    schema: {
      tags: ['auth'], summary: 'Second sign-in step: a TOTP code, or one of the recovery codes',
      body: Type.Object({ code: Type.Optional(Code), recoveryCode: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })) }, { additionalProperties: false }),
      response: { 200: Type.Object({ me: Me, recoveryCodesLeft: Type.Integer() }) },
    },
  }, async (req) => {
    const { code, recoveryCode } = req.body;
    if ((code === undefined) === (recoveryCode === undefined)) throw new ApiError(400, 'invalid_request', 'give either code or recoveryCode');
    const { user, sessionId, mfaPassed } = await ownAccount(req, ctx);
    if (mfaPassed) throw new ApiError(409, 'not_pending', 'this session needs no TOTP code');
    const { twoFactor } = ctx.services.identity;
    const outcome = await twoFactor.verify(user, code !== undefined ? { code } : { recoveryCode: recoveryCode! });
    if (outcome !== 'ok') throw invalidCode();
    await sessions.passMfa(sessionId);
    const after = (await accounts.users.byId(user.id)) ?? user;
    return { me: meAfter(req, after, true), recoveryCodesLeft: twoFactor.remainingRecoveryCodes(after) };
  });

  api.get('/auth/me', {
    config: { permission: 'authenticated', onboarding: true },
    schema: { tags: ['auth'], summary: 'The caller: roles, scope, permissions and pending sign-in steps', response: { 200: MeAnswer } },
  }, async (req, reply) => {
    if (!req.principal) throw unauthenticated();
    // a reloaded portal page has its cookie but lost the CSRF token; another site cannot read this answer
    const s = req.principal.session;
    if (s) void reply.headers(NoStore);
    return { ...meOf(req.principal), ...(s && { csrfToken: s.csrfToken }), sessionIdleS: ctx.config.sessionIdle };
  });
}
