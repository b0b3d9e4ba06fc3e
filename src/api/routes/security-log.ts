import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { inScope } from '../../domain/identity/principal.js';
import type { SecurityEvent } from '../../store/schema.js';
import type { ApiContext } from '../context.js';
import { DateTime } from '../schemas.js';

const Position = Type.Object({ seq: Type.Integer(), hash: Type.String() });
export const ChainReportView = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer({ description: 'records checked (those still stored)' }),
  anchor: Type.Object({ seq: Type.Integer(), hash: Type.String(), dropped: Type.Integer({ description: 'records retention removed before it' }), kind: Type.Union([Type.Literal('genesis'), Type.Literal('checkpoint')]) }),
  head: Position,
  broken: Type.Optional(Type.Object({ seq: Type.Union([Type.Integer(), Type.Null()]), id: Type.Union([Type.Integer(), Type.Null()]), reason: Type.String() })),
});

const EventView = Type.Object({
  id: Type.Integer(),
  seq: Type.Union([Type.Integer(), Type.Null()], { description: 'position in the hash chain' }),
  occurredAt: DateTime,
  recordedAt: DateTime,
  stationId: Type.Union([Type.String(), Type.Null()]),
  type: Type.String(),
  severity: Type.String(),
  origin: Type.String({ description: '`csms` (detected by the platform) or `station` (reported by it)' }),
  sourceIp: Type.Union([Type.String(), Type.Null()]),
  actor: Type.Union([Type.String(), Type.Null()]),
  description: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});
const view = (e: SecurityEvent) => ({
  id: Number(e.id), seq: e.chainSeq === null ? null : Number(e.chainSeq), occurredAt: e.occurredAt.toISOString(), recordedAt: e.recordedAt.toISOString(),
  stationId: e.stationId, type: e.type, severity: e.severity, origin: e.origin, sourceIp: e.sourceIp, actor: e.actor, description: e.description, details: e.details,
});

/** The security log's integrity (OP6): read-only, for whoever may read security events. */
export async function securityLogRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/security/log/verify', {
    config: { permission: 'security:read' },
    schema: {
      tags: ['security'], summary: 'Verify the hash chain of the security log from its latest checkpoint to its head; reports the first broken link',
      response: { 200: ChainReportView },
    },
  }, async () => ctx.services.securityChain.verify());

  api.get('/security/log', {
    config: { permission: 'security:read' },
    schema: {
      tags: ['security'], summary: 'The security log, newest first (the portal\'s log viewer)',
      description: 'A caller scoped to station groups sees the events of its stations only.',
      querystring: Type.Object({
        limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
        stationId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(EventView) }) },
    },
  }, async (req) => {
    const p = req.principal!;
    const rows = await ctx.services.securityChain.list({ stationId: req.query.stationId, limit: req.query.limit });
    const shown: SecurityEvent[] = [];
    // as for alerts: events about no station (handshake refusals) need an unscoped caller
    for (const e of rows) if (p.groups === null || (e.stationId !== null && inScope(p, (await ctx.services.identity.stationGroups.groupOf(e.stationId)) ?? null))) shown.push(e);
    return { items: shown.map(view) };
  });
}
