import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { can, inScope } from '../../domain/identity/principal.js';
import type { Transaction } from '../../store/schema.js';
import type { ApiContext } from '../context.js';
import { notFound } from '../errors.js';
import { DateTime, NullableDateTime, page, StationId, isoOrNull as iso } from '../schemas.js';

const Count = Type.Integer({ minimum: 0 });

const DashboardView = Type.Object({
  at: DateTime,
  stations: Type.Object({ total: Count, online: Count, offline: Count, faulted: Type.Integer({ minimum: 0, description: 'stations with a connector reporting Faulted' }) }),
  sessions: Type.Union([Type.Object({
    active: Count, startedToday: Count,
    energyTodayWh: Type.Number({ description: 'sessions ended today (UTC) plus what active sessions delivered so far' }),
    powerNowW: Type.Number({ description: 'sum of the latest power reading of every active session' }),
  }), Type.Null()], { description: 'null without transactions:read' }),
  hourly: Type.Union([Type.Array(Type.Object({ hour: DateTime, started: Count, energyWh: Type.Number() })), Type.Null()], { description: 'the last 24 hours; null without transactions:read' }),
  openAlerts: Type.Union([Type.Object({ info: Count, warning: Count, high: Count, critical: Count }), Type.Null()], { description: 'open IDS alerts by severity; null without security:read' }),
});

const ConnectorState = Type.Object({
  stationId: Type.String(), evseId: Type.Integer(), connectorId: Type.Integer(), status: Type.String(),
  errorCode: Type.Union([Type.String(), Type.Null()]), statusAt: DateTime,
});

const TransactionView = Type.Object({
  id: Type.Integer(),
  stationId: Type.String(),
  transactionRef: Type.String(),
  protocol: Type.String(),
  evseId: Type.Union([Type.Integer(), Type.Null()]),
  connectorId: Type.Union([Type.Integer(), Type.Null()]),
  state: Type.String(),
  chargingState: Type.Union([Type.String(), Type.Null()]),
  startedAt: DateTime,
  endedAt: NullableDateTime,
  meterStartWh: Type.Union([Type.Number(), Type.Null()]),
  meterStopWh: Type.Union([Type.Number(), Type.Null()]),
  energyWh: Type.Union([Type.Number(), Type.Null()], { description: 'once ended' }),
  stopReason: Type.Union([Type.String(), Type.Null()]),
  remoteStartId: Type.Union([Type.Integer(), Type.Null()]),
});

const CurvePoint = Type.Object({
  at: DateTime,
  energyWh: Type.Union([Type.Number(), Type.Null()], { description: 'Energy.Active.Import.Register' }),
  powerW: Type.Union([Type.Number(), Type.Null()], { description: 'Power.Active.Import' }),
  socPct: Type.Union([Type.Number(), Type.Null()]),
});

const TransactionDetail = Type.Composite([TransactionView, Type.Object({
  energySoFarWh: Type.Number({ description: 'the energy figure once ended; while active, the latest register minus the start' }),
  meterValues: Type.Array(CurvePoint, { description: 'the meter curve, in sampling order' }),
})]);

// the driver's token is left out: the portal names sessions by station, connector and time
const view = (t: Transaction): Static<typeof TransactionView> => ({
  id: t.id, stationId: t.stationId, transactionRef: t.transactionRef, protocol: t.protocol, evseId: t.evseId, connectorId: t.connectorId,
  state: t.state, chargingState: t.chargingState, startedAt: t.startedAt.toISOString(), endedAt: iso(t.endedAt),
  meterStartWh: t.meterStartWh, meterStopWh: t.meterStopWh, energyWh: t.energyWh, stopReason: t.stopReason, remoteStartId: t.remoteStartId,
});

/** The operator dashboard and charging sessions (transactions) within the caller's station scope. */
export async function operationsRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { operations } = ctx.services;

  api.get('/dashboard', {
    config: { permission: 'stations:read' },
    schema: {
      tags: ['operations'], summary: 'Operator dashboard: stations online/offline/faulted, active sessions, energy today, power now, open alerts by severity',
      description: 'Parts the caller may not see (transactions:read, security:read) are null.',
      response: { 200: DashboardView },
    },
  }, async (req) => {
    const p = req.principal!;
    const d = await operations.dashboard(p.groups, { transactions: can(p, 'transactions:read'), alerts: can(p, 'security:read') });
    return { ...d, at: d.at.toISOString(), hourly: d.hourly && d.hourly.map((h) => ({ ...h, hour: h.hour.toISOString() })) };
  });

  api.get('/connectors', {
    config: { permission: 'stations:read' },
    schema: {
      tags: ['stations'], summary: 'Connector states of up to 100 stations at once (a page of the stations list)',
      description: 'Stations outside the caller\'s scope, or unknown, contribute nothing.',
      querystring: Type.Object({
        stationIds: Type.String({ minLength: 1, maxLength: 100 * 49, pattern: '^[^,]+(,[^,]+){0,99}$', description: 'comma-separated station ids, at most 100' }),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(ConnectorState) }) },
    },
  }, async (req) => {
    const rows = await operations.connectors([...new Set(req.query.stationIds.split(','))], req.principal!.groups);
    return { items: rows.map((c) => ({ stationId: c.stationId, evseId: c.evseId, connectorId: c.connectorId, status: c.status, errorCode: c.errorCode, statusAt: c.statusAt.toISOString() })) };
  });

  api.get('/transactions', {
    config: { permission: 'transactions:read' },
    schema: {
      tags: ['operations'], summary: 'Charging sessions in scope, newest first',
      querystring: Type.Object({
        limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
        stationId: Type.Optional(StationId),
        state: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('ended')])),
        from: Type.Optional(Type.String({ format: 'date-time', description: 'started at or after' })),
      }, { additionalProperties: false }),
      response: { 200: page(TransactionView) },
    },
  }, async (req) => {
    const q = req.query;
    const { items, total } = await operations.transactions({ ...q, from: q.from === undefined ? undefined : new Date(q.from), groups: req.principal!.groups });
    return { items: items.map(view), total, limit: q.limit, offset: q.offset };
  });

  api.get('/transactions/:transactionId', {
    config: { permission: 'transactions:read' },
    schema: {
      tags: ['operations'], summary: 'One charging session with its meter curve',
      params: Type.Object({ transactionId: Type.Integer({ minimum: 1 }) }),
      response: { 200: TransactionDetail },
    },
  }, async (req) => {
    const found = await operations.transaction(req.params.transactionId);
    // outside the caller's scope it does not exist, as for stations
    const group = found && await ctx.services.identity.stationGroups.groupOf(found.tx.stationId);
    if (!found || group === undefined || !inScope(req.principal!, group)) throw notFound('transaction');
    return { ...view(found.tx), energySoFarWh: found.energySoFarWh, meterValues: found.curve.map((c) => ({ ...c, at: c.at.toISOString() })) };
  });
}
