import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';

const Position = Type.Object({ seq: Type.Integer(), hash: Type.String() });
export const ChainReportView = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer({ description: 'records checked (those still stored)' }),
  anchor: Type.Object({ seq: Type.Integer(), hash: Type.String(), dropped: Type.Integer({ description: 'records retention removed before it' }), kind: Type.Union([Type.Literal('genesis'), Type.Literal('checkpoint')]) }),
  head: Position,
  broken: Type.Optional(Type.Object({ seq: Type.Union([Type.Integer(), Type.Null()]), id: Type.Union([Type.Integer(), Type.Null()]), reason: Type.String() })),
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
}
