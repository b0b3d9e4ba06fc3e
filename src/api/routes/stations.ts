import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { LocationError } from '../../domain/locations/index.js';
import type { DomainServices } from '../../domain/services.js';
import { DuplicateError, InUseError } from '../../store/index.js';
import type { Station } from '../../store/schema.js';
import type { ApiContext } from '../context.js';
import { ApiError, conflict, notFound } from '../errors.js';
import { EvseBody } from './locations.js';
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
  onboarding: Type.Union([Type.Literal('registered'), Type.Literal('connected'), Type.Literal('booted'), Type.Literal('accepted'), Type.Literal('decommissioned')], {
    description: 'registered: never connected; connected: no boot yet; booted: boot answered Pending/Rejected; accepted; decommissioned',
  }),
  decommissionedAt: NullableDateTime,
  locationId: Type.Union([Type.String(), Type.Null()]),
});

/** The station view of every /stations route (also the operations routes of station-ops.ts). */
export function stationViewOf(services: DomainServices): (s: Station) => Static<typeof StationView> {
  const { stations, stationOps } = services;
  return (s) => ({
    id: s.id, groupId: s.groupId, registrationStatus: s.registrationStatus, securityProfile: s.securityProfile,
    securityProfileTarget: s.securityProfileTarget, protocol: s.protocol, vendor: s.vendor, model: s.model, serialNumber: s.serialNumber,
    firmwareVersion: s.firmwareVersion, connected: stations.isConnected(s.id), lastBootAt: iso(s.lastBootAt), lastSeenAt: iso(s.lastSeenAt), createdAt: s.createdAt.toISOString(),
    onboarding: stationOps.onboarding(s), decommissionedAt: iso(s.decommissionedAt), locationId: s.locationId,
  });
}
export { StationView };

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
  // onboarding: where it will stand and what it offers, so it is published right once it is accepted
  locationId: Type.Optional(Type.String({ minLength: 1, maxLength: 36, description: 'a location of the same station group' })),
  evses: Type.Optional(Type.Array(Type.Composite([Type.Object({ evseId: Type.Integer({ minimum: 1, maximum: 9999 }) }), EvseBody]), { maxItems: 64 })),
}, { additionalProperties: false });

/** A location refusal while registering: the body named something that does not fit. */
function registrationError(err: LocationError): ApiError {
  if (err.kind === 'duplicate') return new ApiError(409, 'duplicate', err.message);
  if (err.kind === 'not_found') return new ApiError(422, 'unknown_location', 'the location does not exist');
  return new ApiError(422, err.kind, err.message, err.details);
}


/** Stations: list and show within the caller's scope, register (password shown once), move between groups, remove. */
export async function stationRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { stations, identity } = ctx.services;
  const view = stationViewOf(ctx.services);

  api.get('/stations', {
    config: { permission: 'stations:read' },
    schema: {
      tags: ['stations'], summary: 'List stations in scope',
      querystring: listQuery(['id', 'lastSeenAt', 'createdAt'], {
        groupId: Type.Optional(Type.String()),
        registrationStatus: Type.Optional(Type.Union(['Accepted', 'Pending', 'Rejected'].map((s) => Type.Literal(s)))),
        idPrefix: Type.Optional(Type.String({ maxLength: 48 })),
        decommissioned: Type.Optional(Type.Boolean({ description: 'true: only decommissioned stations; false: only those in service' })),
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
    const { id, securityProfile, groupId, locationId, evses } = req.body;
    const scope = req.principal!.groups;
    // a scoped manager registers into one of its own groups
    if (scope && (!groupId || !scope.includes(groupId))) throw new ApiError(403, 'forbidden', 'a scoped account must register into one of its station groups');
    if (groupId && !(await identity.stationGroups.get(groupId))) throw new ApiError(422, 'unknown_group', `station group ${groupId} does not exist`);
    // the location is checked before anything is written: a refused binding registers nothing
    if (locationId !== undefined) {
      const location = await ctx.services.locations.get(scope, locationId).catch((err: unknown) => {
        throw err instanceof LocationError ? registrationError(err) : err;
      });
      if (location.groupId !== (groupId ?? null)) throw new ApiError(422, 'group_mismatch', 'the station must be registered into the station group of its location');
    }
    let registered: { station: Station; password: string };
    try {
      registered = await stations.register(id, { securityProfile });
    } catch (err) {
      if (err instanceof DuplicateError) throw conflict(`station ${id} exists`);
      throw err;
    }
    try {
      if (groupId) await identity.stationGroups.assign(id, groupId);
      if (locationId !== undefined) await ctx.services.locations.attach(scope, locationId, id);
      for (const b of evses ?? []) {
        await ctx.services.locations.putEvse(id, b.evseId, {
          uid: b.uid, emi3Id: b.emi3Id ?? null, physicalReference: b.physicalReference ?? null, floorLevel: b.floorLevel ?? null,
          capabilities: b.capabilities ?? [], connectors: b.connectors.map((c) => ({ ...c, maxElectricPower: c.maxElectricPower ?? null })),
        });
      }
    } catch (err) {
      // all or nothing: the station was created by this request and has no history yet
      await stations.remove(id).catch(() => undefined);
      throw err instanceof LocationError ? registrationError(err) : err;
    }
    const station = (await stations.get(id)) ?? registered.station;
    return reply.code(201).send({ station: view(station), password: registered.password });
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
    schema: { tags: ['stations'], summary: 'Remove a station without history (refused while transactions or CDRs refer to it: decommission it instead)', params: StationIdParam, response: { 204: Type.Null() } },
  }, async (req, reply) => {
    if (await ctx.services.stationOps.hasCdrs(req.params.stationId)) throw conflict('CDRs refer to this station: decommission it instead');
    try {
      if (!(await stations.remove(req.params.stationId))) throw notFound('station');
    } catch (err) {
      if (err instanceof InUseError) throw conflict('transactions still refer to this station: decommission it instead');
      throw err;
    }
    return reply.code(204).send(null);
  });
}
