import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Customer } from '../../domain/customers/customer-service.js';
import type { ApiContext } from '../context.js';
import { notFound } from '../errors.js';
import { DateTime } from '../schemas.js';
import { BillingAddress, ConsentChanges, ConsentsView, consentsView, CustomerView, customerRefused, Email, fullView, Name, Phone } from './customer-schemas.js';

const TokenView = Type.Object({
  id: Type.String({ description: 'pseudonym (`tok_…`); the UID itself is never shown' }),
  type: Type.String(), status: Type.String(), contractId: Type.Union([Type.String(), Type.Null()]), expiresAt: Type.Union([DateTime, Type.Null()]),
});
const HistoryQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
}, { additionalProperties: false });
const Document = Type.Object({}, { additionalProperties: true });

/**
 * The customer-facing API (issue 6, CRM API of the paper): a customer's portal account sees and
 * changes its own data only. The customer is never a parameter — it is the principal's own
 * (users.customer_id) — so no id in a URL can reach someone else's; an account bound to no
 * customer, or to an erased one, finds nothing (404).
 */
export async function meRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { customers, customerCharging, dataSubjectRequests } = ctx.services;
  const own = async (req: FastifyRequest): Promise<Customer> => {
    const id = req.principal!.customerId;
    const c = id === undefined ? undefined : await customers.get(id);
    if (!c || c.status !== 'active') throw notFound('customer');
    return c;
  };

  api.get('/me/profile', {
    config: { permission: 'self:read' },
    schema: { tags: ['me'], summary: 'Your own customer data, in clear', response: { 200: CustomerView } },
  }, async (req, reply) => {
    void reply.header('cache-control', 'no-store');
    return fullView(await own(req));
  });

  api.patch('/me/profile', {
    config: { permission: 'self:manage', audit: 'customer.self.update' },
    schema: {
      tags: ['me'], summary: 'Change your contact data and billing address (null clears)',
      body: Type.Object({
        name: Type.Optional(Name), email: Type.Optional(Email), phone: Type.Optional(Type.Union([Phone, Type.Null()])),
        billingAddress: Type.Optional(Type.Union([BillingAddress, Type.Null()])),
      }, { additionalProperties: false, minProperties: 1 }),
      response: { 200: CustomerView },
    },
  }, async (req, reply) => {
    const c = await own(req);
    const updated = await customers.update(c.id, req.body).catch(customerRefused);
    if (!updated) throw notFound('customer');
    void reply.header('cache-control', 'no-store');
    return fullView(updated);
  });

  api.get('/me/consents', {
    config: { permission: 'self:read' },
    schema: { tags: ['me'], summary: 'Your consents and their history', response: { 200: ConsentsView } },
  }, async (req) => {
    const c = await own(req);
    return consentsView(c, await customers.consentHistory(c.id));
  });

  api.post('/me/consents', {
    config: { permission: 'self:manage', audit: 'customer.self.consents' },
    schema: {
      tags: ['me'], summary: 'Give or withdraw consents (withdrawing is as easy as giving, Art. 7(3))',
      body: Type.Object({ changes: ConsentChanges }, { additionalProperties: false }), response: { 200: ConsentsView },
    },
  }, async (req) => {
    const c = await own(req);
    const updated = await customers.setConsents(c.id, req.body.changes, req.principal!.id).catch(customerRefused);
    if (!updated) throw notFound('customer');
    return consentsView(updated, await customers.consentHistory(c.id));
  });

  api.get('/me/tokens', {
    config: { permission: 'self:read' },
    schema: { tags: ['me'], summary: 'Your tokens (pseudonyms) and their status', response: { 200: Type.Object({ items: Type.Array(TokenView) }) } },
  }, async (req) => ({ items: await customerCharging.tokens((await own(req)).id) }));

  api.get('/me/charging-history', {
    config: { permission: 'self:read' },
    schema: { tags: ['me'], summary: 'Your charging sessions and CDRs, with costs, newest first', querystring: HistoryQuery, response: { 200: Document } },
  }, async (req) => customerCharging.history((await own(req)).id, req.query.limit, req.query.offset));

  api.get('/me/cdrs/:id', {
    config: { permission: 'self:read' },
    schema: { tags: ['me'], summary: 'One of your CDRs (someone else\'s is not found)', params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), response: { 200: Document } },
  }, async (req) => (await customerCharging.cdr((await own(req)).id, req.params.id)) ?? Promise.reject(notFound('cdr')));

  api.get('/me/export', {
    config: { permission: 'self:read' },
    schema: { tags: ['me'], summary: 'Everything the platform holds about you, as JSON (GDPR Art. 15/20)', response: { 200: Document } },
  }, async (req, reply) => {
    const out = await dataSubjectRequests.export((await own(req)).id);
    if (!out) throw notFound('customer');
    await ctx.services.identity.audit.record({ actor: req.principal!, action: 'customer.self.export', target: String(out.customer), result: 'success', sourceIp: req.ip, details: { sections: Object.keys(out.sections) } });
    void reply.headers({ 'cache-control': 'no-store', 'content-disposition': `attachment; filename="${out.customer}.json"` });
    return out;
  });
}
