import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { rolesOf } from '../../domain/identity/account-service.js';
import { roles, type Role } from '../../domain/identity/roles.js';
import { AccountRefused, USERNAME_PATTERN, type Actor } from '../../domain/identity/user-admin.js';
import type { UserRow } from '../../store/schema.js';
import type { ApiContext } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { DateTime, listQuery, NullableDateTime, page } from '../schemas.js';

const RoleName = Type.Union(roles.map((r) => Type.Literal(r)));
const Roles = Type.Array(RoleName, { minItems: 1, maxItems: roles.length, uniqueItems: true });
const Groups = Type.Union([Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 200, uniqueItems: true }), Type.Null()], { description: 'station groups in scope; null = all' });
const IdParam = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const UserView = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.Union([Type.String(), Type.Null()]),
  source: Type.String({ description: 'local, ldap or oidc' }),
  roles: Type.Array(Type.String()),
  stationGroups: Type.Union([Type.Array(Type.String()), Type.Null()]),
  disabled: Type.Boolean(),
  totpEnabled: Type.Boolean(),
  mustChangePassword: Type.Boolean(),
  lockedUntil: NullableDateTime,
  failedLogins: Type.Integer(),
  passwordChangedAt: NullableDateTime,
  createdAt: DateTime,
});

/** What an administrator sees of an account: never the hash, the TOTP secret or the recovery codes. */
function view(u: UserRow): Static<typeof UserView> {
  return {
    id: Number(u.id), username: u.username, displayName: u.displayName, source: u.source, roles: rolesOf(u), stationGroups: u.stationGroups,
    disabled: u.disabled, totpEnabled: u.totpEnabled, mustChangePassword: u.mustChangePassword, lockedUntil: u.lockedUntil?.toISOString() ?? null,
    failedLogins: u.failedLogins, passwordChangedAt: u.passwordChangedAt?.toISOString() ?? null, createdAt: u.createdAt.toISOString(),
  };
}

/** Domain refusals → API answers: 409 for state (self, last admin, duplicate), 422 for what was asked, 403 out of scope. */
const refusalStatus: Record<AccountRefused['code'], number> = { self: 409, last_admin: 409, duplicate: 409, machine_role: 422, unknown_group: 422, out_of_scope: 403 };

function refused(err: unknown): never {
  if (err instanceof AccountRefused) throw new ApiError(refusalStatus[err.code], err.code, err.message);
  throw err;
}

const actorOf = (req: FastifyRequest): Actor => ({ userId: req.principal!.userId, groups: req.principal!.groups });

/** User administration (P4): people's accounts, their roles and scope, locks and second factors. */
export async function userRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { accounts, userAdmin, audit } = ctx.services.identity;
  const users = accounts.users;

  api.get('/users', {
    config: { permission: 'users:read' },
    schema: {
      tags: ['users'], summary: 'List accounts',
      querystring: listQuery(['username', 'createdAt'], { role: Type.Optional(RoleName) }),
      response: { 200: page(UserView) },
    },
  }, async (req) => {
    const q = req.query;
    const [rows, total] = await Promise.all([users.list({ limit: q.limit, offset: q.offset, role: q.role, sort: q.sort, order: q.order }), users.countWith(q.role)]);
    return { items: rows.map(view), total, limit: q.limit, offset: q.offset };
  });

  api.get('/users/:id', {
    config: { permission: 'users:read' },
    schema: { tags: ['users'], summary: 'One account', params: IdParam, response: { 200: UserView } },
  }, async (req) => {
    const u = await users.byId(req.params.id);
    if (!u) throw notFound('user');
    return view(u);
  });

  api.post('/users', {
    config: { permission: 'users:manage', audit: 'user.create' },
    schema: {
      tags: ['users'], summary: 'Create a local account; its one-time password is in this answer only and must be changed at first login',
      body: Type.Object({
        username: Type.String({ pattern: USERNAME_PATTERN, description: 'case-insensitive, stored lower-case' }),
        displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        roles: Roles,
        stationGroups: Type.Optional(Groups),
      }, { additionalProperties: false }),
      response: { 201: Type.Object({ user: UserView, password: Type.String({ description: 'one-time; shown once, stored only as an Argon2id hash' }) }) },
    },
  }, async (req, reply) => {
    const { user, password } = await userAdmin.add(req.body, actorOf(req)).catch(refused);
    await audit.record({ actor: req.principal!, action: 'user.roles.grant', target: String(user.id), result: 'success', sourceIp: req.ip, details: { username: user.username, roles: user.roles, stationGroups: user.stationGroups } });
    return reply.code(201).headers({ 'cache-control': 'no-store' }).send({ user: view(user), password });
  });

  api.patch('/users/:id', {
    config: { permission: 'users:manage', audit: 'user.update' },
    schema: {
      tags: ['users'], summary: 'Change roles, station groups, display name or disabled; a change of rights ends the account\'s sessions',
      params: IdParam,
      body: Type.Object({
        roles: Type.Optional(Roles),
        stationGroups: Type.Optional(Groups),
        disabled: Type.Optional(Type.Boolean()),
        displayName: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
      }, { additionalProperties: false, minProperties: 1 }),
      response: { 200: UserView },
    },
  }, async (req) => {
    const changed = await userAdmin.update(req.params.id, { ...req.body, roles: req.body.roles as Role[] | undefined }, actorOf(req)).catch(refused);
    if (!changed) throw notFound('user');
    const { before, after } = changed;
    // the generic record says the call happened; this one says what it changed (OP4)
    if (JSON.stringify([before.roles, before.stationGroups, before.disabled]) !== JSON.stringify([after.roles, after.stationGroups, after.disabled])) {
      await audit.record({
        actor: req.principal!, action: 'user.roles.change', target: String(after.id), result: 'success', sourceIp: req.ip,
        details: { username: after.username, old: { roles: before.roles, stationGroups: before.stationGroups, disabled: before.disabled }, new: { roles: after.roles, stationGroups: after.stationGroups, disabled: after.disabled } },
      });
    }
    return view(after);
  });

  api.delete('/users/:id', {
    config: { permission: 'users:manage', audit: 'user.remove' },
    schema: { tags: ['users'], summary: 'Remove an account (not your own, not the last active administrator)', params: IdParam, response: { 204: Type.Null() } },
  }, async (req, reply) => {
    if (!(await userAdmin.remove(req.params.id, actorOf(req)).catch(refused))) throw notFound('user');
    return reply.code(204).send(null);
  });

  api.post('/users/:id/unlock', {
    config: { permission: 'users:manage', audit: 'user.unlock' },
    schema: { tags: ['users'], summary: 'Lift a lockout after failed sign-ins', params: IdParam, response: { 200: UserView } },
  }, async (req) => {
    const u = await userAdmin.unlock(req.params.id);
    if (!u) throw notFound('user');
    return view(u);
  });

  api.post('/users/:id/reset-2fa', {
    config: { permission: 'users:manage', audit: 'user.reset-2fa' },
    schema: { tags: ['users'], summary: 'Reset another account\'s second factor (lost phone): its sessions end and it enrols again', params: IdParam, response: { 200: UserView } },
  }, async (req) => {
    const u = await userAdmin.resetTwoFactor(req.params.id, actorOf(req)).catch(refused);
    if (!u) throw notFound('user');
    return view(u);
  });
}
