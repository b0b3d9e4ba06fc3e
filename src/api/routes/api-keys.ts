import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyError, MAX_OVERLAP_S, type ApiKeyErrorCode, type ApiKeyService } from '../../domain/identity/api-keys.js';
import { roles } from '../../domain/identity/roles.js';
import type { ApiKeyRow } from '../../store/schema.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { DateTime, listQuery, NullableDateTime, page } from '../schemas.js';

const KeyState = Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]);

const ApiKeyView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  prefix: Type.String({ description: 'the key\'s first characters, to tell keys apart; not usable as a key' }),
  role: Type.String(),
  groups: Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'station groups in scope; null = all' }),
  state: KeyState,
  createdBy: Type.String(),
  createdAt: DateTime,
  expiresAt: DateTime,
  lastUsedAt: Type.Union([DateTime, Type.Null()], { description: 'to within a minute' }),
  revokedAt: NullableDateTime,
  rotatedFrom: Type.Union([Type.Integer(), Type.Null()]),
  replacedBy: Type.Union([Type.Integer(), Type.Null()]),
});

const Secret = Type.String({ description: 'the key itself (`ov2xk_…`): in this answer only, stored only as its SHA-256' });
const IdParam = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });
const Days = Type.Integer({ minimum: 1, maximum: 3650, description: 'lifetime in days, at most OV2X_API_KEY_MAX_DAYS' });

const NewKey = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\x00-\\x1f\\x7f]+$', description: 'who or what uses it, e.g. `dso-westnetz`' }),
  role: Type.String({ enum: [...roles], description: 'one role; `admin` is refused, and never a role with rights the caller lacks' }),
  groups: Type.Optional(Type.Union([
    Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 100, uniqueItems: true }),
    Type.Null(),
  ], { description: 'station groups the key may reach; absent or null = all (unscoped callers only)' })),
  expiresInDays: Days,
}, { additionalProperties: false });

const Rotation = Type.Object({
  overlapSeconds: Type.Integer({ minimum: 0, maximum: MAX_OVERLAP_S, description: 'how long the old key keeps working; 0 = refused at once' }),
  expiresInDays: Type.Optional(Days),
}, { additionalProperties: false });

/** The domain's refusals as HTTP answers. */
const statusOf: Record<ApiKeyErrorCode, number> = {
  role_not_allowed: 422, exceeds_own_rights: 403, out_of_scope: 403, unknown_group: 422, expiry_too_long: 422,
  not_found: 404, not_rotatable: 409, bad_overlap: 422,
};

/** Audit actions of the routes that change keys, by `<METHOD> <route>`. */
const auditActions: Record<string, string> = {
  'POST /api/v1/api-keys': 'apikey.create',
  'POST /api/v1/api-keys/:id/rotate': 'apikey.rotate',
  'DELETE /api/v1/api-keys/:id': 'apikey.revoke',
};

/** What a handler adds to its audit record: the key's id (a new key has no id in the URL) and facts, never the secret. */
const auditNotes = new WeakMap<FastifyRequest, { target: string; details: Record<string, unknown> }>();

/** API keys for machine clients and market parties (AC3, AC5): create (shown once), list, show, rotate with overlap, revoke. */
export async function apiKeyRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  // per request: the service may be rewired after start (a test's clock)
  const keys = (): ApiKeyService => ctx.services.identity.apiKeys;
  const view = (k: ApiKeyRow): Static<typeof ApiKeyView> => ({
    id: k.id, name: k.name, prefix: k.prefix, role: k.role, groups: k.stationGroups, state: keys().stateOf(k), createdBy: k.createdBy,
    createdAt: k.createdAt.toISOString(), expiresAt: k.expiresAt.toISOString(), lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null, rotatedFrom: k.rotatedFrom, replacedBy: k.replacedBy,
  });
  const refusal = (err: unknown): unknown => err instanceof ApiKeyError ? new ApiError(statusOf[err.code], err.code, err.message) : err;

  // these routes record their own audit entries, with the key's id and what was done to it
  api.addHook('onResponse', async (req, reply) => auditKeyCall(req, reply, ctx));

  api.post('/api-keys', {
    config: { permission: 'apikeys:manage', audit: false },
    schema: { tags: ['api-keys'], summary: 'Create an API key; the key is in this answer only', body: NewKey, response: { 201: Type.Object({ key: ApiKeyView, secret: Secret }) } },
  }, async (req, reply) => {
    const { key, secret } = await keys().create(req.principal!, req.body).catch((err: unknown) => { throw refusal(err); });
    auditNotes.set(req, { target: String(key.id), details: { name: key.name, role: key.role, groups: key.stationGroups, expiresAt: key.expiresAt.toISOString() } });
    return reply.code(201).send({ key: view(key), secret });
  });

  api.get('/api-keys', {
    config: { permission: 'apikeys:manage' },
    schema: {
      tags: ['api-keys'], summary: 'API keys in the caller\'s scope (never the keys themselves)',
      querystring: listQuery(['createdAt', 'expiresAt', 'name'], { role: Type.Optional(Type.String({ maxLength: 64 })), state: Type.Optional(KeyState) }),
      response: { 200: page(ApiKeyView) },
    },
  }, async (req) => {
    const q = req.query;
    const { items, total } = await keys().list(req.principal!, { limit: q.limit, offset: q.offset, sort: q.sort, order: q.order, role: q.role, state: q.state });
    return { items: items.map(view), total, limit: q.limit, offset: q.offset };
  });

  api.get('/api-keys/:id', {
    config: { permission: 'apikeys:manage' },
    schema: { tags: ['api-keys'], summary: 'One API key (never the key itself)', params: IdParam, response: { 200: ApiKeyView } },
  }, async (req) => view(await keys().get(req.principal!, req.params.id).catch((err: unknown) => { throw refusal(err); })));

  api.post('/api-keys/:id/rotate', {
    config: { permission: 'apikeys:manage', audit: false },
    schema: {
      tags: ['api-keys'], summary: 'Replace a key by a new one (in this answer only) with the same role and scope; the old one works until the overlap ends',
      params: IdParam, body: Rotation, response: { 201: Type.Object({ key: ApiKeyView, secret: Secret, previous: ApiKeyView }) },
    },
  }, async (req, reply) => {
    const { key, secret, previous } = await keys().rotate(req.principal!, req.params.id, req.body).catch((err: unknown) => { throw refusal(err); });
    auditNotes.set(req, { target: String(previous.id), details: { newKeyId: key.id, overlapSeconds: req.body.overlapSeconds, previousEndsAt: previous.expiresAt.toISOString(), expiresAt: key.expiresAt.toISOString() } });
    return reply.code(201).send({ key: view(key), secret, previous: view(previous) });
  });

  api.delete('/api-keys/:id', {
    config: { permission: 'apikeys:manage', audit: false },
    schema: { tags: ['api-keys'], summary: 'Revoke a key: refused from now on (a revoked key stays listed)', params: IdParam, response: { 204: Type.Null() } },
  }, async (req, reply) => {
    const { key, changed } = await keys().revoke(req.principal!, req.params.id).catch((err: unknown) => { throw refusal(err); });
    // a revoked key's webhook subscriptions stop with it
    const webhooksRemoved = await ctx.services.webhooks.deleteByOwner(`apikey:${key.id}`);
    auditNotes.set(req, { target: String(key.id), details: { name: key.name, alreadyRevoked: !changed, webhooksRemoved } });
    return reply.code(204).send(null);
  });
}

/** Every call that changes keys is audited, refused ones included (OP4); the key never is. */
async function auditKeyCall(req: FastifyRequest, reply: FastifyReply, ctx: ApiContext): Promise<void> {
  const action = auditActions[`${req.method} ${req.routeOptions.url ?? ''}`];
  if (!action) return;
  const note = auditNotes.get(req);
  const id = (req.params as { id?: unknown } | undefined)?.id;
  const status = reply.statusCode;
  await ctx.services.identity.audit.record({
    actor: req.principal ?? { anonymous: 'anonymous' },
    action, target: note?.target ?? (id === undefined ? null : String(id)), sourceIp: req.ip,
    result: status < 400 ? 'success' : status === 401 || status === 403 ? 'denied' : 'failure',
    details: { status, ...note?.details },
  }).catch((err: unknown) => ctx.log.error({ err }, 'could not write an audit record'));
}
