import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { BlockListInputError } from '../../security/perimeter/block-list.js';
import type { BlockListEntry } from '../../store/schema.js';
import type { ApiContext } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { DateTime, NullableDateTime } from '../schemas.js';

const Entry = Type.Object({
  id: Type.Integer(),
  list: Type.String({ enum: ['block', 'allow'] }),
  kind: Type.String({ enum: ['ip', 'cidr', 'identity'] }),
  value: Type.String(),
  reason: Type.String(),
  createdBy: Type.String({ description: '`user:<id>`, `apikey:<id>`, `oidc:…` or `ids:<rule>`' }),
  createdAt: DateTime,
  expiresAt: NullableDateTime,
});

const view = (e: BlockListEntry) => ({ ...e, createdAt: e.createdAt.toISOString(), expiresAt: e.expiresAt?.toISOString() ?? null });

/**
 * The IP / identity block and allow lists (issue 7, M3). The allow list (the operator's own
 * networks) wins over every block. Changes apply on this node at once and on the others
 * within OV2X_BLOCK_LIST_REFRESH_S (at once with REDIS_URL); every change is audited.
 */
export async function securityBlockRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const perimeter = ctx.services.perimeter;

  api.get('/security/blocks', {
    config: { permission: 'security:read' },
    schema: { tags: ['security'], summary: 'Block and allow list entries in force', response: { 200: Type.Object({ items: Type.Array(Entry) }) } },
  }, async () => ({ items: (await perimeter.entries()).map(view) }));

  api.post('/security/blocks', {
    config: { permission: 'security:manage', audit: 'security.block.add' },
    schema: {
      tags: ['security'], summary: 'Block (or allow) an IP address, a CIDR range or a station identity',
      description: 'Adding an entry that exists for the same list and target renews it (reason, author, expiry).',
      body: Type.Object({
        list: Type.Optional(Type.String({ enum: ['block', 'allow'], default: 'block' })),
        kind: Type.String({ enum: ['ip', 'cidr', 'identity'], description: 'an `ip` with a `/bits` suffix is a range' }),
        value: Type.String({ minLength: 1, maxLength: 64 }),
        reason: Type.String({ minLength: 1, maxLength: 500 }),
        ttlS: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 31_536_000 }), Type.Null()], { description: 'seconds until it lapses; null or absent = until removed' })),
      }, { additionalProperties: false }),
      response: { 201: Entry },
    },
  }, async (req, reply) => {
    const b = req.body;
    try {
      const row = await perimeter.add({
        list: (b.list ?? 'block') as 'block' | 'allow', kind: b.kind as 'ip' | 'cidr' | 'identity', value: b.value,
        reason: b.reason, ttlS: b.ttlS ?? null, by: req.principal!.id,
      });
      return reply.code(201).send(view(row));
    } catch (err) {
      if (err instanceof BlockListInputError) throw new ApiError(400, 'invalid_request', err.message);
      throw err;
    }
  });

  api.delete('/security/blocks/:id', {
    config: { permission: 'security:manage', audit: 'security.block.remove' },
    schema: {
      tags: ['security'], summary: 'Remove an entry (unblock)',
      params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      response: { 204: Type.Null() },
    },
  }, async (req, reply) => {
    if (!(await perimeter.remove(req.params.id))) throw notFound('block list entry');
    return reply.code(204).send(null);
  });
}
