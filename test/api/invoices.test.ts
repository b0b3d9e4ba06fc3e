// Invoices over the REST API, end to end: a station charges with a customer's token over a real
// OCPP socket, the CDR is billed to that customer, and staff and customers use the invoice
// routes with the permissions of their roles; a customer sees only their own invoices.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Customer } from '../../src/domain/customers/customer-service.js';
import type { NewCdr } from '../../src/store/schema.js';
import { apiUser, call, type ApiUser } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';
import { until } from '../helpers/until.js';

type Obj = Record<string, unknown>;
const UID = 'CUSTOMER-A-CARD';
const now = new Date();
const period = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;

describe('invoices API (issue 6): roles, generate → issue → pay/void, PDF, /me isolation', () => {
  let p: TestPlatform;
  let billing: ApiUser;
  let support: ApiUser;
  let meA: ApiUser;
  let meB: ApiUser;
  let meNone: ApiUser;
  let a: Customer;
  let b: Customer;
  let client: RawClient;
  let invoiceA: Obj;
  let invoiceB: Obj;

  const portal = async (customerId: number | null): Promise<ApiUser> => {
    const u = await apiUser(p, ['customer']);
    if (customerId !== null) await p.repos.users.update(u.userId, { customerId });
    return u;
  };

  before(async () => {
    p = await startTestPlatform();
    a = await p.services.customers.create({ name: 'Anna Alpha', email: 'anna@example.org', billingAddress: { line1: 'Ringstraße 5', postalCode: '1010', city: 'Wien', country: 'AT' } });
    b = await p.services.customers.create({ name: 'Bert Beta', email: 'bert@example.org' });
    billing = await apiUser(p, ['billing_manager']);
    support = await apiUser(p, ['support_l1']);
    meA = await portal(a.id);
    meB = await portal(b.id);
    meNone = await portal(null);
    // A's card: the CDR of a session started with it is billed to A
    await p.repos.tokens.upsert({ idToken: UID, status: 'Accepted' });
    await p.store.db.updateTable('idTokens').set({ customerId: a.id }).where('uidIndex', '=', await p.services.privacy.index(UID)).execute();
    const tariff = await p.services.tariffs.create({ name: 'AC', currency: 'EUR', pricePerKwh: '0.30', pricePerMinute: '0', startFee: '0', vatRate: '20' });
    const password = await p.addStation('CS-INV-1');
    await p.services.tariffs.assign('CS-INV-1', tariff.id);
    client = await RawClient.connect(`${p.ocppUrl}/CS-INV-1`, { protocols: ['ocpp1.6'], user: 'CS-INV-1', password });
  });
  after(async () => {
    client?.close();
    await p?.stop();
  });

  it('bills the CDR of a session to the customer of its token (CdrService sets cdrs.customer_id at issue)', async () => {
    const rpc = async (id: string, action: string, payload: unknown): Promise<Obj> => {
      const [type, , res] = await client.call(id, action, payload);
      assert.equal(type, 3, `${action}: ${JSON.stringify(res)}`);
      return res as Obj;
    };
    await rpc('b1', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
    const start = new Date(Date.now() - 3_600_000).toISOString();
    const started = await rpc('s1', 'StartTransaction', { connectorId: 1, idTag: UID, meterStart: 0, timestamp: start });
    await rpc('s2', 'StopTransaction', { transactionId: started.transactionId, meterStop: 10_000, timestamp: new Date().toISOString(), reason: 'EVDisconnected' });
    const tx = await p.repos.transactions.findByRef('CS-INV-1', String(started.transactionId));
    let row: Awaited<ReturnType<typeof p.repos.cdrs.byTransaction>>;
    await until('CDR issued', async () => (row = await p.repos.cdrs.byTransaction(tx!.id)) !== undefined);
    assert.equal(row!.customerId, a.id);
    // 10 kWh × 0.30 = 3.00, 20 % VAT → 3.60
    assert.deepEqual([row!.costExclVatMinor, row!.costInclVatMinor], [300, 360]);
    // and one CDR of B's, with a V2G credit, written directly
    const cdrB: NewCdr = {
      transactionId: null, creditOf: null, creditReason: null, stationId: 'CS-INV-1', evseId: 1, connectorId: 1, sessionId: 'B-1', protocol: 'ocpp2.0.1',
      startDateTime: new Date(Date.now() - 7_200_000), endDateTime: new Date(Date.now() - 3_600_000), tokenUid: 'tok_b', tokenType: 'RFID', authMethod: 'AUTH_REQUEST',
      currency: 'EUR', tariff: null, chargingPeriods: '[]', energyImportWh: 5000, energyExportWh: 2000, totalTimeMs: 3_600_000, parkingTimeMs: 0,
      costExclVatMinor: 130, costInclVatMinor: 156, exportCreditExclVatMinor: 20, exportCreditInclVatMinor: 24, customerId: b.id,
    };
    assert.ok(await p.repos.cdrs.insertOnce(cdrB));
  });

  it('lets billing managers generate, issue, pay and void, and refuses other staff roles', async () => {
    const bearer = { token: billing.token };
    assert.equal((await call(p, 'GET', '/invoices', { token: support.token })).status, 403);
    assert.equal((await call(p, 'POST', '/invoices/generate', { token: support.token, body: { customerId: a.id, period } })).status, 403);
    assert.equal((await call(p, 'GET', '/invoices', { token: meA.token })).status, 403);
    assert.equal((await call(p, 'POST', '/invoices/generate', { ...bearer, body: { customerId: a.id, period: '2026-13' } })).status, 400);
    assert.equal((await call(p, 'POST', '/invoices/generate', { ...bearer, body: { customerId: 999_999, period } })).status, 404);

    const gen = await call<{ items: Obj[] }>(p, 'POST', '/invoices/generate', { ...bearer, body: { customerId: a.id, period } });
    assert.equal(gen.status, 201, JSON.stringify(gen.body));
    const [draftA] = gen.body.items;
    assert.deepEqual([draftA!.status, draftA!.number, draftA!.totalExclVat, draftA!.totalInclVat, draftA!.energyImportWh], ['draft', null, 300, 360, 10_000]);
    assert.deepEqual(draftA!.vatBreakdown, [{ rate: '20', base: 300, vat: 60 }]);

    const run = await call<Obj>(p, 'POST', '/invoices/run', { ...bearer, body: { period, issue: true } });
    assert.equal(run.status, 200, JSON.stringify(run.body));
    assert.deepEqual([run.body.customers, run.body.issued, run.body.failed], [2, 2, []]);
    const list = await call<{ items: Obj[]; total: number }>(p, 'GET', `/invoices?period=${period}&status=issued`, bearer);
    assert.equal(list.body.total, 2);
    invoiceA = list.body.items.find((i) => i.customerId === String(a.id))!;
    invoiceB = list.body.items.find((i) => i.customerId === String(b.id))!;
    assert.equal(invoiceA.id, draftA!.id, 'the run issued the draft generated before');
    assert.match(String(invoiceA.number), /^INV-\d{4}-\d{6}$/);
    assert.deepEqual(invoiceA.billing, { name: 'Anna Alpha', billingAddress: { line1: 'Ringstraße 5', postalCode: '1010', city: 'Wien', country: 'AT' } });
    assert.deepEqual([invoiceB.energyExportWh, invoiceB.v2gCreditExclVat, invoiceB.v2gCreditInclVat, invoiceB.totalInclVat], [2000, 20, 24, 156]);

    const detail = await call<Obj & { lines: Obj[] }>(p, 'GET', `/invoices/${String(invoiceB.id)}`, bearer);
    assert.deepEqual(detail.body.lines.map((l) => [l.sessionId, l.chargeExclVat, l.v2gCreditExclVat, l.amountExclVat]), [['B-1', 150, 20, 130]]);

    assert.equal((await call(p, 'POST', `/invoices/${String(invoiceA.id)}/issue`, bearer)).status, 409);
    const paid = await call<Obj>(p, 'POST', `/invoices/${String(invoiceA.id)}/pay`, bearer);
    assert.deepEqual([paid.status, paid.body.status], [200, 'paid']);
    const voided = await call<Obj>(p, 'POST', `/invoices/${String(invoiceB.id)}/void`, { ...bearer, body: { reason: 'customer dispute' } });
    assert.deepEqual([voided.body.status, voided.body.number], ['void', invoiceB.number]);
    assert.equal((await call(p, 'POST', `/invoices/${String(invoiceB.id)}/pay`, bearer)).status, 409);
    assert.equal((await call(p, 'GET', '/invoices/999999', bearer)).status, 404);

    // a correction after the invoice: the credit CDR goes to the same customer and onto the next month's invoice
    const [lineA] = (await call<{ lines: Obj[] }>(p, 'GET', `/invoices/${String(invoiceA.id)}`, bearer)).body.lines;
    const credit = await call<Obj>(p, 'POST', `/cdrs/${String(lineA!.cdrId)}/credit`, { ...bearer, body: { reason: 'faulty meter' } });
    assert.equal(credit.status, 201, JSON.stringify(credit.body));
    assert.equal((await p.repos.cdrs.get(Number(credit.body.id)))!.customerId, a.id);
    assert.deepEqual((await call<{ items: Obj[] }>(p, 'POST', '/invoices/generate', { ...bearer, body: { customerId: a.id, period } })).body.items, [], 'this month is issued');
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    const nextPeriod = `${next.getUTCFullYear()}-${String(next.getUTCMonth() + 1).padStart(2, '0')}`;
    const [creditDraft] = (await call<{ items: Obj[] }>(p, 'POST', '/invoices/generate', { ...bearer, body: { customerId: a.id, period: nextPeriod } })).body.items;
    assert.deepEqual([creditDraft!.totalExclVat, creditDraft!.totalInclVat, creditDraft!.energyImportWh], [-300, -360, -10_000]);

    const pdf = await fetch(`${p.httpUrl}/api/v1/invoices/${String(invoiceA.id)}/pdf`, { headers: { authorization: `Bearer ${billing.token}` } });
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.equal(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString(), '%PDF-');
  });

  it('shows a customer their own invoices only; another customer\'s is not found', async () => {
    const mine = await call<{ items: Obj[]; total: number }>(p, 'GET', '/me/invoices', { token: meA.token });
    assert.equal(mine.status, 200);
    assert.deepEqual(mine.body.items.map((i) => i.id), [invoiceA.id]);
    assert.equal((await call(p, 'GET', `/me/invoices/${String(invoiceA.id)}`, { token: meA.token })).status, 200);
    assert.equal((await call(p, 'GET', `/me/invoices/${String(invoiceB.id)}`, { token: meA.token })).status, 404);
    assert.equal((await call(p, 'GET', `/me/invoices/${String(invoiceB.id)}/pdf`, { token: meA.token })).status, 404);
    assert.equal((await call(p, 'GET', `/me/invoices/${String(invoiceA.id)}/pdf`, { token: meB.token })).status, 404);
    assert.deepEqual((await call<{ items: Obj[] }>(p, 'GET', '/me/invoices', { token: meB.token })).body.items.map((i) => i.id), [invoiceB.id]);
    assert.deepEqual((await call<{ items: Obj[] }>(p, 'GET', '/me/invoices', { token: meNone.token })).body.items, []);
    assert.equal((await call(p, 'GET', '/me/invoices', { token: billing.token })).status, 403, 'staff use /invoices, not /me');

    const res = await fetch(`${p.httpUrl}/api/v1/me/invoices/${String(invoiceA.id)}/pdf`, { headers: { authorization: `Bearer ${meA.token}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-disposition'), `attachment; filename="${String(invoiceA.number)}.pdf"`);
    assert.equal(Buffer.from(await res.arrayBuffer()).subarray(0, 5).toString(), '%PDF-');
  });
});
