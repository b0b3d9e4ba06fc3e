import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Customer } from '../../domain/customers/customer-service.js';
import { AccountRefused } from '../../domain/identity/user-admin.js';
import type { ApiContext } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { DateTime, listQuery, page } from '../schemas.js';
import {
  BillingAddress, ConsentChanges, ConsentsView, consentsView, CustomerView, customerRefused, Email, fullView, MaskedCustomerView, maskedView, Name,
  PaymentReference, Phone,
} from './customer-schemas.js';

const IdParam = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Pseudonym = Type.String({ pattern: '^tok_[a-z2-7]{16}$', description: 'the token\'s pseudonym (`tok_…`)' });
const ContractId = Type.String({ pattern: '^[A-Za-z0-9-]{1,36}$', description: 'eMSP contract id (eMAID), e.g. NL-TNM-C12345678-X' });
const TokenView = Type.Object({ id: Pseudonym, type: Type.String(), status: Type.String(), contractId: Type.Union([Type.String(), Type.Null()]), expiresAt: Type.Union([DateTime, Type.Null()]) });
const HistoryQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
}, { additionalProperties: false });
/** the export and the history answer a JSON document whose sections are each module's own shape */
const Document = Type.Object({}, { additionalProperties: true });

/** Audit actions of the changing and disclosing routes, by `<METHOD> <route>`. */
const auditActions: Record<string, string> = {
  'POST /api/v1/customers': 'customer.create',
  'POST /api/v1/customers/search': 'customer.search',
  'PATCH /api/v1/customers/:id': 'customer.update',
  'POST /api/v1/customers/:id/reveal': 'customer.reveal',
  'POST /api/v1/customers/:id/consents': 'customer.consents',
  'POST /api/v1/customers/:id/tokens': 'customer.token.link',
  'DELETE /api/v1/customers/:id/tokens/:token': 'customer.token.unlink',
  'POST /api/v1/customers/:id/account': 'customer.account.create',
  'GET /api/v1/customers/:id/export': 'customer.export',
  'POST /api/v1/customers/:id/erasure': 'customer.erase',
};
/** what a handler adds to its audit record: field names and counts, never a personal value */
const auditNotes = new WeakMap<FastifyRequest, { target?: string; details: Record<string, unknown>; recorded?: boolean }>();

/**
 * The CRM (issue 6, P3/G2): customers with personal fields masked for customers:read, in clear
 * one at a time for customers:reveal (audited before it is shown), changed with
 * customers:manage; data-subject export and erasure with privacy:manage. E-mail search takes the
 * address in a POST body, never in a URL that access logs and proxies keep.
 */
export async function customerRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { customers, customerCharging, dataSubjectRequests } = ctx.services;
  const { audit, userAdmin } = ctx.services.identity;
  const find = async (id: number): Promise<Customer> => (await customers.get(id)) ?? Promise.reject(notFound('customer'));
  /** records a disclosure before the answer leaves: one that cannot be recorded does not happen */
  const recordNow = async (req: FastifyRequest, action: string, target: string, details: Record<string, unknown>): Promise<void> => {
    await audit.record({ actor: req.principal!, action, target, result: 'success', sourceIp: req.ip, details });
    auditNotes.set(req, { target, details, recorded: true });
  };

  api.addHook('onResponse', async (req, reply) => auditCustomerCall(req, reply, ctx));

  api.get('/customers', {
    config: { permission: 'customers:read' },
    schema: {
      tags: ['customers'], summary: 'Customers, personal fields masked',
      querystring: listQuery(['id', 'reference', 'createdAt'], {
        status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('erased')])),
        reference: Type.Optional(Type.String({ pattern: '^C-[A-Z2-7]{1,32}$', description: 'exact customer number' })),
      }),
      response: { 200: page(MaskedCustomerView) },
    },
  }, async (req) => {
    const q = req.query;
    if (q.reference !== undefined) {
      const c = await customers.byReference(q.reference);
      const items = c && (!q.status || c.status === q.status) ? [maskedView(c)] : [];
      return { items, total: items.length, limit: q.limit, offset: q.offset };
    }
    const { items, total } = await customers.list({ limit: q.limit, offset: q.offset, status: q.status, sort: q.sort, order: q.order });
    return { items: items.map(maskedView), total, limit: q.limit, offset: q.offset };
  });

  api.post('/customers/search', {
    config: { permission: 'customers:read', audit: false },
    schema: {
      tags: ['customers'], summary: 'Find a customer by exact e-mail address (blind index: no plaintext search); masked',
      body: Type.Object({ email: Email }, { additionalProperties: false }),
      response: { 200: page(MaskedCustomerView) },
    },
  }, async (req) => {
    const c = await customers.byEmail(req.body.email);
    auditNotes.set(req, { details: { found: c !== undefined }, ...(c && { target: String(c.id) }) });
    return { items: c ? [maskedView(c)] : [], total: c ? 1 : 0, limit: 1, offset: 0 };
  });

  api.get('/customers/:id', {
    config: { permission: 'customers:read' },
    schema: { tags: ['customers'], summary: 'One customer, personal fields masked', params: IdParam, response: { 200: MaskedCustomerView } },
  }, async (req) => maskedView(await find(req.params.id)));

  api.post('/customers/:id/reveal', {
    config: { permission: 'customers:reveal', audit: false },
    schema: { tags: ['customers'], summary: 'One customer in clear; audited (customer.reveal) before it is shown', params: IdParam, response: { 200: CustomerView } },
  }, async (req, reply) => {
    const c = await find(req.params.id);
    await recordNow(req, 'customer.reveal', String(c.id), { reference: c.reference });
    void reply.header('cache-control', 'no-store');
    return fullView(c);
  });

  api.post('/customers', {
    config: { permission: 'customers:manage', audit: false },
    schema: {
      tags: ['customers'], summary: 'Add a customer; answered masked',
      body: Type.Object({
        name: Name, email: Email, phone: Type.Optional(Phone), billingAddress: Type.Optional(BillingAddress),
        paymentReference: Type.Optional(PaymentReference), consents: Type.Optional(ConsentChanges),
      }, { additionalProperties: false }),
      response: { 201: MaskedCustomerView },
    },
  }, async (req, reply) => {
    const { consents = [], ...details } = req.body;
    const at = new Date().toISOString();
    const initial = Object.fromEntries(consents.map((c) => [c.consent, { granted: c.granted, at, ...(c.version !== undefined && { version: c.version }) }]));
    const c = await customers.create(details, initial, req.principal!.id).catch(customerRefused);
    auditNotes.set(req, { target: String(c.id), details: { reference: c.reference, fields: Object.keys(details), consents: consents.map((x) => x.consent) } });
    return reply.code(201).send(maskedView(c));
  });

  api.patch('/customers/:id', {
    config: { permission: 'customers:manage', audit: false },
    schema: {
      tags: ['customers'], summary: 'Change contact data, billing address or payment reference (null clears); answered masked',
      params: IdParam,
      body: Type.Object({
        name: Type.Optional(Name), email: Type.Optional(Email), phone: Type.Optional(Type.Union([Phone, Type.Null()])),
        billingAddress: Type.Optional(Type.Union([BillingAddress, Type.Null()])), paymentReference: Type.Optional(Type.Union([PaymentReference, Type.Null()])),
      }, { additionalProperties: false, minProperties: 1 }),
      response: { 200: MaskedCustomerView },
    },
  }, async (req) => {
    auditNotes.set(req, { details: { fields: Object.keys(req.body) } });
    const c = await customers.update(req.params.id, req.body).catch(customerRefused);
    if (!c) throw notFound('customer');
    return maskedView(c);
  });

  api.get('/customers/:id/consents', {
    config: { permission: 'customers:read' },
    schema: { tags: ['customers'], summary: 'Consents: current state and every grant and withdrawal', params: IdParam, response: { 200: ConsentsView } },
  }, async (req) => consentsView(await find(req.params.id), await customers.consentHistory(req.params.id)));

  api.post('/customers/:id/consents', {
    config: { permission: 'customers:manage', audit: false },
    schema: {
      tags: ['customers'], summary: 'Record consents given or withdrawn (e.g. on paper), with the text version',
      params: IdParam, body: Type.Object({ changes: ConsentChanges }, { additionalProperties: false }), response: { 200: ConsentsView },
    },
  }, async (req) => {
    auditNotes.set(req, { details: { changes: req.body.changes } });
    const c = await customers.setConsents(req.params.id, req.body.changes, req.principal!.id).catch(customerRefused);
    if (!c) throw notFound('customer');
    return consentsView(c, await customers.consentHistory(c.id));
  });

  api.get('/customers/:id/tokens', {
    config: { permission: 'customers:read' },
    schema: { tags: ['customers'], summary: 'The customer\'s tokens, pseudonymized', params: IdParam, response: { 200: Type.Object({ items: Type.Array(TokenView) }) } },
  }, async (req) => {
    await find(req.params.id);
    return { items: await customerCharging.tokens(req.params.id) };
  });

  api.post('/customers/:id/tokens', {
    config: { permission: 'customers:manage', audit: false },
    schema: {
      tags: ['customers'], summary: 'Link a token (by pseudonym) to the customer, with its contract id; a token linked elsewhere moves',
      params: IdParam, body: Type.Object({ token: Pseudonym, contractId: Type.Optional(Type.Union([ContractId, Type.Null()])) }, { additionalProperties: false }),
      response: { 200: TokenView },
    },
  }, async (req) => {
    const c = await find(req.params.id);
    if (c.status === 'erased') throw new ApiError(409, 'erased', 'the customer was erased');
    auditNotes.set(req, { details: { token: req.body.token } });
    return (await customerCharging.link(c.id, req.body.token, req.body.contractId ?? null)) ?? Promise.reject(notFound('token'));
  });

  api.delete('/customers/:id/tokens/:token', {
    config: { permission: 'customers:manage', audit: false },
    schema: { tags: ['customers'], summary: 'Unlink a token from the customer', params: Type.Object({ id: Type.Integer({ minimum: 1 }), token: Pseudonym }) },
  }, async (req, reply) => {
    auditNotes.set(req, { details: { token: req.params.token } });
    if (!(await customerCharging.unlink(req.params.id, req.params.token))) throw notFound('token');
    return reply.code(204).send();
  });

  api.get('/customers/:id/charging-history', {
    config: { permission: 'customers:read' },
    schema: { tags: ['customers'], summary: 'Sessions and CDRs of the customer\'s tokens, with costs', params: IdParam, querystring: HistoryQuery, response: { 200: Document } },
  }, async (req) => {
    await find(req.params.id);
    return customerCharging.history(req.params.id, req.query.limit, req.query.offset);
  });

  api.post('/customers/:id/account', {
    config: { permission: 'customers:manage', audit: false },
    schema: {
      tags: ['customers'],
      summary: 'A portal account for the customer (role `customer`, username = customer number); its one-time password is in this answer only and must be changed at first login',
      params: IdParam,
      response: { 201: Type.Object({ username: Type.String(), password: Type.String({ description: 'one-time; shown once, stored only as an Argon2id hash' }) }) },
    },
  }, async (req, reply) => {
    const c = await find(req.params.id);
    if (c.status === 'erased') throw new ApiError(409, 'erased', 'the customer was erased');
    // the customer number, not the e-mail address: a username shows up in audit records, which outlive an erasure
    const { user, password } = await userAdmin.add({ username: c.reference.toLowerCase(), roles: ['customer'], stationGroups: [] }, { userId: req.principal!.userId, groups: req.principal!.groups })
      .catch((err: unknown) => {
        if (err instanceof AccountRefused && err.code === 'duplicate') throw new ApiError(409, 'conflict', 'the customer has a portal account');
        throw err;
      });
    // linked right after: should this fail, the account is bound to no customer and the /me routes answer 404
    await ctx.services.identity.accounts.users.update(user.id, { customerId: c.id });
    auditNotes.set(req, { target: String(c.id), details: { userId: user.id, username: user.username } });
    return reply.code(201).headers({ 'cache-control': 'no-store' }).send({ username: user.username, password });
  });

  api.get('/customers/:id/export', {
    config: { permission: 'privacy:manage', audit: false },
    schema: { tags: ['customers'], summary: 'Everything the platform holds about the customer (GDPR Art. 15/20), as JSON; audited', params: IdParam, response: { 200: Document } },
  }, async (req, reply) => {
    const out = await dataSubjectRequests.export(req.params.id);
    if (!out) throw notFound('customer');
    await recordNow(req, 'customer.export', String(req.params.id), { reference: out.customer, sections: Object.keys(out.sections) });
    void reply.headers({ 'cache-control': 'no-store', 'content-disposition': `attachment; filename="${out.customer}.json"` });
    return out;
  });

  api.post('/customers/:id/erasure', {
    config: { permission: 'privacy:manage', audit: false },
    schema: {
      tags: ['customers'], summary: 'Erase the customer\'s personal data (GDPR Art. 17); CDRs and invoices stay, pseudonymized. Idempotent; answers the report',
      params: IdParam, response: { 200: Document },
    },
  }, async (req) => {
    const r = await dataSubjectRequests.erase(req.params.id, req.principal!.id);
    if (!r) throw notFound('customer');
    await recordNow(req, 'customer.erase', String(req.params.id), { ...r });
    ctx.log.info({ customer: r.customer, holders: r.holders }, 'customer personal data erased');
    return r;
  });
}

/** Records every call of the routes above that was not recorded before its answer (changes, refusals, failures). */
async function auditCustomerCall(req: FastifyRequest, reply: FastifyReply, ctx: ApiContext): Promise<void> {
  const action = auditActions[`${req.method} ${req.routeOptions.url ?? ''}`];
  const note = auditNotes.get(req);
  if (!action || note?.recorded) return;
  const params = (req.params ?? {}) as { id?: unknown };
  await ctx.services.identity.audit.record({
    actor: req.principal ?? { anonymous: 'anonymous' }, action, target: note?.target ?? (params.id === undefined ? null : String(params.id)), sourceIp: req.ip,
    result: reply.statusCode < 400 ? 'success' : reply.statusCode === 401 || reply.statusCode === 403 ? 'denied' : 'failure',
    details: { status: reply.statusCode, ...note?.details },
  }).catch((err: unknown) => ctx.log.error({ err }, 'could not write an audit record'));
}
