import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CdrError, cdrsCsv, ocpiCdr } from '../../domain/cdrs/index.js';
import { inScope } from '../../domain/identity/principal.js';
import type { CdrRow } from '../../store/schema.js';
import type { ApiContext } from '../context.js';
import { ApiError, conflict, notFound } from '../errors.js';
import { DateTime, listQuery, page, StationId } from '../schemas.js';
import { CdrTariffView } from './tariffs.js';

const Money = Type.Object({ excl_vat: Type.Number(), incl_vat: Type.Number() });
const Str = Type.String();
const NullableStr = Type.Union([Type.String(), Type.Null()]);
const NullableInt = Type.Union([Type.Integer(), Type.Null()]);

/** OCPI 2.2.1 CDR, plus the V2X import/export split and the credit fields. */
const CdrView = Type.Object({
  id: Str,
  start_date_time: DateTime,
  end_date_time: DateTime,
  session_id: Str,
  cdr_token: Type.Object({
    uid: Type.Union([Type.String({ description: 'HMAC pseudonym of the idToken, never the token itself' }), Type.Null()]),
    type: Type.String({ enum: ['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID'], description: 'OCPI TokenType, from the OCPP idToken type' }),
  }),
  auth_method: Str,
  cdr_location: Type.Object({
    station_id: Str, ocpp_evse_id: NullableInt, ocpp_connector_id: NullableInt,
    // OCPI 2.2.1 CdrLocation at issue; absent when the station stood at no location (EVSE/connector fields: when defined)
    id: Type.Optional(Str), name: Type.Optional(Str), address: Type.Optional(Str), city: Type.Optional(Str), postal_code: Type.Optional(Str),
    state: Type.Optional(Str), country: Type.Optional(Str), coordinates: Type.Optional(Type.Object({ latitude: Str, longitude: Str })),
    evse_uid: Type.Optional(Str), evse_id: Type.Optional(Type.String({ description: 'eMI3 EVSE id (the EVSE uid when none is defined)' })),
    connector_id: Type.Optional(Str), connector_standard: Type.Optional(Str), connector_format: Type.Optional(Str), connector_power_type: Type.Optional(Str),
  }, { description: 'OCPI CdrLocation plus the OCPP station/EVSE/connector ids' }),
  currency: NullableStr,
  tariffs: Type.Array(CdrTariffView, { description: 'the tariff version valid when the session started' }),
  charging_periods: Type.Array(Type.Object({
    start_date_time: DateTime,
    dimensions: Type.Array(Type.Object({ type: Type.Union([Type.Literal('ENERGY'), Type.Literal('ENERGY_EXPORT'), Type.Literal('TIME'), Type.Literal('PARKING_TIME')]), volume: Type.Number() })),
  })),
  total_cost: Money,
  total_energy: Type.Number({ description: 'kWh imported (charged)' }),
  total_energy_import: Type.Number({ description: 'kWh, Energy.Active.Import.Register' }),
  total_energy_export: Type.Number({ description: 'kWh, Energy.Active.Export.Register (V2X)' }),
  export_credit: Type.Union([Money, Type.Null()], { description: 'V2G remuneration for exported energy, already deducted from total_cost' }),
  total_time: Type.Number({ description: 'hours' }),
  total_parking_time: Type.Number({ description: 'hours' }),
  credit: Type.Boolean(),
  credit_reference_id: NullableStr,
  credit_reason: NullableStr,
  last_updated: DateTime,
});

const Filters = {
  from: Type.Optional(Type.String({ format: 'date-time', description: 'sessions starting at or after' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'sessions starting before' })),
  stationId: Type.Optional(StationId),
};
const IdParam = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,15}$' }) });
/** the export reads at most this many CDRs; more need a narrower from/to */
const EXPORT_MAX = 10_000;

/** Charge detail records: list, show, export (CSV/JSON) within the caller's station scope; credit CDRs as corrections. */
export async function cdrRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { cdrs } = ctx.services;
  const filters = (q: { from?: string; to?: string; stationId?: string }) => ({
    from: q.from === undefined ? undefined : new Date(q.from), to: q.to === undefined ? undefined : new Date(q.to), stationId: q.stationId,
  });
  /** the CDR if its station is in the caller's scope; 404 otherwise, as for stations */
  const visible = async (req: FastifyRequest, id: string): Promise<CdrRow> => {
    const row = await cdrs.get(Number(id));
    if (!row || !inScope(req.principal!, await cdrs.groupOf(row.stationId))) throw notFound('cdr');
    return row;
  };

  api.get('/cdrs', {
    config: { permission: 'cdrs:read' },
    schema: {
      tags: ['cdrs'], summary: 'List charge detail records in scope',
      querystring: listQuery(['id', 'startDateTime'], Filters),
      response: { 200: page(CdrView) },
    },
  }, async (req) => {
    const q = req.query;
    const { items, total } = await cdrs.search({ ...filters(q), limit: q.limit, offset: q.offset, sort: q.sort, order: q.order, groups: req.principal!.groups });
    return { items: items.map(ocpiCdr), total, limit: q.limit, offset: q.offset };
  });

  api.get('/cdrs/export', {
    config: { permission: 'cdrs:read' },
    schema: {
      tags: ['cdrs'], summary: `Export CDRs in scope (oldest first, at most ${EXPORT_MAX}) as CSV with a header or as JSON; only the token pseudonym identifies a driver`,
      querystring: Type.Object({ format: Type.Union([Type.Literal('csv'), Type.Literal('json')], { default: 'csv' }), ...Filters }, { additionalProperties: false }),
      produces: ['text/csv', 'application/json'],
      response: { 200: Type.Union([Type.String({ description: 'text/csv' }), Type.Array(CdrView)]) },
    },
  }, async (req, reply) => {
    const q = req.query;
    const { items, total } = await cdrs.search({ ...filters(q), limit: EXPORT_MAX, offset: 0, sort: 'startDateTime', order: 'asc', groups: req.principal!.groups });
    if (total > EXPORT_MAX) throw new ApiError(422, 'too_many', `${total} CDRs match; narrow from/to to at most ${EXPORT_MAX}`);
    if (q.format === 'json') return items.map(ocpiCdr);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="cdrs.csv"').send(cdrsCsv(items));
  });

  api.get('/cdrs/:id', {
    config: { permission: 'cdrs:read' },
    schema: { tags: ['cdrs'], summary: 'One charge detail record', params: IdParam, response: { 200: CdrView } },
  }, async (req) => ocpiCdr(await visible(req, req.params.id)));

  api.post('/cdrs/:id/credit', {
    config: { permission: 'cdrs:manage', audit: 'cdr.credit' },
    schema: {
      tags: ['cdrs'], summary: 'Issue a credit CDR reversing this one (CDRs are immutable; this is the correction)',
      params: IdParam,
      body: Type.Object({ reason: Type.String({ minLength: 3, maxLength: 500 }) }, { additionalProperties: false }),
      response: { 201: CdrView },
    },
  }, async (req, reply) => {
    const original = await visible(req, req.params.id);
    try {
      return reply.code(201).send(ocpiCdr(await cdrs.credit(original.id, req.body.reason)));
    } catch (err) {
      if (err instanceof CdrError && err.code === 'conflict') throw conflict(err.message);
      throw err;
    }
  });
}

