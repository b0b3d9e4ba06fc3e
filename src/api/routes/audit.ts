import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { DateTime, listQuery, page } from '../schemas.js';

const AuditView = Type.Object({
  id: Type.Integer(),
  at: DateTime,
  actor: Type.String(),
  actorKind: Type.String(),
  roles: Type.Array(Type.String()),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  result: Type.String(),
  sourceIp: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});

/** The audit trail, read-only; there is no route that changes it. */
export async function auditRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/audit', {
    config: { permission: 'audit:read' },
    schema: {
      tags: ['audit'], summary: 'Audit records, newest first unless order=asc',
      querystring: listQuery(['at'], {
        actor: Type.Optional(Type.String()), action: Type.Optional(Type.String()), target: Type.Optional(Type.String()),
        from: Type.Optional(DateTime), to: Type.Optional(DateTime),
      }),
      response: { 200: page(AuditView) },
    },
  }, async (req) => {
    const q = req.query;
    // newest first is what people want when they open the log
    const order = req.query.sort ? q.order : 'desc';
    const rows = await ctx.services.identity.audit.list({ ...q, order, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined });
    return { items: rows.map((r) => ({ ...r, at: r.at.toISOString() })), limit: q.limit, offset: q.offset };
  });
}
