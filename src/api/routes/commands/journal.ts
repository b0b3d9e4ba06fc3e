import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { CommandKind } from '../../../domain/commands.js';
import { inScope } from '../../../domain/identity/principal.js';
import type { CommandRecord } from '../../../domain/journal/command-service.js';
import type { StationCommandRow } from '../../../store/schema.js';
import type { ApiContext } from '../../context.js';
import { notFound } from '../../errors.js';
import { DateTime, listQuery, NullableDateTime, page, StationIdParam } from '../../schemas.js';
import { commandSchemas } from './schemas.js';

const CommandView = Type.Object({
  id: Type.Integer(),
  stationId: Type.String(),
  kind: Type.String(),
  action: Type.Union([Type.String(), Type.Null()], { description: 'the OCPP action it was sent as' }),
  requestId: Type.Union([Type.Integer(), Type.Null()]),
  command: Type.Unknown({ description: 'the command as sent, secrets redacted' }),
  status: Type.String({ description: 'Pending until the station answers; then its status word, or Failed (offline, timeout, error)' }),
  failure: Type.Union([Type.String(), Type.Null()]),
  response: Type.Unknown({ description: 'the station\'s whole answer' }),
  progress: Type.Union([Type.String(), Type.Null()], { description: 'the latest status of a follow-up notification' }),
  createdAt: DateTime,
  answeredAt: NullableDateTime,
  updatedAt: DateTime,
});
const CommandDetail = Type.Composite([CommandView, Type.Object({
  updates: Type.Array(Type.Object({ status: Type.String(), details: Type.Unknown(), at: DateTime })),
})]);

const view = (r: StationCommandRow): Static<typeof CommandView> => ({
  id: r.id, stationId: r.stationId, kind: r.kind, action: r.action, requestId: r.requestId, command: r.command, status: r.status,
  failure: r.failure, response: r.response, progress: r.progress, createdAt: r.createdAt.toISOString(),
  answeredAt: r.answeredAt ? r.answeredAt.toISOString() : null, updatedAt: r.updatedAt.toISOString(),
});
const detail = (r: CommandRecord): Static<typeof CommandDetail> => ({
  ...view(r), updates: r.updates.map((u) => ({ status: u.status, details: u.details, at: u.at.toISOString() })),
});

/** The command journal as the API shows it: one command with its progress, a station's commands. */
export async function commandJournalRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { commands, identity } = ctx.services;

  api.get('/commands/:id', {
    config: { permission: 'stations:read' },
    schema: {
      tags: ['commands'], summary: 'One command: the station\'s answer and every progress update since',
      params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
      response: { 200: CommandDetail },
    },
  }, async (req) => {
    const rec = await commands.get(req.params.id);
    // a command of a station outside the caller's scope is answered as if it did not exist
    const group = rec && (await identity.stationGroups.groupOf(rec.stationId));
    if (!rec || group === undefined || !inScope(req.principal!, group)) throw notFound('command');
    return detail(rec);
  });

  api.get('/stations/:stationId/commands', {
    config: { permission: 'stations:read' },
    schema: {
      tags: ['commands'], summary: 'A station\'s commands, newest first unless order=asc',
      params: StationIdParam,
      querystring: listQuery(['createdAt'], {
        kind: Type.Optional(Type.Union(Object.keys(commandSchemas).map((k) => Type.Literal(k)))),
      }),
      response: { 200: page(CommandView) },
    },
  }, async (req) => {
    const q = req.query;
    // the listQuery default order is asc; a journal is read newest first unless asked otherwise
    const order = q.sort ? q.order : 'desc';
    const rows = await commands.list(req.params.stationId, { kind: q.kind as CommandKind | undefined, limit: q.limit, offset: q.offset, order });
    return { items: rows.map(view), limit: q.limit, offset: q.offset };
  });
}
