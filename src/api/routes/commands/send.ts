import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { CommandKind, StationCommand } from '../../../domain/commands.js';
import { commandPermission } from '../../../domain/identity/command-permissions.js';
import { switchingKinds } from '../../../domain/identity/switching-limits.js';
import type { ApiContext } from '../../context.js';
import { ApiError } from '../../errors.js';
import { StationId, StationIdParam } from '../../schemas.js';
import { dispatch, refuseDedicated } from './dispatch.js';
import { enforceSwitchingLimits, requireKind, requireScope } from './guard.js';
import { StationCommandBody } from './schemas.js';
import { commandValidator } from './validator.js';

export const Accepted = Type.Object({
  commandId: Type.Union([Type.Integer(), Type.Null()], { description: 'follow it at GET /commands/{id}; null when nothing had to be sent (see outcome)' }),
  outcome: Type.Optional(Type.String({ description: 'why nothing was sent, when commandId is null' })),
}, { description: 'Accepted for sending; the station\'s answer arrives later in the command journal' });

const BatchAccepted = Type.Object({
  commandIds: Type.Array(Type.Union([Type.Integer(), Type.Null()]), { description: 'in the order of stationIds; null where the station was refused (see refused)' }),
  refused: Type.Optional(Type.Array(Type.Object({ stationId: Type.String(), code: Type.String(), message: Type.String() }))),
});

/** The permission table as the OpenAPI document tells it. */
const kindsByPermission = [...new Set(Object.values(commandPermission))]
  .map((p) => `\`${p}\`: ${Object.keys(commandPermission).filter((k) => commandPermission[k as CommandKind] === p).join(', ')}`).join('; ');

/**
 * Any station command, one station or a batch. The route's permission is only a floor every
 * command role has ('stations:read': the DSO and the EMS hold no 'stations:command' yet must reach
 * their charging-profile kinds); the handler checks the permission of the kind itself.
 */
export async function commandSendRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post('/stations/:stationId/commands', {
    config: { permission: 'stations:read', audit: 'station.command' },
    validatorCompiler: commandValidator,
    schema: {
      tags: ['commands'], summary: 'Send a command; answers 202 at once, the station\'s answer arrives in the journal',
      description: `The permission needed depends on \`kind\`: ${kindsByPermission}. Switching kinds (${[...switchingKinds].join(', ')}) count against the caller's switching limits (429).`,
      params: StationIdParam, body: StationCommandBody, response: { 202: Accepted },
    },
  }, async (req, reply) => {
    // the body's static type is StationCommand, but the type provider's TypeBox (1.x) cannot read a 0.34 Unsafe
    const command = req.body as StationCommand;
    requireKind(req.principal!, command.kind);
    refuseDedicated(command);
    await enforceSwitchingLimits(req, ctx, command.kind, [req.params.stationId]);
    const commandId = await dispatch(ctx.services, req.params.stationId, command);
    return reply.code(202).send(commandId === null ? { commandId, outcome: 'nothing to send' } : { commandId });
  });

  api.post('/commands/batch', {
    config: { permission: 'stations:read', audit: 'station.command.batch' },
    validatorCompiler: commandValidator,
    schema: {
      tags: ['commands'], summary: 'Send one command to several stations; 202 with one command id per station',
      description: 'Every station must be in the caller\'s scope (else 404 for the whole batch). A switching kind counts once per station, and the batch may not exceed the caller\'s maxBatch.',
      body: Type.Object({
        stationIds: Type.Array(StationId, { minItems: 1, maxItems: 1000, uniqueItems: true }),
        command: StationCommandBody,
      }, { additionalProperties: false }),
      response: { 202: BatchAccepted },
    },
  }, async (req, reply) => {
    const { stationIds } = req.body;
    const command = req.body.command as StationCommand;
    const p = req.principal!;
    requireKind(p, command.kind);
    refuseDedicated(command);
    await requireScope(ctx, p, stationIds);
    await enforceSwitchingLimits(req, ctx, command.kind, stationIds);
    const outcomes = await Promise.allSettled(stationIds.map((id) => dispatch(ctx.services, id, command)));
    const refused: Array<{ stationId: string; code: string; message: string }> = [];
    const commandIds = outcomes.map((o, i) => {
      if (o.status === 'fulfilled') return o.value;
      // a service refusing one station's input does not undo what the others were sent
      if (!(o.reason instanceof ApiError)) throw o.reason;
      refused.push({ stationId: stationIds[i]!, code: o.reason.code, message: o.reason.message });
      return null;
    });
    return reply.code(202).send({ commandIds, ...(refused.length && { refused }) });
  });
}
