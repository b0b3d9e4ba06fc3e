import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { inScope } from '../../domain/identity/principal.js';
import type { IdTokenRecord } from '../../store/schema.js';
import type { ApiContext } from '../context.js';
import { conflict, notFound } from '../errors.js';
import { DateTime, listQuery, NullableDateTime, page } from '../schemas.js';

const Status = Type.Union([Type.Literal('Accepted'), Type.Literal('Blocked'), Type.Literal('Expired'), Type.Literal('Invalid')], { description: 'what stations are told for this token' });
const TokenType = Type.String({ enum: ['ISO14443', 'ISO15693', 'eMAID', 'Central', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization'], default: 'ISO14443' });
// 2.0.1 IdToken.idToken is at most 36 characters (1.6 idTag: 20)
const Uid = Type.String({ pattern: '^[\\x21-\\x7e]{1,36}$', description: 'the token UID / contract id: 1–36 printable ASCII characters' });
const Pseudonym = Type.String({ pattern: '^tok_[a-z2-7]{16}$', description: 'the token\'s pseudonym (`tok_…`), its id in this API' });
const IdParam = Type.Object({ id: Pseudonym });

const TokenView = Type.Object({
  id: Pseudonym,
  type: Type.String(),
  status: Status,
  expiresAt: NullableDateTime,
  group: Type.Union([Type.String(), Type.Null()], { description: 'pseudonym of the group token (never its value)' }),
  createdAt: DateTime,
  updatedAt: DateTime,
}, { description: 'A token without its UID (pseudonymized, G2)' });

const NewToken = Type.Object({
  idToken: Uid,
  type: Type.Optional(TokenType),
  status: Type.Optional(Status),
  expiresAt: Type.Optional(NullableDateTime),
  groupIdToken: Type.Optional(Type.Union([Uid, Type.Null()])),
}, { additionalProperties: false });

const TokenPatch = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('Accepted'), Type.Literal('Blocked')], { description: 'Blocked = block, Accepted = unblock' })),
  expiresAt: Type.Optional(NullableDateTime),
}, { additionalProperties: false, minProperties: 1 });

/** Audit actions of the changing routes, by `<METHOD> <route>`; they record their own entries with the pseudonym as target. */
const auditActions: Record<string, string> = {
  'POST /api/v1/tokens': 'token.create',
  'PATCH /api/v1/tokens/:id': 'token.update',
  'POST /api/v1/tokens/:id/reveal': 'token.reveal',
};
/** what a handler adds to its audit record (the pseudonym of a new token, what changed) — never a UID */
const auditNotes = new WeakMap<FastifyRequest, { target: string; details: Record<string, unknown>; recorded?: boolean }>();

/**
 * Tokens (G2, OP4): pseudonymized everywhere — the UID leaves the platform only through the
 * reveal, one token at a time, for callers with tokens:reveal, and audited before it is shown.
 */
export async function tokenRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { privacy } = ctx.services;
  const tokens = ctx.services.privacy.tokens;
  const view = async (t: IdTokenRecord): Promise<Static<typeof TokenView>> => ({
    id: t.pseudonym ?? (await privacy.pseudonym(t.idToken ?? '')), type: t.type, status: t.status, expiresAt: t.expiresAt?.toISOString() ?? null,
    group: t.groupIdToken === null ? null : await privacy.pseudonym(t.groupIdToken),
    createdAt: t.createdAt.toISOString(), updatedAt: t.updatedAt.toISOString(),
  });
  const find = async (id: string): Promise<IdTokenRecord> => (await tokens.byPseudonym(id)) ?? Promise.reject(notFound('token'));

  api.addHook('onResponse', async (req, reply) => auditTokenCall(req, reply, ctx));

  api.get('/tokens', {
    config: { permission: 'tokens:read' },
    schema: {
      tags: ['tokens'], summary: 'Tokens, pseudonymized (never the UID)',
      querystring: listQuery(['id', 'createdAt', 'updatedAt', 'expiresAt'], { status: Type.Optional(Status) }),
      response: { 200: page(TokenView) },
    },
  }, async (req) => {
    const q = req.query;
    const { rows, total } = await tokens.listPseudonymized({ limit: q.limit, offset: q.offset, sort: q.sort === 'id' ? 'pseudonym' : q.sort, order: q.order }, { status: q.status });
    return { items: await Promise.all(rows.map(view)), total, limit: q.limit, offset: q.offset };
  });

  api.get('/tokens/unknown-attempts', {
    config: { permission: 'tokens:read' },
    schema: {
      tags: ['tokens'], summary: 'Sessions started with a token the platform does not know, newest first (pseudonyms only)',
      description: 'Of stations in the caller\'s scope. Kept as long as OV2X_RETENTION_UNKNOWN_TOKEN_DAYS allows.',
      querystring: Type.Object({
        limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({
        items: Type.Array(Type.Object({ transactionId: Type.Integer(), stationId: Type.String(), token: Pseudonym, startedAt: DateTime })),
        limit: Type.Integer(), offset: Type.Integer(),
      }) },
    },
  }, async (req) => {
    const p = req.principal!;
    const rows = await tokens.unknownAttempts(req.query);
    const shown = [];
    for (const r of rows) if (p.groups === null || inScope(p, (await ctx.services.identity.stationGroups.groupOf(r.stationId)) ?? null)) shown.push({ ...r, startedAt: r.startedAt.toISOString() });
    return { items: shown, limit: req.query.limit, offset: req.query.offset };
  });

  api.get('/tokens/:id', {
    config: { permission: 'tokens:read' },
    schema: { tags: ['tokens'], summary: 'One token, pseudonymized', params: IdParam, response: { 200: TokenView } },
  }, async (req) => view(await find(req.params.id)));

  api.post('/tokens/:id/reveal', {
    config: { permission: 'tokens:reveal', audit: false },
    schema: {
      tags: ['tokens'], summary: 'The UID of one token; audited (token.reveal) before it is shown',
      params: IdParam, response: { 200: Type.Object({ id: Pseudonym, idToken: Type.String() }) },
    },
  }, async (req) => {
    const t = await find(req.params.id);
    // an erased token keeps its pseudonym (CDRs) but has no UID left to show
    if (!t.uidEncrypted) throw notFound('token UID (erased)');
    // audited first: a reveal that cannot be recorded does not happen
    await ctx.services.identity.audit.record({ actor: req.principal!, action: 'token.reveal', target: req.params.id, result: 'success', sourceIp: req.ip, details: {} });
    auditNotes.set(req, { target: req.params.id, details: {}, recorded: true });
    return { id: req.params.id, idToken: await privacy.revealUid(t) };
  });

  api.post('/tokens', {
    config: { permission: 'tokens:manage', audit: false },
    schema: { tags: ['tokens'], summary: 'Add a token; answered pseudonymized', body: NewToken, response: { 201: TokenView } },
  }, async (req, reply) => {
    const b = req.body;
    if (await tokens.get(b.idToken)) throw conflict('a token with this UID exists');
    const t = await tokens.upsert({
      idToken: b.idToken, type: b.type, status: b.status ?? 'Accepted', groupIdToken: b.groupIdToken ?? null,
      expiresAt: b.expiresAt ? new Date(b.expiresAt) : null,
    });
    const v = await view(t);
    auditNotes.set(req, { target: v.id, details: { type: v.type, status: v.status, expiresAt: v.expiresAt } });
    return reply.code(201).send(v);
  });

  api.patch('/tokens/:id', {
    config: { permission: 'tokens:manage', audit: false },
    schema: { tags: ['tokens'], summary: 'Block, unblock, or change the expiry of a token', params: IdParam, body: TokenPatch, response: { 200: TokenView } },
  }, async (req) => {
    const b = req.body;
    const t = await tokens.update(req.params.id, { status: b.status, ...(b.expiresAt !== undefined && { expiresAt: b.expiresAt === null ? null : new Date(b.expiresAt) }) });
    if (!t) throw notFound('token');
    auditNotes.set(req, { target: req.params.id, details: { ...b } });
    return view(t);
  });
}

/** Records create/update and every refused or failed reveal (a successful reveal was recorded before the answer). */
async function auditTokenCall(req: FastifyRequest, reply: FastifyReply, ctx: ApiContext): Promise<void> {
  const action = auditActions[`${req.method} ${req.routeOptions.url ?? ''}`];
  const note = auditNotes.get(req);
  if (!action || note?.recorded) return;
  const params = (req.params ?? {}) as { id?: unknown };
  const target = note?.target ?? (typeof params.id === 'string' ? params.id : null);
  await ctx.services.identity.audit.record({
    actor: req.principal ?? { anonymous: 'anonymous' }, action, target, sourceIp: req.ip,
    result: reply.statusCode < 400 ? 'success' : reply.statusCode === 401 || reply.statusCode === 403 ? 'denied' : 'failure',
    details: { status: reply.statusCode, ...note?.details },
  }).catch((err: unknown) => ctx.log.error({ err }, 'could not write an audit record'));
}
