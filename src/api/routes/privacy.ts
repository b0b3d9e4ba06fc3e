import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';

const DataClass = Type.String({ enum: ['meterValues', 'endedTransactions', 'statusHistory', 'securityEvents', 'commandJournal', 'unknownTokenAttempts'] });
const Run = Type.Object({
  dataClass: DataClass,
  cutoff: Type.String({ format: 'date-time', description: 'rows older than this were deleted' }),
  deleted: Type.Integer(),
  complete: Type.Boolean({ description: 'false: the batch budget ran out, the next pass goes on' }),
  ranAt: Type.String({ format: 'date-time' }),
});

/** Retention (G4): the policy in force and what the job did last, per data class. */
export async function privacyRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { retention } = ctx.services;

  api.get('/privacy/retention', {
    config: { permission: 'privacy:manage' },
    schema: {
      tags: ['privacy'], summary: 'Retention policy (days per data class, 0 = forever) and the latest run of each class',
      response: { 200: Type.Object({ policy: Type.Record(Type.String(), Type.Integer()), runs: Type.Array(Run) }) },
    },
  }, async () => ({
    policy: retention.policy(),
    runs: (await retention.latest()).map((r) => ({ dataClass: r.dataClass, cutoff: r.cutoff.toISOString(), deleted: r.deleted, complete: r.complete, ranAt: r.ranAt.toISOString() })),
  }));
}
