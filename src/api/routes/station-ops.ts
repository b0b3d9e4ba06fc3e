import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { can } from '../../domain/identity/principal.js';
import * as ocpi from '../../domain/locations/ocpi-enums.js';
import type { ConnectorAvailability } from '../../domain/stations/station-ops.js';
import type { StatusHistoryRow } from '../../store/repos/station-ops.js';
import type { ApiContext } from '../context.js';
import { ApiError, conflict, notFound } from '../errors.js';
import { DateTime, NullableDateTime, page, StationIdParam, isoOrNull as iso } from '../schemas.js';
import { stationViewOf, StationView } from './stations.js';

const nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const StatusRecord = Type.Object({
  evseId: Type.Integer(),
  connectorId: Type.Integer(),
  status: Type.String({ description: 'OCPP status as reported' }),
  errorCode: nullable(Type.String()),
  info: nullable(Type.String()),
  statusAt: DateTime,
  receivedAt: DateTime,
});

const Availability = Type.Object({
  evseId: Type.Integer(),
  connectorId: Type.Integer(),
  ocppStatus: Type.String(),
  errorCode: nullable(Type.String()),
  statusAt: DateTime,
  status: Type.String({ enum: [...ocpi.evseStatuses], description: 'OCPI status now: REMOVED when decommissioned, UNKNOWN while offline' }),
  available: Type.Boolean(),
});

const Connection = Type.Object({
  connected: Type.Boolean(),
  since: NullableDateTime,
  protocol: nullable(Type.String()),
  securityProfile: Type.Union([Type.Integer(), Type.Null()]),
  remoteAddress: nullable(Type.String()),
  clientCertificate: Type.Union([Type.Object({ subject: Type.String(), serialNumber: Type.String(), notAfter: DateTime }), Type.Null()], {
    description: 'the verified TLS client certificate of this connection (security profile 3)',
  }),
  lastSeenAt: NullableDateTime,
});

const Diagnostics = Type.Object({
  station: StationView,
  connection: Connection,
  issuedCertificate: Type.Union([Type.Object({ serialNumber: Type.String(), subject: Type.String(), notBefore: DateTime, notAfter: DateTime }), Type.Null()], {
    description: 'the newest unrevoked station certificate the CPO CA issued to it',
  }),
  boot: Type.Object({
    lastBootAt: NullableDateTime, vendor: nullable(Type.String()), model: nullable(Type.String()), serialNumber: nullable(Type.String()),
    firmwareVersion: nullable(Type.String()), iccid: nullable(Type.String()), imsi: nullable(Type.String()),
  }),
  lastHeartbeatAt: Type.Union([DateTime, Type.Null()], { description: 'last frame of any kind (heartbeats included)' }),
  connectors: Type.Array(Availability),
  recentFaults: Type.Array(StatusRecord, { description: 'newest first: errorCode other than NoError, or Faulted' }),
  securityEvents: Type.Union([Type.Array(Type.Object({
    id: Type.Integer(), occurredAt: DateTime, type: Type.String(), severity: Type.String(), origin: Type.String(), sourceIp: nullable(Type.String()),
    details: Type.Record(Type.String(), Type.Unknown()),
  })), Type.Null()], { description: 'newest first; null for a caller without security:read (the security log stays behind its own permission)' }),
  openCommands: Type.Array(Type.Object({ id: Type.Integer(), kind: Type.String(), status: Type.String(), progress: nullable(Type.String()), createdAt: DateTime }), {
    description: 'sent and not yet answered, oldest first',
  }),
  logUploads: Type.Array(Type.Object({
    id: Type.Integer(), fileKind: Type.String(), originalName: nullable(Type.String()), size: Type.Integer(), sha256: Type.String(), receivedAt: DateTime,
  })),
});

const HistoryQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc', description: 'by status time; newest first by default' }),
  evseId: Type.Optional(Type.Integer({ minimum: 0 })),
  connectorId: Type.Optional(Type.Integer({ minimum: 0 })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'status time, inclusive' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'status time, exclusive' })),
}, { additionalProperties: false });

const statusRecord = (r: StatusHistoryRow) => ({
  evseId: r.evseId, connectorId: r.connectorId, status: r.status, errorCode: r.errorCode, info: r.info,
  statusAt: r.statusAt.toISOString(), receivedAt: r.receivedAt.toISOString(),
});
const availability = (c: ConnectorAvailability) => ({ ...c, statusAt: c.statusAt.toISOString() });

/**
 * Station operations (issue 6): decommissioning and recommissioning, status history, live
 * availability and the diagnostics view. Scope: the API plugin answers 404 for a station
 * outside the caller's groups on every :stationId route.
 */
export async function stationOpsRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { stations, stationOps } = ctx.services;
  const view = stationViewOf(ctx.services);
  const station = async (id: string) => (await stations.get(id)) ?? Promise.reject(notFound('station'));

  api.post('/stations/:stationId/decommission', {
    config: { permission: 'stations:manage', audit: 'station.decommission' },
    schema: {
      tags: ['stations'], summary: 'Take a station out of service: disconnect it, wipe its credentials, revoke its certificates; its history stays',
      params: StationIdParam,
      response: {
        200: Type.Object({
          station: StationView,
          revokedCertificates: Type.Array(Type.String(), { description: 'serial numbers of its certificates from the CPO CA, revoked now' }),
          unrevokedCertificates: Type.Array(Type.String(), { description: 'serial numbers that could not be revoked: revoke them by hand' }),
        }),
      },
    },
  }, async (req) => {
    const s = await station(req.params.stationId);
    const done = await stationOps.decommission(s.id);
    if (!done) throw conflict(`station ${s.id} is decommissioned already`);
    return { station: view(done.station), revokedCertificates: done.revokedCertificates, unrevokedCertificates: done.unrevokedCertificates };
  });

  api.post('/stations/:stationId/recommission', {
    config: { permission: 'stations:manage', audit: 'station.recommission' },
    schema: {
      tags: ['stations'], summary: 'Put a decommissioned station back in service; its new Basic-auth password is in this answer only',
      params: StationIdParam,
      body: Type.Object({ securityProfile: Type.Optional(Type.Integer({ minimum: 1, maximum: 3 })) }, { additionalProperties: false }),
      response: { 200: Type.Object({ station: StationView, password: Type.String({ description: 'shown once; stored only as a keyed hash' }) }) },
    },
  }, async (req) => {
    const s = await station(req.params.stationId);
    const done = await stationOps.recommission(s.id, req.body.securityProfile);
    if (!done) throw conflict(`station ${s.id} is not decommissioned`);
    return { station: view(done.station), password: done.password };
  });

  api.get('/stations/:stationId/status-history', {
    config: { permission: 'stations:read' },
    schema: {
      tags: ['stations'], summary: 'Status reports of a station, paged, by EVSE/connector and time range',
      params: StationIdParam, querystring: HistoryQuery, response: { 200: page(StatusRecord) },
    },
  }, async (req) => {
    const q = req.query;
    const from = q.from === undefined ? undefined : new Date(q.from);
    const to = q.to === undefined ? undefined : new Date(q.to);
    if (from && to && from >= to) throw new ApiError(400, 'invalid_query', 'from must be before to');
    const s = await station(req.params.stationId);
    const { items, total } = await stationOps.statusHistory({
      stationId: s.id, evseId: q.evseId, connectorId: q.connectorId, from, to, order: q.order, limit: q.limit, offset: q.offset,
    });
    return { items: items.map(statusRecord), total, limit: q.limit, offset: q.offset };
  });

  api.get('/stations/:stationId/availability', {
    config: { permission: 'stations:read' },
    schema: {
      tags: ['stations'], summary: 'Live availability per connector, from its last status and the station\'s connection',
      params: StationIdParam,
      response: { 200: Type.Object({ stationId: Type.String(), connected: Type.Boolean(), decommissioned: Type.Boolean(), connectors: Type.Array(Availability) }) },
    },
  }, async (req) => {
    const s = await station(req.params.stationId);
    const connectors = await stationOps.availability(s);
    return { stationId: s.id, connected: stations.isConnected(s.id), decommissioned: s.decommissionedAt !== null, connectors: connectors.map(availability) };
  });

  api.get('/stations/:stationId/diagnostics', {
    config: { permission: 'stations:read' },
    schema: {
      tags: ['stations'], summary: 'What support looks at first: connection, boot, faults, security events, open commands, log uploads',
      params: StationIdParam, response: { 200: Diagnostics },
    },
  }, async (req) => {
    const d = await stationOps.diagnostics(await station(req.params.stationId));
    const s = d.station;
    return {
      station: view(s),
      connection: {
        connected: stations.isConnected(s.id), since: iso(d.connection?.since ?? null), protocol: d.connection?.protocol ?? null,
        securityProfile: d.connection?.securityProfile ?? null, remoteAddress: d.connection?.remoteAddress ?? null, lastSeenAt: iso(s.lastSeenAt),
        clientCertificate: d.connection?.clientCertificate ? { ...d.connection.clientCertificate, notAfter: d.connection.clientCertificate.notAfter.toISOString() } : null,
      },
      issuedCertificate: d.issuedCertificate && { ...d.issuedCertificate, notBefore: d.issuedCertificate.notBefore.toISOString(), notAfter: d.issuedCertificate.notAfter.toISOString() },
      boot: { lastBootAt: iso(s.lastBootAt), vendor: s.vendor, model: s.model, serialNumber: s.serialNumber, firmwareVersion: s.firmwareVersion, iccid: s.iccid, imsi: s.imsi },
      lastHeartbeatAt: iso(s.lastSeenAt),
      connectors: d.connectors.map(availability),
      recentFaults: d.recentFaults.map(statusRecord),
      securityEvents: !can(req.principal!, 'security:read') ? null : d.securityEvents.map((e) => ({
        id: e.id, occurredAt: e.occurredAt.toISOString(), type: e.type, severity: e.severity, origin: e.origin, sourceIp: e.sourceIp, details: e.details,
      })),
      openCommands: d.openCommands.map((c) => ({ ...c, createdAt: c.createdAt.toISOString() })),
      logUploads: d.logUploads.map((f) => ({ ...f, receivedAt: f.receivedAt.toISOString() })),
    };
  });
}
