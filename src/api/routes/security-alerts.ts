import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { inScope, type Principal } from '../../domain/identity/principal.js';
import type { IdsAlert } from '../../store/schema.js';
import type { ApiContext } from '../context.js';
import { conflict, notFound } from '../errors.js';
import { DateTime, listQuery, NullableDateTime, page, isoOrNull } from '../schemas.js';

const Severity = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('high'), Type.Literal('critical')]);
const Status = Type.Union([Type.Literal('open'), Type.Literal('acknowledged'), Type.Literal('closed')]);

const AlertView = Type.Object({
  id: Type.Integer(),
  class: Type.String({ description: 'T1 DoS, T2 frame injection, T3 replay, T4 impersonation, T5 Sybil/cloned tokens, PH3 station-reported' }),
  rule: Type.String(),
  severity: Severity,
  stationId: Type.Union([Type.String(), Type.Null()]),
  sourceIp: Type.Union([Type.String(), Type.Null()]),
  evidence: Type.Record(Type.String(), Type.Unknown(), { description: 'frame metadata and counters; token pseudonyms only' }),
  response: Type.Record(Type.String(), Type.Unknown(), { description: 'what the rule did: kind, executed, detail' }),
  firstSeen: DateTime,
  lastSeen: DateTime,
  count: Type.Integer(),
  status: Status,
  changedBy: Type.Union([Type.String(), Type.Null()]),
  changedAt: NullableDateTime,
});

const view = (a: IdsAlert) => ({
  id: Number(a.id), class: a.class, rule: a.rule, severity: a.severity, stationId: a.stationId, sourceIp: a.sourceIp,
  evidence: a.evidence, response: a.response, firstSeen: a.firstSeen.toISOString(), lastSeen: a.lastSeen.toISOString(),
  count: a.count, status: a.status, changedBy: a.changedBy, changedAt: isoOrNull(a.changedAt),
});

const IdParam = Type.Object({ id: Type.Integer({ minimum: 1 }) });

/**
 * Intrusion detection alerts. A principal scoped to station groups sees the alerts of its
 * stations only; alerts about a bare source address (handshake floods) need an unscoped one.
 */
export async function securityAlertRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const alerts = ctx.services.idsAlerts;
  const visible = async (p: Principal, a: IdsAlert): Promise<boolean> => {
    if (p.groups === null) return true;
    if (a.stationId === null) return false;
    // a station unknown to the store (an identity that never registered) belongs to no group
    return inScope(p, (await ctx.services.identity.stationGroups.groupOf(a.stationId)) ?? null);
  };

  api.get('/security/alerts', {
    config: { permission: 'security:read' },
    schema: {
      tags: ['security'], summary: 'Intrusion detection alerts, newest first',
      querystring: listQuery(['id'], { status: Type.Optional(Status), stationId: Type.Optional(Type.String({ maxLength: 64 })), class: Type.Optional(Type.String({ maxLength: 8 })), severity: Type.Optional(Severity) }),
      response: { 200: page(AlertView) },
    },
  }, async (req) => {
    const q = req.query;
    const rows = await alerts.list({ status: q.status, stationId: q.stationId, class: q.class, severity: q.severity, groups: req.principal!.groups, limit: q.limit, offset: q.offset });
    return { items: rows.map(view), limit: q.limit, offset: q.offset };
  });

  api.get('/security/alerts/:id', {
    config: { permission: 'security:read' },
    schema: { tags: ['security'], summary: 'One alert with its evidence', params: IdParam, response: { 200: AlertView } },
  }, async (req) => {
    const a = await alerts.get(req.params.id);
    if (!a || !(await visible(req.principal!, a))) throw notFound('alert');
    return view(a);
  });

  for (const [verb, status] of [['acknowledge', 'acknowledged'], ['close', 'closed']] as const) {
    api.post(`/security/alerts/:id/${verb}`, {
      config: { permission: 'security:manage', audit: `security.alert.${verb}` },
      schema: { tags: ['security'], summary: `${verb === 'close' ? 'Close' : 'Acknowledge'} an alert (recorded with who did it, and audited)`, params: IdParam, response: { 200: AlertView } },
    }, async (req) => {
      const a = await alerts.get(req.params.id);
      if (!a || !(await visible(req.principal!, a))) throw notFound('alert');
      const r = await alerts.setStatus(req.params.id, status, req.principal!.id);
      if (r === 'not-found') throw notFound('alert');
      if (r === 'closed') throw conflict('the alert is closed');
      return view(r);
    });
  }
}
