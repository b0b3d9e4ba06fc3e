import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvoiceError, PERIOD, type Invoice, type InvoiceLine, type InvoiceWithLines } from '../../domain/invoices/index.js';
import type { ApiContext } from '../context.js';
import { ApiError, conflict, notFound } from '../errors.js';
import { DateTime, isoOrNull, NullableDateTime, page } from '../schemas.js';

const Minor = Type.Integer({ description: 'minor units of the currency (cents)' });
const Period = Type.String({ pattern: PERIOD.source, description: 'billing month `YYYY-MM` (UTC)' });
const Status = Type.Union([Type.Literal('draft'), Type.Literal('issued'), Type.Literal('paid'), Type.Literal('void')]);
const NullableStr = Type.Union([Type.String(), Type.Null()]);
const Address = Type.Object({ line1: Type.String(), line2: Type.Optional(Type.String()), postalCode: Type.String(), city: Type.String(), country: Type.String() });

const InvoiceView = Type.Object({
  id: Type.String(),
  number: Type.Union([Type.String(), Type.Null()], { description: 'assigned at issue from a gapless series per year; kept when voided' }),
  status: Status,
  customerId: Type.String(),
  customerReference: Type.String(),
  period: Type.String(),
  periodStart: DateTime,
  periodEnd: DateTime,
  currency: Type.String(),
  totalExclVat: Minor,
  totalInclVat: Minor,
  vatBreakdown: Type.Array(Type.Object({ rate: Type.String(), base: Minor, vat: Minor })),
  energyImportWh: Type.Integer(),
  energyExportWh: Type.Integer(),
  v2gCreditExclVat: Type.Integer({ description: 'V2G remuneration for exported energy, already deducted from the totals' }),
  v2gCreditInclVat: Type.Integer(),
  billing: Type.Union([Type.Object({ name: Type.Optional(Type.String()), billingAddress: Type.Optional(Address) }), Type.Null()], { description: 'name and address as at issue; null on drafts and after an erasure' }),
  billingErasedAt: NullableDateTime,
  issuedAt: NullableDateTime,
  paidAt: NullableDateTime,
  voidedAt: NullableDateTime,
  voidReason: NullableStr,
});
const LineView = Type.Object({
  cdrId: Type.String(),
  sessionId: Type.String(),
  stationId: Type.String(),
  startDateTime: DateTime,
  endDateTime: DateTime,
  creditOf: Type.Union([Type.String(), Type.Null()], { description: 'a credit CDR: the CDR it reverses (the line is negative)' }),
  energyImportWh: Type.Integer(),
  energyExportWh: Type.Integer(),
  vatRate: Type.String(),
  chargeExclVat: Minor,
  chargeInclVat: Minor,
  v2gCreditExclVat: Minor,
  v2gCreditInclVat: Minor,
  amountExclVat: Minor,
  amountInclVat: Minor,
});
const InvoiceDetail = Type.Intersect([InvoiceView, Type.Object({ lines: Type.Array(LineView) })]);
const IdParam = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,15}$' }) });

const view = (i: Invoice) => ({
  id: String(i.id), number: i.number, status: i.status, customerId: String(i.customerId), customerReference: i.customerReference,
  period: i.period, periodStart: i.periodStart.toISOString(), periodEnd: i.periodEnd.toISOString(), currency: i.currency,
  totalExclVat: i.totalExclVatMinor, totalInclVat: i.totalInclVatMinor,
  vatBreakdown: i.vatBreakdown.map((v) => ({ rate: v.rate, base: v.baseMinor, vat: v.vatMinor })),
  energyImportWh: i.energyImportWh, energyExportWh: i.energyExportWh, v2gCreditExclVat: i.v2gCreditExclVatMinor, v2gCreditInclVat: i.v2gCreditInclVatMinor,
  billing: i.billing, billingErasedAt: isoOrNull(i.billingErasedAt), issuedAt: isoOrNull(i.issuedAt), paidAt: isoOrNull(i.paidAt), voidedAt: isoOrNull(i.voidedAt), voidReason: i.voidReason,
});
const lineView = (l: InvoiceLine) => ({
  cdrId: String(l.cdrId), sessionId: l.sessionId, stationId: l.stationId, startDateTime: l.startDateTime.toISOString(), endDateTime: l.endDateTime.toISOString(),
  creditOf: l.creditOf === null ? null : String(l.creditOf), energyImportWh: l.energyImportWh, energyExportWh: l.energyExportWh, vatRate: l.vatRate,
  chargeExclVat: l.chargeExclVatMinor, chargeInclVat: l.chargeInclVatMinor, v2gCreditExclVat: l.v2gCreditExclVatMinor, v2gCreditInclVat: l.v2gCreditInclVatMinor,
  amountExclVat: l.amountExclVatMinor, amountInclVat: l.amountInclVatMinor,
});
const detail = (i: InvoiceWithLines) => ({ ...view(i), lines: i.lines.map(lineView) });

/** InvoiceError → the API's error body */
async function mapped<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (!(err instanceof InvoiceError)) throw err;
    if (err.code === 'not_found') throw notFound(err.message.replace(/ not found$/, ''));
    if (err.code === 'conflict') throw conflict(err.message);
    throw new ApiError(400, 'invalid', err.message);
  }
}

/**
 * Invoices: staff read them (invoices:read) and generate, issue, mark paid and void them
 * (invoices:manage); a customer's portal account reads its own issued invoices under /me
 * (self:read). Invoices are customer documents, not station-bound: the station-group scope does
 * not narrow them.
 */
export async function invoiceRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { invoices } = ctx.services;
  const pdf = async (reply: FastifyReply, inv: InvoiceWithLines) => {
    const name = inv.number ?? `draft-${inv.id}`;
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="${name}.pdf"`).send(await invoices.pdf(inv));
  };
  const found = async (id: string): Promise<InvoiceWithLines> => {
    const inv = await invoices.get(Number(id));
    if (!inv) throw notFound('invoice');
    return inv;
  };
  /** the caller's own issued invoice; anyone else's (or a draft) is not found, as if it did not exist */
  const own = async (req: FastifyRequest, id: string): Promise<InvoiceWithLines> => {
    const customerId = req.principal!.customerId;
    const inv = customerId === undefined ? undefined : await invoices.get(Number(id));
    if (!inv || inv.customerId !== customerId || inv.status === 'draft') throw notFound('invoice');
    return inv;
  };

  api.get('/invoices', {
    config: { permission: 'invoices:read' },
    schema: {
      tags: ['invoices'], summary: 'List invoices, newest first',
      querystring: Type.Object({
        limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
        customerId: Type.Optional(Type.Integer({ minimum: 1 })),
        status: Type.Optional(Status),
        period: Type.Optional(Period),
      }, { additionalProperties: false }),
      response: { 200: page(InvoiceView) },
    },
  }, async (req) => {
    const q = req.query;
    const { items, total } = await invoices.search(q);
    return { items: items.map(view), total, limit: q.limit, offset: q.offset };
  });

  api.get('/invoices/:id', {
    config: { permission: 'invoices:read' },
    schema: { tags: ['invoices'], summary: 'One invoice with its lines (one per CDR)', params: IdParam, response: { 200: InvoiceDetail } },
  }, async (req) => detail(await found(req.params.id)));

  api.get('/invoices/:id/pdf', {
    config: { permission: 'invoices:read' },
    schema: { tags: ['invoices'], summary: 'The invoice as a PDF', params: IdParam, produces: ['application/pdf'] },
  }, async (req, reply) => pdf(reply, await found(req.params.id)));

  api.post('/invoices/generate', {
    config: { permission: 'invoices:manage', audit: 'invoice.generate' },
    schema: {
      tags: ['invoices'], summary: 'Build (or rebuild) the draft invoices of a customer for a month from the uninvoiced CDRs issued in it, one per currency',
      body: Type.Object({ customerId: Type.Integer({ minimum: 1 }), period: Period }, { additionalProperties: false }),
      response: { 201: Type.Object({ items: Type.Array(InvoiceView) }) },
    },
  }, async (req, reply) => reply.code(201).send({ items: (await mapped(invoices.generate(req.body.customerId, req.body.period))).map(view) }));

  api.post('/invoices/run', {
    config: { permission: 'invoices:manage', audit: 'invoice.run' },
    schema: {
      tags: ['invoices'], summary: 'The monthly run: drafts for every customer with CDRs in the month, issued too when `issue` is set',
      body: Type.Object({ period: Period, issue: Type.Boolean({ default: false }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ period: Type.String(), customers: Type.Integer(), drafts: Type.Integer(), issued: Type.Integer(), failed: Type.Array(Type.Integer()) }) },
    },
  }, async (req) => mapped(invoices.run(req.body.period, { issue: req.body.issue }, (customerId, err) => ctx.log.error({ err, customerId }, 'invoice run: a customer\'s invoice failed'))));

  api.post('/invoices/:id/issue', {
    config: { permission: 'invoices:manage', audit: 'invoice.issue' },
    schema: { tags: ['invoices'], summary: 'Issue a draft: assigns the next number of the year and seals the billing name and address', params: IdParam, response: { 200: InvoiceView } },
  }, async (req) => view(await mapped(invoices.issue(Number(req.params.id)))));

  api.post('/invoices/:id/pay', {
    config: { permission: 'invoices:manage', audit: 'invoice.pay' },
    schema: { tags: ['invoices'], summary: 'Mark an issued invoice paid', params: IdParam, response: { 200: InvoiceView } },
  }, async (req) => view(await mapped(invoices.markPaid(Number(req.params.id)))));

  api.post('/invoices/:id/void', {
    config: { permission: 'invoices:manage', audit: 'invoice.void' },
    schema: {
      tags: ['invoices'], summary: 'Void an issued or paid invoice; it keeps its number and lines',
      params: IdParam, body: Type.Object({ reason: Type.String({ minLength: 3, maxLength: 500 }) }, { additionalProperties: false }),
      response: { 200: InvoiceView },
    },
  }, async (req) => view(await mapped(invoices.void(Number(req.params.id), req.body.reason))));

  api.get('/me/invoices', {
    config: { permission: 'self:read' },
    schema: {
      tags: ['me'], summary: 'My invoices (issued, paid, void), newest first',
      querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }), offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }) }, { additionalProperties: false }),
      response: { 200: page(InvoiceView) },
    },
  }, async (req) => {
    const q = req.query;
    const customerId = req.principal!.customerId;
    if (customerId === undefined) return { items: [], total: 0, limit: q.limit, offset: q.offset };
    const { items, total } = await invoices.search({ limit: q.limit, offset: q.offset, customerId, issuedOnly: true });
    return { items: items.map(view), total, limit: q.limit, offset: q.offset };
  });

  api.get('/me/invoices/:id', {
    config: { permission: 'self:read' },
    schema: { tags: ['me'], summary: 'One of my invoices with its lines', params: IdParam, response: { 200: InvoiceDetail } },
  }, async (req) => detail(await own(req, req.params.id)));

  api.get('/me/invoices/:id/pdf', {
    config: { permission: 'self:read' },
    schema: { tags: ['me'], summary: 'One of my invoices as a PDF', params: IdParam, produces: ['application/pdf'] },
  }, async (req, reply) => pdf(reply, await own(req, req.params.id)));
}
