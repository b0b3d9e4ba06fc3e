import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formatMinor } from '../../domain/cdrs/pricing.js';
import { inScope } from '../../domain/identity/principal.js';
import { TariffError } from '../../domain/tariffs/cost.js';
import type { Money, PriceBreakdown } from '../../domain/tariffs/engine.js';
import { DAYS, PRICE_COMPONENT_TYPES, type TariffDefinition } from '../../domain/tariffs/model.js';
import { DuplicateError } from '../../store/index.js';
import type { TariffRow, TariffVersionRow } from '../../store/schema.js';
import type { ApiContext } from '../context.js';
import { ApiError, conflict, notFound } from '../errors.js';
import { DateTime, StationIdParam } from '../schemas.js';

// The definition is OCPI 2.2.1's Tariff (snake_case), so roaming can publish it as stored.
const Price = Type.String({ pattern: '^[0-9]{1,9}(\\.[0-9]{1,9})?$', description: 'decimal, net of VAT' });
const HourMinute = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'local wall-clock HH:MM in the tariff\'s time zone' });
const LocalDate = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' });
const PriceComponentSchema = Type.Object({
  type: Type.String({ enum: [...PRICE_COMPONENT_TYPES], description: 'ENERGY per kWh, TIME per charging hour, PARKING_TIME per hour, FLAT per session, ENERGY_EXPORT (V2G remuneration) per exported kWh' }),
  price: Price,
  step_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400_000, description: 'Wh or seconds; the session\'s total volume is rounded up to it' })),
}, { additionalProperties: false });
// an end_time before start_time crosses midnight; end_date is exclusive (OCPI)
const RestrictionsSchema = Type.Object({
  start_time: Type.Optional(HourMinute),
  end_time: Type.Optional(HourMinute),
  start_date: Type.Optional(LocalDate),
  end_date: Type.Optional(LocalDate),
  day_of_week: Type.Optional(Type.Array(Type.String({ enum: [...DAYS] }), { uniqueItems: true, maxItems: 7 })),
  min_duration: Type.Optional(Type.Integer({ minimum: 0, description: 'seconds since the session started' })),
  max_duration: Type.Optional(Type.Integer({ minimum: 0 })),
}, { additionalProperties: false });
const ElementSchema = Type.Object({
  price_components: Type.Array(PriceComponentSchema, { minItems: 1, maxItems: 10 }),
  restrictions: Type.Optional(RestrictionsSchema),
}, { additionalProperties: false });
const definitionFields = {
  currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217' }),
  time_zone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone the restrictions are in' }),
  vat_rate: Type.String({ pattern: '^[0-9]{1,3}(\\.[0-9]{1,4})?$', description: 'percent' }),
  min_price: Type.Optional(Type.Union([Price, Type.Null()])),
  max_price: Type.Optional(Type.Union([Price, Type.Null()])),
  elements: Type.Array(ElementSchema, { minItems: 1, maxItems: 100, description: 'per dimension, the first element whose restrictions hold prices it' }),
};
const VersionBody = Type.Object({
  valid_from: Type.Optional(Type.String({ format: 'date-time', description: 'sessions starting from then are priced by this version; default now' })),
  ...definitionFields,
}, { additionalProperties: false });
const NewTariff = Type.Composite([Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }), VersionBody], { additionalProperties: false });

const VersionView = Type.Object({ version: Type.Integer(), valid_from: DateTime, ...definitionFields });
/** A CDR's tariff: OCPI Tariff-shaped, the version the session started under (null: before versions existed). */
export const CdrTariffView = Type.Object({ id: Type.String(), name: Type.String(), version: Type.Union([Type.Integer(), Type.Null()]), ...definitionFields });
const TariffView = Type.Object({
  id: Type.String(), name: Type.String(), is_default: Type.Boolean(), currency: Type.String(), vat_rate: Type.String(),
  created_at: DateTime, updated_at: DateTime,
});
const TariffDetail = Type.Composite([TariffView, Type.Object({
  versions: Type.Array(VersionView),
  stations: Type.Array(Type.String(), { description: 'stations it is assigned to (those in the caller\'s scope)' }),
})]);

const MoneyView = Type.Object({ excl_vat: Type.Number(), incl_vat: Type.Number() });
const CostView = Type.Object({
  tariff_id: Type.String(), version: Type.Union([Type.Integer(), Type.Null()], { description: 'null: a snapshot taken before tariffs had versions' }),
  currency: Type.String(), vat_rate: Type.String(),
  total_cost: MoneyView, total_vat: Type.Number(),
  charge: Type.Composite([MoneyView, Type.Object({ min_price_applied: Type.Boolean(), max_price_applied: Type.Boolean() })]),
  export_credit: Type.Union([MoneyView, Type.Null()], { description: 'V2G remuneration, already deducted from total_cost' }),
  dimensions: Type.Array(Type.Object({ type: Type.String(), volume: Type.Number({ description: 'kWh, hours, or 1 (FLAT)' }), billed_volume: Type.Number(), excl_vat: Type.Number() })),
  charging_periods: Type.Array(Type.Object({
    start_date_time: DateTime, end_date_time: DateTime, parking: Type.Boolean(),
    dimensions: Type.Array(Type.Object({ type: Type.String(), volume: Type.Number(), tariff_element: Type.Union([Type.Integer(), Type.Null()]), price: Type.Union([Type.String(), Type.Null()]), excl_vat: Type.Number() })),
  }), { description: 'the session split wherever the tariff changes' }),
});
const QuoteBody = Type.Object({
  start: DateTime, end: DateTime,
  energy_kwh: Type.Number({ minimum: 0, maximum: 100_000 }),
  exported_kwh: Type.Optional(Type.Number({ minimum: 0, maximum: 100_000 })),
  parking_minutes: Type.Optional(Type.Number({ minimum: 0, maximum: 525_600, description: 'the last minutes of the session, parked' })),
}, { additionalProperties: false });

const IdParam = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const TransactionParam = Type.Object({ transactionId: Type.Integer({ minimum: 1 }) });

const definitionOf = (b: Static<typeof VersionBody>): TariffDefinition => {
  const { valid_from: _, ...d } = b;
  return d as TariffDefinition;
};
const tariffView = (t: TariffRow): Static<typeof TariffView> => ({
  id: String(t.id), name: t.name, is_default: t.isDefault, currency: t.currency, vat_rate: t.vatRate,
  created_at: t.createdAt.toISOString(), updated_at: t.updatedAt.toISOString(),
});
const versionView = (v: TariffVersionRow): Static<typeof VersionView> => ({ version: v.version, valid_from: v.validFrom.toISOString(), ...v.definition } as Static<typeof VersionView>);
const money = (m: Money, currency: string): Static<typeof MoneyView> => ({ excl_vat: Number(formatMinor(m.exclVatMinor, currency)), incl_vat: Number(formatMinor(m.inclVatMinor, currency)) });
function costView(tariffId: number, version: number | null, b: PriceBreakdown): Static<typeof CostView> {
  const c = b.currency;
  const amount = (minor: number): number => Number(formatMinor(minor, c));
  return {
    tariff_id: String(tariffId), version, currency: c, vat_rate: b.vatRate,
    total_cost: money(b.total, c), total_vat: amount(b.total.vatMinor),
    charge: { ...money(b.charge, c), min_price_applied: b.minPriceApplied, max_price_applied: b.maxPriceApplied },
    export_credit: b.exportCredit && money(b.exportCredit, c),
    dimensions: b.dimensions.map((d) => ({ type: d.type, volume: d.volume, billed_volume: d.billedVolume, excl_vat: amount(d.exclVatMinor) })),
    charging_periods: b.periods.map((p) => ({
      start_date_time: p.startDateTime, end_date_time: p.endDateTime, parking: p.parking,
      dimensions: p.dimensions.map((d) => ({ type: d.type, volume: d.volume, tariff_element: d.element, price: d.price, excl_vat: amount(d.exclVatMinor) })),
    })),
  };
}

/** Domain refusals become API errors; anything else propagates as a 500. */
async function answer<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof TariffError) throw new ApiError(422, 'invalid_tariff', err.message);
    if (err instanceof DuplicateError) throw conflict(err.message);
    throw err;
  }
}

/** Tariffs (OCPI-shaped, versioned): CRUD, assignment to stations and the default, quotes, and the cost of a transaction. */
export async function tariffRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { tariffs, cdrs, stations } = ctx.services;
  /** a station in the caller's scope, else 404 as for stations */
  const visibleStation = async (req: FastifyRequest, stationId: string): Promise<void> => {
    if (!(await stations.get(stationId)) || !inScope(req.principal!, await cdrs.groupOf(stationId))) throw notFound('station');
  };

  api.get('/tariffs', {
    config: { permission: 'tariffs:read' },
    schema: { tags: ['tariffs'], summary: 'All tariffs (their latest currency and VAT rate)', response: { 200: Type.Object({ items: Type.Array(TariffView) }) } },
  }, async () => ({ items: (await tariffs.list()).map(tariffView) }));

  api.get('/tariffs/:id', {
    config: { permission: 'tariffs:read' },
    schema: { tags: ['tariffs'], summary: 'A tariff with all its versions', params: IdParam, response: { 200: TariffDetail } },
  }, async (req) => {
    const found = await tariffs.get(req.params.id);
    if (!found) throw notFound('tariff');
    const groups = await Promise.all(found.stations.map(async (s) => inScope(req.principal!, await cdrs.groupOf(s))));
    return { ...tariffView(found.tariff), versions: found.versions.map(versionView), stations: found.stations.filter((_, i) => groups[i]) };
  });

  api.post('/tariffs', {
    config: { permission: 'tariffs:manage', audit: 'tariff.create' },
    schema: { tags: ['tariffs'], summary: 'Create a tariff (its version 1)', body: NewTariff, response: { 201: TariffDetail } },
  }, async (req, reply) => {
    const { name, ...version } = req.body;
    const row = await answer(tariffs.createTariff(name, definitionOf(version), version.valid_from === undefined ? undefined : new Date(version.valid_from)));
    return reply.code(201).send({ ...tariffView(row), versions: (await tariffs.versions(row.id)).map(versionView), stations: [] });
  });

  api.post('/tariffs/:id/versions', {
    config: { permission: 'tariffs:manage', audit: 'tariff.version' },
    schema: { tags: ['tariffs'], summary: 'Edit a tariff: a new version, valid from valid_from (sessions already started keep theirs)', params: IdParam, body: VersionBody, response: { 201: VersionView } },
  }, async (req, reply) => {
    const row = await answer(tariffs.addVersion(req.params.id, definitionOf(req.body), req.body.valid_from === undefined ? undefined : new Date(req.body.valid_from)));
    if (!row) throw notFound('tariff');
    return reply.code(201).send(versionView(row));
  });

  api.delete('/tariffs/:id', {
    config: { permission: 'tariffs:manage', audit: 'tariff.delete' },
    schema: { tags: ['tariffs'], summary: 'Delete a tariff nothing uses (409 while it is the default or assigned to a station)', params: IdParam },
  }, async (req, reply) => {
    const result = await tariffs.delete(req.params.id);
    if (result === 'not_found') throw notFound('tariff');
    if (result === 'in_use') throw conflict('the tariff is the default or assigned to a station');
    return reply.code(204).send();
  });

  api.post('/tariffs/:id/default', {
    config: { permission: 'tariffs:manage', audit: 'tariff.default' },
    schema: { tags: ['tariffs'], summary: 'Make the tariff the default (for stations without their own)', params: IdParam },
  }, async (req, reply) => {
    if (!(await tariffs.get(req.params.id))) throw notFound('tariff');
    await answer(tariffs.setDefault(req.params.id));
    return reply.code(204).send();
  });

  api.put('/stations/:stationId/tariff', {
    config: { permission: 'tariffs:manage', audit: 'tariff.assign' },
    schema: { tags: ['tariffs'], summary: 'Assign a tariff to a station', params: StationIdParam, body: Type.Object({ tariff_id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }) },
  }, async (req, reply) => {
    await visibleStation(req, req.params.stationId);
    if (!(await tariffs.get(req.body.tariff_id))) throw notFound('tariff');
    await answer(tariffs.assign(req.params.stationId, req.body.tariff_id));
    return reply.code(204).send();
  });

  api.delete('/stations/:stationId/tariff', {
    config: { permission: 'tariffs:manage', audit: 'tariff.unassign' },
    schema: { tags: ['tariffs'], summary: 'Remove a station\'s own tariff (the default applies again)', params: StationIdParam },
  }, async (req, reply) => {
    await visibleStation(req, req.params.stationId);
    await tariffs.unassign(req.params.stationId);
    return reply.code(204).send();
  });

  api.post('/tariffs/:id/quote', {
    config: { permission: 'tariffs:read', audit: 'tariff.quote' },
    schema: { tags: ['tariffs'], summary: 'What a session would cost under the version valid at its start', params: IdParam, body: QuoteBody, response: { 200: CostView } },
  }, async (req) => {
    const b = req.body;
    const quote = await answer(tariffs.quote(req.params.id, { start: new Date(b.start), end: new Date(b.end), energyKwh: b.energy_kwh, exportedKwh: b.exported_kwh, parkingMinutes: b.parking_minutes }));
    if (!quote) throw notFound('tariff');
    return costView(req.params.id, quote.version.version, quote.breakdown);
  });

  api.post('/tariffs/preview', {
    config: { permission: 'tariffs:read' },
    schema: {
      tags: ['tariffs'], summary: 'What a session would cost under a tariff definition not saved yet (the editor\'s preview); nothing is stored',
      body: Type.Object({ tariff: Type.Object(definitionFields, { additionalProperties: false }), session: QuoteBody }, { additionalProperties: false }),
      response: { 200: CostView },
    },
  }, async (req) => {
    const b = req.body.session;
    const breakdown = await answer(Promise.resolve().then(() => tariffs.quoteDraft(req.body.tariff as TariffDefinition, { start: new Date(b.start), end: new Date(b.end), energyKwh: b.energy_kwh, exportedKwh: b.exported_kwh, parkingMinutes: b.parking_minutes })));
    return costView(0, null, breakdown);
  });

  api.get('/transactions/:transactionId/cost', {
    config: { permission: 'transactions:read' },
    schema: { tags: ['tariffs'], summary: 'A transaction\'s cost (so far, while running) under the tariff it started with', params: TransactionParam, response: { 200: CostView } },
  }, async (req) => {
    const cost = await answer(tariffs.costOfTransaction(req.params.transactionId));
    if (!cost || !inScope(req.principal!, await cdrs.groupOf(cost.stationId))) throw notFound('priced transaction');
    return costView(cost.tariff.id, cost.tariff.version ?? null, cost.breakdown);
  });
}
