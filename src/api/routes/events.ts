import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { can, inScope } from '../../domain/identity/principal.js';
import { cachedGroupOf, eventPermission, eventTypes, isEventType, type EventType } from '../../domain/webhooks/visibility.js';
import type { ApiContext } from '../context.js';
import { ApiError, forbidden, notFound } from '../errors.js';
import { StationId } from '../schemas.js';
import { defaultSseLimits, SseStream } from '../sse-stream.js';

const MAX_STREAMS_PER_PRINCIPAL = 8;

const EventsQuery = Type.Object({
  types: Type.Optional(Type.String({ pattern: '^[a-z.]+(,[a-z.]+)*$', maxLength: 400, description: `comma-separated event types; default every type the caller may see. One of: ${eventTypes.join(', ')}` })),
  stationId: Type.Optional(StationId),
  commandId: Type.Optional(Type.Integer({ minimum: 1, description: 'only command.answered / command.progress of this command (the id POST /stations/{id}/commands answered)' })),
  reveal: Type.Boolean({ default: false, description: 'idTokens in clear; needs tokens:reveal and is audited. Default: omitted' }),
}, { additionalProperties: false });

const EventsHeaders = Type.Object({
  'last-event-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,16}$', description: 'resume after this event (replayed from a bounded buffer; an `event: gap` says when some are gone)' })),
});

/**
 * Live events as server-sent events, filtered by what the caller may see (the table in
 * domain/webhooks/visibility.ts). A portal's EventSource authenticates with its session cookie
 * (a GET: no CSRF token needed).
 */
export async function eventRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { eventHub, identity } = ctx.services;
  const open = new Set<SseStream>();
  // streams per principal: each holds a socket and up to a buffer's worth of memory
  const perPrincipal = new Map<string, number>();
  // streams never end by themselves: close them first, so shutdown does not wait on them
  app.addHook('preClose', async () => {
    for (const s of [...open]) s.end();
  });

  api.get('/events', {
    config: { permission: 'authenticated' },
    schema: {
      tags: ['events'], summary: 'Live events (text/event-stream)',
      description: 'Each event: `id:` (increasing on this node), `event:` its type, `data:` JSON `{id, type, time, data}`. A comment every 15 s keeps the connection open. '
        + 'Station, connector and command events need stations:read, transaction, token and meter events transactions:read, security events security:read; '
        + 'events of a station outside the caller\'s station groups are never sent. A client that falls too far behind is disconnected and resumes with Last-Event-ID.',
      querystring: EventsQuery, headers: EventsHeaders,
      produces: ['text/event-stream'],
      response: { 200: Type.String({ description: 'an endless text/event-stream' }) },
    },
  }, async (req, reply) => {
    const p = req.principal!;
    const q = req.query;
    const names = q.types?.split(',');
    const unknown = names?.filter((t) => !isEventType(t));
    if (unknown?.length) throw new ApiError(400, 'invalid_request', `unknown event types: ${unknown.join(', ')}`, { known: eventTypes });
    const types = names && new Set(names as EventType[]);
    const unseen = types && [...types].filter((t) => !can(p, eventPermission[t]));
    if (unseen?.length) throw forbidden('you may not see these event types', { types: unseen });
    if (q.stationId !== undefined) {
      const group = await identity.stationGroups.groupOf(q.stationId);
      if (group === undefined || !inScope(p, group)) throw notFound('station');
    }
    const full = () => (perPrincipal.get(p.id) ?? 0) >= MAX_STREAMS_PER_PRINCIPAL;
    const tooMany = () => new ApiError(429, 'too_many_streams', `at most ${MAX_STREAMS_PER_PRINCIPAL} event streams at once per account`, { limit: MAX_STREAMS_PER_PRINCIPAL });
    // checked before the reveal is audited, and again after that wait, in the step that counts the stream
    if (full()) throw tooMany();
    if (q.reveal) {
      if (!can(p, 'tokens:reveal')) throw forbidden('needs permission tokens:reveal', { permission: 'tokens:reveal' });
      // showing personal data is audited (OP4), once per stream
      await identity.audit.record({ actor: p, action: 'events.reveal', target: q.stationId ?? null, result: 'success', sourceIp: req.ip, details: { types: names ?? 'all' } });
    }
    const lastId = req.headers['last-event-id'];
    if (full()) throw tooMany();
    perPrincipal.set(p.id, (perPrincipal.get(p.id) ?? 0) + 1);

    reply.hijack();
    reply.raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    const stream = new SseStream(reply.raw, p, { types, stationId: q.stationId, commandId: q.commandId }, cachedGroupOf(identity.stationGroups.groupOf.bind(identity.stationGroups)),
      q.reveal, defaultSseLimits, (s) => {
        open.delete(s);
        const n = (perPrincipal.get(p.id) ?? 1) - 1;
        if (n > 0) perPrincipal.set(p.id, n);
        else perPrincipal.delete(p.id);
      });
    open.add(stream);
    // a command's answer may come before its caller opens the stream: a commandId stream starts with what the buffer holds of it
    const replay = lastId !== undefined ? { after: Number(lastId), reportGap: true } : q.commandId !== undefined ? { after: 0, reportGap: false } : undefined;
    stream.start(eventHub, replay);
  });
}
