import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { LocationError, type LocationErrorKind } from '../../domain/locations/index.js';
import { parseBBox, parsePoint } from '../../domain/locations/geo.js';
import * as ocpi from '../../domain/locations/ocpi-enums.js';
import type { EvseDetail } from '../../domain/locations/views.js';
import type { EvseConnectorRow, EvseRow, LocationRow, OpeningTimes } from '../../store/schema.js';
import type { LocationInput } from '../../store/repos/locations.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { DateTime, listQuery, NullableDateTime, page, StationIdParam } from '../schemas.js';

// Field lengths are OCPI 2.2.1's, so everything stored can be published to roaming partners as is.
// a string of an OCPI enumeration: checked by the validator and listed in the OpenAPI document
const oneOf = (values: readonly string[], description?: string) => Type.String({ enum: [...values], ...(description && { description }) });
const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const HourMinute = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'local time HH:MM' });
const ExceptionalPeriod = Type.Object({ periodBegin: DateTime, periodEnd: DateTime }, { additionalProperties: false });

const OpeningTimesSchema = Type.Object({
  twentyfourseven: Type.Boolean(),
  regularHours: Type.Optional(Type.Array(Type.Object({
    weekday: Type.Integer({ minimum: 1, maximum: 7, description: '1 = Monday … 7 = Sunday' }),
    periodBegin: HourMinute,
    periodEnd: HourMinute,
  }, { additionalProperties: false }), { maxItems: 100 })),
  exceptionalOpenings: Type.Optional(Type.Array(ExceptionalPeriod, { maxItems: 100 })),
  exceptionalClosings: Type.Optional(Type.Array(ExceptionalPeriod, { maxItems: 100 })),
}, { additionalProperties: false, description: 'OCPI Hours; null = unknown' });

const Coordinates = Type.Object({
  latitude: Type.Number({ minimum: -90, maximum: 90 }),
  longitude: Type.Number({ minimum: -180, maximum: 180 }),
}, { additionalProperties: false, description: 'WGS 84 decimal degrees' });

const locationFields = {
  groupId: nullable(Type.String({ minLength: 1, maxLength: 64, description: 'station group (RBAC scope); only its stations can be attached' })),
  name: nullable(Type.String({ minLength: 1, maxLength: 255 })),
  address: Type.String({ minLength: 1, maxLength: 45 }),
  city: Type.String({ minLength: 1, maxLength: 45 }),
  postalCode: nullable(Type.String({ minLength: 1, maxLength: 10 })),
  state: nullable(Type.String({ minLength: 1, maxLength: 20 })),
  country: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 3166-1 alpha-3' }),
  coordinates: Coordinates,
  timeZone: Type.String({ minLength: 1, maxLength: 255, description: 'IANA time zone, e.g. Europe/Amsterdam' }),
  openingTimes: nullable(OpeningTimesSchema),
  parkingType: nullable(oneOf(ocpi.parkingTypes)),
  operatorName: nullable(Type.String({ minLength: 1, maxLength: 100 })),
  ownerName: nullable(Type.String({ minLength: 1, maxLength: 100 })),
  facilities: Type.Array(oneOf(ocpi.facilities), { uniqueItems: true }),
  publish: Type.Boolean({ description: 'may be published to roaming partners' }),
};
const { address, city, country, coordinates, timeZone } = locationFields;
const f = locationFields;
const NewLocation = Type.Object({
  address, city, country, coordinates, timeZone,
  groupId: Type.Optional(f.groupId), name: Type.Optional(f.name), postalCode: Type.Optional(f.postalCode), state: Type.Optional(f.state),
  openingTimes: Type.Optional(f.openingTimes), parkingType: Type.Optional(f.parkingType), operatorName: Type.Optional(f.operatorName),
  ownerName: Type.Optional(f.ownerName), facilities: Type.Optional(f.facilities), publish: Type.Optional(f.publish),
}, { additionalProperties: false });
const LocationPatch = Type.Partial(Type.Object(locationFields), { additionalProperties: false, minProperties: 1 });

const LocationView = Type.Object({
  id: Type.String(),
  ...locationFields,
  createdAt: DateTime,
  updatedAt: DateTime,
});
const LocationHitView = Type.Composite([LocationView, Type.Object({ distanceM: nullable(Type.Number({ description: 'from `near`, in metres' })) })]);

const ConnectorFields = {
  standard: oneOf(ocpi.connectorStandards, 'OCPI ConnectorType'),
  format: oneOf(ocpi.connectorFormats),
  powerType: oneOf(ocpi.powerTypes),
  maxVoltage: Type.Integer({ minimum: 1, maximum: 2000 }),
  maxAmperage: Type.Integer({ minimum: 1, maximum: 2000 }),
  maxElectricPower: nullable(Type.Integer({ minimum: 1, maximum: 2_000_000, description: 'W' })),
};
const ConnectorBody = Type.Object({ connectorId: Type.Integer({ minimum: 1, maximum: 99 }), ...ConnectorFields, maxElectricPower: Type.Optional(ConnectorFields.maxElectricPower) }, { additionalProperties: false });
export const EvseBody = Type.Object({
  uid: Type.Optional(Type.String({ minLength: 1, maxLength: 36, description: 'OCPI EVSE uid; kept (or generated) when left out' })),
  emi3Id: Type.Optional(nullable(Type.String({ pattern: '^[A-Z]{2}\\*?[A-Z0-9]{3}\\*?E[A-Z0-9*]{1,30}$', description: 'OCPI evse_id (eMI3 / ISO 15118 EVSE ID)' }))),
  physicalReference: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 16 }))),
  floorLevel: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 4 }))),
  capabilities: Type.Optional(Type.Array(oneOf(ocpi.capabilities), { uniqueItems: true })),
  connectors: Type.Array(ConnectorBody, { minItems: 1, maxItems: 16 }),
}, { additionalProperties: false });

const ConnectorView = Type.Object({ connectorId: Type.Integer(), ...ConnectorFields, updatedAt: DateTime });
const LiveConnectorView = Type.Composite([ConnectorView, Type.Object({
  status: oneOf(ocpi.evseStatuses, 'OCPI status of this connector\'s live OCPP status'),
  ocppStatus: nullable(Type.String()),
})]);
const evseFields = {
  stationId: Type.String(),
  evseId: Type.Integer({ description: 'OCPP EVSE id' }),
  uid: Type.String(),
  emi3Id: nullable(Type.String()),
  physicalReference: nullable(Type.String()),
  floorLevel: nullable(Type.String()),
  capabilities: Type.Array(Type.String()),
  updatedAt: DateTime,
};
const EvseView = Type.Object({ ...evseFields, connectors: Type.Array(ConnectorView) });
const LiveEvseView = Type.Object({
  ...evseFields,
  status: oneOf(ocpi.evseStatuses, 'OCPI EvseStatus from the live connector statuses'),
  statusAt: NullableDateTime,
  connectors: Type.Array(LiveConnectorView),
});
const LocationDetail = Type.Composite([LocationView, Type.Object({ stationIds: Type.Array(Type.String()), evses: Type.Array(LiveEvseView) })]);

const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 36 }) });
const AttachParams = Type.Composite([IdParam, StationIdParam]);
const EvseParams = Type.Composite([StationIdParam, Type.Object({ evseId: Type.Integer({ minimum: 1, maximum: 9999 }) })]);

const errorStatus: Record<LocationErrorKind, number> = {
  not_found: 404, forbidden: 403, invalid: 422, unknown_group: 422, group_mismatch: 422, in_use: 409, duplicate: 409,
};
/** Domain refusals become API errors; anything else propagates as a 500. */
async function answer<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof LocationError) throw new ApiError(errorStatus[err.kind], err.kind, err.message, err.details);
    throw err;
  }
}

const view = (l: LocationRow): Static<typeof LocationView> => ({
  id: l.id, groupId: l.groupId, name: l.name, address: l.address, city: l.city, postalCode: l.postalCode, state: l.state,
  country: l.country, coordinates: { latitude: l.latitude, longitude: l.longitude }, timeZone: l.timeZone,
  openingTimes: l.openingTimes, parkingType: l.parkingType, operatorName: l.operatorName, ownerName: l.ownerName,
  facilities: l.facilities, publish: l.publish, createdAt: l.createdAt.toISOString(), updatedAt: l.updatedAt.toISOString(),
});
const connectorView = (c: Omit<EvseConnectorRow, 'stationId' | 'evseId'>) => ({
  connectorId: c.connectorId, standard: c.standard, format: c.format, powerType: c.powerType, maxVoltage: c.maxVoltage,
  maxAmperage: c.maxAmperage, maxElectricPower: c.maxElectricPower, updatedAt: c.updatedAt.toISOString(),
}) as Static<typeof ConnectorView>;
const evseFieldsView = (e: EvseRow) => ({
  stationId: e.stationId, evseId: e.evseId, uid: e.uid, emi3Id: e.emi3Id, physicalReference: e.physicalReference,
  floorLevel: e.floorLevel, capabilities: e.capabilities, updatedAt: e.updatedAt.toISOString(),
});
const liveEvseView = (e: EvseDetail): Static<typeof LiveEvseView> => ({
  ...evseFieldsView(e), status: e.status, statusAt: e.statusAt && e.statusAt.toISOString(),
  connectors: e.connectors.map((c) => ({ ...connectorView(c), status: c.status, ocppStatus: c.ocppStatus })),
});

type LocationBody = Partial<Static<typeof LocationPatch>>;
/** API body → store fields; only what the body names (a PATCH leaves the rest alone). */
function toInput(b: LocationBody): Partial<LocationInput> {
  const { coordinates: c, openingTimes, ...rest } = b;
  return {
    ...rest,
    ...(c && { latitude: c.latitude, longitude: c.longitude }),
    ...(openingTimes !== undefined && { openingTimes: openingTimes as OpeningTimes | null }),
  };
}
const defaults = { groupId: null, name: null, postalCode: null, state: null, openingTimes: null, parkingType: null, operatorName: null, ownerName: null, facilities: [], publish: true };

/** Locations (OCPI 2.2.1 shape, P5): sites in the caller's station groups, the stations at them, EVSE and connector definitions, geographic search. */
export async function locationRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const locations = ctx.services.locations;

  api.get('/locations', {
    config: { permission: 'stations:read' },
    schema: {
      tags: ['locations'], summary: 'Search locations in scope: by distance (sorted nearest first), bounding box, availability',
      querystring: listQuery(['id', 'name', 'city', 'createdAt', 'updatedAt'], {
        near: Type.Optional(Type.String({ maxLength: 64, description: 'lat,lon: adds distanceM and sorts by it unless sort is given' })),
        radiusM: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 20_100_000, description: 'with near: only locations within this many metres' })),
        bbox: Type.Optional(Type.String({ maxLength: 128, description: 'minLat,minLon,maxLat,maxLon (minLon > maxLon crosses the antimeridian)' })),
        available: Type.Optional(Type.Boolean({ description: 'true: only locations with an EVSE whose live status is AVAILABLE' })),
        groupId: Type.Optional(Type.String({ maxLength: 64 })),
        publish: Type.Optional(Type.Boolean()),
      }),
      response: { 200: page(LocationHitView) },
    },
  }, async (req) => {
    const q = req.query;
    const near = q.near === undefined ? undefined : parsePoint(q.near);
    if (q.near !== undefined && !near) throw new ApiError(400, 'invalid_query', 'near must be "lat,lon" in decimal degrees within range');
    const bbox = q.bbox === undefined ? undefined : parseBBox(q.bbox);
    if (q.bbox !== undefined && !bbox) throw new ApiError(400, 'invalid_query', 'bbox must be "minLat,minLon,maxLat,maxLon" within range, minLat <= maxLat');
    if (q.radiusM !== undefined && !near) throw new ApiError(400, 'invalid_query', 'radiusM needs near');
    const { items, total } = await locations.search(req.principal!.groups, {
      near, bbox, radiusM: q.radiusM, available: q.available === true, groupId: q.groupId, publish: q.publish,
      sort: q.sort, order: q.order, limit: q.limit, offset: q.offset,
    });
    return { items: items.map((l) => ({ ...view(l), distanceM: l.distanceM })), total, limit: q.limit, offset: q.offset };
  });

  api.post('/locations', {
    config: { permission: 'stations:manage', audit: 'location.create' },
    schema: { tags: ['locations'], summary: 'Create a location in one of the caller\'s station groups', body: NewLocation, response: { 201: LocationView } },
  }, async (req, reply) => {
    const input = { ...defaults, ...toInput(req.body as LocationBody) } as LocationInput;
    return reply.code(201).send(view(await answer(locations.create(req.principal!.groups, input))));
  });

  api.get('/locations/:id', {
    config: { permission: 'stations:read' },
    schema: { tags: ['locations'], summary: 'One location with its stations, EVSEs, connectors and live OCPI status', params: IdParam, response: { 200: LocationDetail } },
  }, async (req) => {
    const d = await answer(locations.detail(req.principal!.groups, req.params.id));
    return { ...view(d.location), stationIds: d.stationIds, evses: d.evses.map(liveEvseView) };
  });

  api.patch('/locations/:id', {
    config: { permission: 'stations:manage', audit: 'location.update' },
    schema: { tags: ['locations'], summary: 'Change fields of a location (a group change only while no station is attached)', params: IdParam, body: LocationPatch, response: { 200: LocationView } },
  }, async (req) => view(await answer(locations.update(req.principal!.groups, req.params.id, toInput(req.body)))));

  api.delete('/locations/:id', {
    config: { permission: 'stations:manage', audit: 'location.delete' },
    schema: { tags: ['locations'], summary: 'Delete a location (refused while stations are attached)', params: IdParam, response: { 204: Type.Null() } },
  }, async (req, reply) => {
    await answer(locations.remove(req.principal!.groups, req.params.id));
    return reply.code(204).send(null);
  });

  api.put('/locations/:id/stations/:stationId', {
    config: { permission: 'stations:manage', audit: 'location.attach' },
    schema: { tags: ['locations'], summary: 'Attach a station (of the location\'s group) to the location; moves it from any other', params: AttachParams, response: { 204: Type.Null() } },
  }, async (req, reply) => {
    await answer(locations.attach(req.principal!.groups, req.params.id, req.params.stationId));
    return reply.code(204).send(null);
  });

  api.delete('/locations/:id/stations/:stationId', {
    config: { permission: 'stations:manage', audit: 'location.detach' },
    schema: { tags: ['locations'], summary: 'Detach a station from the location (before decommissioning it or moving it)', params: AttachParams, response: { 204: Type.Null() } },
  }, async (req, reply) => {
    await answer(locations.detach(req.principal!.groups, req.params.id, req.params.stationId));
    return reply.code(204).send(null);
  });

  api.put('/stations/:stationId/evses/:evseId', {
    config: { permission: 'stations:manage', audit: 'evse.define' },
    schema: { tags: ['locations'], summary: 'Define (or redefine) an EVSE of a station with all its connectors', params: EvseParams, body: EvseBody, response: { 200: EvseView } },
  }, async (req) => {
    const { stationId, evseId } = req.params;
    const b = req.body;
    const { evse, connectors } = await answer(locations.putEvse(stationId, evseId, {
      uid: b.uid, emi3Id: b.emi3Id ?? null, physicalReference: b.physicalReference ?? null, floorLevel: b.floorLevel ?? null,
      capabilities: b.capabilities ?? [], connectors: b.connectors.map((c) => ({ ...c, maxElectricPower: c.maxElectricPower ?? null })),
    }));
    return { ...evseFieldsView(evse), connectors: connectors.map(connectorView) };
  });

  api.delete('/stations/:stationId/evses/:evseId', {
    config: { permission: 'stations:manage', audit: 'evse.remove' },
    schema: { tags: ['locations'], summary: 'Remove an EVSE definition and its connectors', params: EvseParams, response: { 204: Type.Null() } },
  }, async (req, reply) => {
    await answer(locations.removeEvse(req.params.stationId, req.params.evseId));
    return reply.code(204).send(null);
  });
}
