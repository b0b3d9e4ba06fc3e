import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { DuplicateError, InUseError } from '../../store/index.js';
import type { Station } from '../../store/schema.js';
import type { ApiContext } from '../context.js';
import { ApiError, conflict, notFound } from '../errors.js';
import { DateTime, listQuery, NullableDateTime, page, StationId, StationIdParam, isoOrNull as iso } from '../schemas.js';

const StationView = Type.Object({
  id: Type.String(),
  groupId: Type.Union([Type.String(), Type.Null()]),
  registrationStatus: Type.String(),
  securityProfile: Type.Integer(),
  securityProfileTarget: Type.Union([Type.Integer(), Type.Null()]),
  protocol: Type.Union([Type.String(), Type.Null()]),
  vendor: Type.Union([Type.String(), Type.Null()]),
  model: Type.Union([Type.String(), Type.Null()]),
  serialNumber: Type.Union([Type.String(), Type.Null()]),
  firmwareVersion: Type.Union([Type.String(), Type.Null()]),
  connected: Type.Boolean({ description: 'holds a socket on this node' }),
  lastBootAt: NullableDateTime,
  lastSeenAt: NullableDateTime,
  createdAt: DateTime,
});

const ConnectorView = Type.Object({
  evseId: Type.Integer(),
  connectorId: Type.Integer(),
  status: Type.String(),
  errorCode: Type.Union([Type.String(), Type.Null()]),
  statusAt: DateTime,
});

const StationDetail = Type.Composite([StationView, Type.Object({ connectors: Type.Array(ConnectorView) })]);

const NewStation = Type.Object({
  id: StationId,
  securityProfile: Type.Integer({ minimum: 1, maximum: 3, default: 1 }),
  groupId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
}, { additionalProperties: false });


/** Stations: list and show within the caller's scope, register (password shown once), move between groups, remove. */
export async function stationRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { stations, identity } = ctx.services;
  const view = (s: Station): Static<typeof StationView> => ({
    id: s.id, groupId: s.groupId, registrationStatus: s.registrationStatus, securityProfile: s.securityProfile,
    securityProfileTarget: s.securityProfileTarget, protocol: s.protocol, vendor: s.vendor, model: s.model, serialNumber: s.serialNumber,
    firmwareVersion: s.firmwareVersion, connected: stations.isConnected(s.id), lastBootAt: iso(s.lastBootAt), lastSeenAt: iso(s.lastSeenAt), createdAt: s.createdAt.toISOString(),
  });

  api.get('/stations', {
    config: { permission: 'stations:read' },
    schema: {
      tags: ['stations'], summary: 'List stations in scope',
      querystring: listQuery(['id', 'lastSeenAt', 'createdAt'], {
        groupId: Type.Optional(Type.String()),
        registrationStatus: Type.Optional(Type.Union(['Accepted', 'Pending', 'Rejected'].map((s) => Type.Literal(s)))),
        idPrefix: Type.Optional(Type.String({ maxLength: 48 })),
      }),
      response: { 200: page(StationView) },
    },
  }, async (req) => {
    const q = req.query;
    const { items, total } = await stations.search({ ...q, registrationStatus: q.registrationStatus as Station['registrationStatus'] | undefined, groups: req.principal!.groups });
    return { items: items.map(view), total, limit: q.limit, offset: q.offset };
  });

  api.get('/stations/:stationId', {
    config: { permission: 'stations:read' },
    schema: { tags: ['stations'], summary: 'One station with its connectors', params: StationIdParam, response: { 200: StationDetail } },
  }, async (req) => {
    const s = await stations.get(req.params.stationId);
    if (!s) throw notFound('station');
    const connectors = await ctx.services.stations.connectors(s.id);
    return { ...view(s), connectors: connectors.map((c) => ({ evseId: c.evseId, connectorId: c.connectorId, status: c.status, errorCode: c.errorCode, statusAt: c.statusAt.toISOString() })) };
  });

  api.post('/stations', {
    config: { permission: 'stations:manage', audit: 'station.register' },
    schema: {
      tags: ['stations'], summary: 'Register a station; its Basic-auth password is in this answer only',
      body: NewStation,
      response: { 201: Type.Object({ station: StationView, password: Type.String({ description: 'shown once; stored only as a keyed hash' }) }) },
    },
  }, async (req, reply) => {
    const { id, securityProfile, groupId } = req.body;
    const scope = req.principal!.groups;
    // a scoped manager registers into one of its own groups
    if (scope && (!groupId || !scope.includes(groupId))) throw new ApiError(403, 'forbidden', 'a scoped account must register into one of its station groups');
    if (groupId && !(await identity.stationGroups.get(groupId))) throw new ApiError(422, 'unknown_group', `station group ${groupId} does not exist`);
    try {
      const { station, password } = await stations.register(id, { securityProfile });
      if (groupId) await identity.stationGroups.assign(id, groupId);
      return reply.code(201).send({ station: view({ ...station, groupId: groupId ?? null }), password });
    } catch (err) {
      if (err instanceof DuplicateError) throw conflict(`station ${id} exists`);
      throw err;
    }
  });

  api.put('/stations/:stationId/group', {
    config: { permission: 'stations:manage', audit: 'station.group' },
    schema: { tags: ['stations'], summary: 'Move a station into a group (null: out of every group)', params: StationIdParam, body: Type.Object({ groupId: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }), response: { 204: Type.Null() } },
  }, async (req, reply) => {
    const { groupId } = req.body;
    const scope = req.principal!.groups;
    if (scope && (groupId === null || !scope.includes(groupId))) throw new ApiError(403, 'forbidden', 'a scoped account moves stations only between its own groups');
    if (groupId && !(await identity.stationGroups.get(groupId))) throw new ApiError(422, 'unknown_group', `station group ${groupId} does not exist`);
    await identity.stationGroups.assign(req.params.stationId, groupId);
    return reply.code(204).send(null);
  });

  api.delete('/stations/:stationId', {
    config: { permission: 'stations:manage', audit: 'station.remove' },
    schema: { tags: ['stations'], summary: 'Remove a station (refused while transactions refer to it)', params: StationIdParam, response: { 204: Type.Null() } },
  }, async (req, reply) => {
    try {
      if (!(await stations.remove(req.params.stationId))) throw notFound('station');
    } catch (err) {
      if (err instanceof InUseError) throw conflict('transactions still refer to this station');
      throw err;
    }
    return reply.code(204).send(null);
  });
}
