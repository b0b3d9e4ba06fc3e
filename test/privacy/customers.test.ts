import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startPlatform, type Platform } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/log/logger.js';
import { apiUser, call, type ApiUser } from '../helpers/api.js';
import { login } from '../helpers/accounts.js';
import { RawClient } from '../helpers/raw-client.js';
import { until } from '../helpers/until.js';

type Obj = Record<string, unknown>;

/** Seeded personal data of customer A: none of it may be stored in clear, or survive an erasure. */
const A = {
  name: 'Erika Mustermann',
  email: 'Erika.Mustermann@Example.org',
  phone: '+49 30 9876543',
  billingAddress: { line1: 'Heidestrasse 17', postalCode: '51147', city: 'Koeln-Porz', country: 'DE' },
  paymentReference: 'cus_ErikaPspToken4711',
};
const UID_A = 'RFID-ERIKA-0xC0FFEE';
const B = { name: 'Jan Jansen', email: 'jan.jansen@example.net', paymentReference: 'cus_JanPspToken0815' };
/** strings that must never appear in clear (the address by its parts: a JSON column could split it) */
const seededA = [A.name, 'Mustermann', A.email.toLowerCase(), 'mustermann@example', A.phone, '9876543', A.billingAddress.line1, 'Heidestrasse', A.billingAddress.city, A.paymentReference];

/** Every line the platform logs, at debug level. */
const lines: string[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'ov2x-customers-'));
let p: Platform;
let admin: ApiUser;
let emsp: ApiUser;
let support: ApiUser;
let billing: ApiUser;
let cpo: ApiUser;
let idA: number;
let idB: number;
let tokenA: string;

/** The text of every text, varchar and json(b) column of every table, one string per row. */
async function everyTextValue(): Promise<{ table: string; text: string }[]> {
  const cols = (await sql<{ table: string; column: string }>`
    SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
    WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
    ORDER BY table_name, ordinal_position`.execute(p.store.db)).rows;
  const byTable = new Map<string, string[]>();
  for (const c of cols) byTable.set(c.table, [...(byTable.get(c.table) ?? []), c.column]);
  const out: { table: string; text: string }[] = [];
  for (const [table, columns] of byTable) {
    const expr = columns.map((c) => `coalesce(${sql.id(c).compile(p.store.db).sql}::text, '')`).join(` || '|' || `);
    const rows = (await sql<{ t: string }>`SELECT ${sql.raw(expr)} AS t FROM ${sql.id(table)}`.execute(p.store.db)).rows;
    for (const r of rows) out.push({ table, text: r.t });
  }
  return out;
}

/** Which of `secrets` occur (case-insensitively) in the database or the log, and where. */
async function leaks(secrets: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const haystacks = [...(await everyTextValue()), ...lines.map((l, i) => ({ table: `log line ${i}`, text: l }))];
  for (const s of secrets) {
    for (const h of haystacks) if (h.text.toLowerCase().includes(s.toLowerCase())) found.push(`${s} in ${h.table}`);
  }
  return found;
}

describe('customers (issue 6): CRM, customer-facing API, data-subject rights', () => {
  before(async () => {
    p = await startPlatform({ ...loadConfig({}, {}), dataDir, host: '127.0.0.1', ocppPort: 0, logLevel: 'debug' }, createLogger('debug', { write: (s: string) => void lines.push(s) } as never));
    admin = await apiUser(p, ['admin']);
    emsp = await apiUser(p, ['emsp_manager']);
    support = await apiUser(p, ['support_l1']);
    billing = await apiUser(p, ['billing_manager']);
    cpo = await apiUser(p, ['cpo_manager']);
  });
  after(async () => {
    await p?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates customers with consents; the raw rows hold only ciphertext and a blind index', async () => {
    const created = await call(p, 'POST', '/customers', { token: emsp.token, body: { ...A, consents: [{ consent: 'terms', granted: true, version: '2026-01' }, { consent: 'marketing-email', granted: true, version: 'v3' }] } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    idA = Number(created.body.id);
    assert.match(String(created.body.reference), /^C-[A-Z2-7]+$/);
    assert.equal(created.body.name, 'E*** M***', 'answered masked');
    const b = await call(p, 'POST', '/customers', { token: emsp.token, body: B });
    assert.equal(b.status, 201);
    idB = Number(b.body.id);
    // the same e-mail address in another case is the same address
    assert.equal((await call(p, 'POST', '/customers', { token: emsp.token, body: { ...B, email: 'JAN.Jansen@example.net' } })).status, 409);

    const rows = (await sql<Obj>`SELECT * FROM customers WHERE id = ${idA}`.execute(p.store.db)).rows;
    assert.equal(rows.length, 1);
    const raw = JSON.stringify(rows[0]);
    for (const s of seededA) {
      for (const enc of [s, Buffer.from(s).toString('base64'), Buffer.from(s).toString('hex')]) assert.ok(!raw.toLowerCase().includes(enc.toLowerCase()), `customers row shows ${s}`);
    }
    for (const col of ['nameEncrypted', 'emailEncrypted', 'phoneEncrypted', 'billingAddressEncrypted', 'paymentReferenceEncrypted']) {
      assert.match(String(rows[0]![col]), /^f1\.dk_/, `${col} is an AEAD box`);
    }
    assert.equal(Buffer.from(String(rows[0]!.emailIndex), 'base64url').length, 32);
  });

  it('refuses a card number as payment reference, with or without spaces, and never echoes or logs it', async () => {
    for (const pan of ['4111 1111 1111 1111', '5555555555554444', '3782-822463-10005']) {
      const r = await call(p, 'POST', '/customers', { token: emsp.token, body: { name: 'Card Holder', email: 'card@example.com', paymentReference: pan } });
      assert.equal(r.status, 422, pan);
      assert.equal(r.body.code, 'card_number');
      assert.ok(!JSON.stringify(r.body).includes(pan));
      const u = await call(p, 'PATCH', `/customers/${idA}`, { token: emsp.token, body: { paymentReference: pan } });
      assert.equal(u.status, 422);
    }
    assert.deepEqual(await leaks(['4111 1111 1111 1111', '5555555555554444', '3782-822463-10005', '4111111111111111']), []);
    assert.equal((await call(p, 'POST', '/customers/search', { token: emsp.token, body: { email: 'card@example.com' } })).body.total, 0, 'nothing stored');
  });

  it('lists and shows customers masked; finds them by reference and by exact e-mail (blind index)', async () => {
    const one = await call(p, 'GET', `/customers/${idA}`, { token: support.token });
    assert.equal(one.status, 200);
    assert.deepEqual({ name: one.body.name, email: one.body.email, phone: one.body.phone, billingAddress: one.body.billingAddress, paymentReference: one.body.paymentReference },
      { name: 'E*** M***', email: 'E***@Example.org', phone: '***43', billingAddress: { country: 'DE' }, paymentReference: '***4711' });
    const list = await call<{ items: Obj[]; total: number }>(p, 'GET', '/customers?sort=id', { token: billing.token });
    assert.equal(list.status, 200);
    assert.equal(list.body.total, 2);
    assert.ok(!JSON.stringify(list.body).includes('Mustermann'));
    const ref = String(one.body.reference);
    assert.equal((await call<{ items: Obj[] }>(p, 'GET', `/customers?reference=${ref}`, { token: support.token })).body.items[0]?.id, idA);
    const found = await call<{ items: Obj[] }>(p, 'POST', '/customers/search', { token: support.token, body: { email: ' erika.mustermann@EXAMPLE.org '.trim() } });
    assert.equal(found.body.items[0]?.id, idA);
    assert.equal((await call<{ items: Obj[] }>(p, 'POST', '/customers/search', { token: support.token, body: { email: 'erika@example.org' } })).body.items.length, 0, 'exact match only');
    assert.equal((await call(p, 'GET', `/customers/${idA}`, { token: cpo.token })).status, 403, 'no customers:read');
  });

  it('reveals one customer in clear only with customers:reveal, audited', async () => {
    for (const [who, u, status] of [['support_l1', support, 403], ['billing_manager', billing, 403], ['cpo_manager', cpo, 403], ['emsp_manager', emsp, 200], ['admin', admin, 200]] as const) {
      const r = await call(p, 'POST', `/customers/${idA}/reveal`, { token: u.token, body: {} });
      assert.equal(r.status, status, who);
      if (status === 200) assert.deepEqual({ name: r.body.name, email: r.body.email, phone: r.body.phone, billingAddress: r.body.billingAddress, paymentReference: r.body.paymentReference }, A);
    }
    const audit = (await sql<Obj>`SELECT * FROM audit_log WHERE action = 'customer.reveal' ORDER BY id`.execute(p.store.db)).rows;
    assert.deepEqual(audit.map((a) => a.result), ['denied', 'denied', 'denied', 'success', 'success']);
    assert.ok(audit.every((a) => a.target === String(idA)));
  });

  it('updates contact data and records consents with their history', async () => {
    const u = await call(p, 'PATCH', `/customers/${idB}`, { token: emsp.token, body: { phone: '+31 20 5550101', paymentReference: null } });
    assert.equal(u.status, 200, JSON.stringify(u.body));
    assert.equal(u.body.phone, '***01');
    assert.equal(u.body.paymentReference, null);
    const taken = await call(p, 'PATCH', `/customers/${idB}`, { token: emsp.token, body: { email: A.email.toUpperCase() } });
    assert.deepEqual([taken.status, taken.body.code], [409, 'conflict'], 'another customer\'s e-mail address');
    const c = await call<{ consents: Obj; history: Obj[] }>(p, 'POST', `/customers/${idA}/consents`, { token: emsp.token, body: { changes: [{ consent: 'marketing-email', granted: false, version: 'v3' }] } });
    assert.equal(c.status, 200);
    assert.equal((c.body.consents['marketing-email'] as Obj).granted, false);
    assert.deepEqual(c.body.history.map((h) => [h.consent, h.granted, h.version]), [['terms', true, '2026-01'], ['marketing-email', true, 'v3'], ['marketing-email', false, 'v3']]);
    assert.equal(c.body.history[2]!.recordedBy, `user:${emsp.userId}`);
  });

  it('links tokens to customers and shows each customer their own charging history with costs', async () => {
    const t = await call(p, 'POST', '/tokens', { token: admin.token, body: { idToken: UID_A } });
    assert.equal(t.status, 201);
    tokenA = String(t.body.id);
    const tb = await call(p, 'POST', '/tokens', { token: admin.token, body: { idToken: 'RFID-JAN-0xBEEF' } });
    const link = await call(p, 'POST', `/customers/${idA}/tokens`, { token: emsp.token, body: { token: tokenA, contractId: 'DE-OV2-C12345678-X' } });
    assert.equal(link.status, 200, JSON.stringify(link.body));
    assert.equal(link.body.contractId, 'DE-OV2-C12345678-X');
    assert.equal((await call(p, 'POST', `/customers/${idB}/tokens`, { token: emsp.token, body: { token: String(tb.body.id) } })).status, 200);
    assert.equal((await call(p, 'POST', `/customers/${idA}/tokens`, { token: emsp.token, body: { token: 'tok_aaaaaaaaaaaaaaaa' } })).status, 404);

    // a priced session of customer A over OCPP 1.6
    await p.services.tariffs.setDefault((await p.services.tariffs.create({ name: 'Std', currency: 'EUR', pricePerKwh: '0.40', pricePerMinute: '0', startFee: '0', vatRate: '19' })).id);
    const pw = await p.services.stations.register('CP-CRM', {}).then((r) => r.password);
    const c = await RawClient.connect(`${p.ocppUrl}/CP-CRM`, { protocols: ['ocpp1.6'], user: 'CP-CRM', password: pw });
    try {
      await c.call('b', 'BootNotification', { chargePointVendor: 'ACME', chargePointModel: 'W' });
      const started = (await c.call('s', 'StartTransaction', { connectorId: 1, idTag: UID_A, meterStart: 0, timestamp: new Date(Date.now() - 60_000).toISOString() }))[2] as { transactionId: number };
      await c.call('e', 'StopTransaction', { transactionId: started.transactionId, idTag: UID_A, meterStop: 10_000, timestamp: new Date().toISOString(), reason: 'Local' });
    } finally {
      c.close();
    }
    await until('the CDR', async () => (await sql<Obj>`SELECT id FROM cdrs`.execute(p.store.db)).rows.length === 1);

    const h = await call<{ sessions: Obj[]; cdrs: Obj[] }>(p, 'GET', `/customers/${idA}/charging-history`, { token: support.token });
    assert.equal(h.status, 200, JSON.stringify(h.body));
    assert.equal(h.body.sessions.length, 1);
    assert.deepEqual(h.body.sessions[0]!.cost, { currency: 'EUR', exclVat: 4, inclVat: 4.76 });
    assert.equal(h.body.sessions[0]!.token, tokenA);
    assert.equal(h.body.cdrs.length, 1);
    assert.ok(!JSON.stringify(h.body).includes(UID_A), 'no UID in the history');
    assert.equal((await call<{ sessions: Obj[] }>(p, 'GET', `/customers/${idB}/charging-history`, { token: support.token })).body.sessions.length, 0);
  });

  it('gives a customer a portal account that must change its one-time password, then shows only their own data', async () => {
    const acc = await call(p, 'POST', `/customers/${idA}/account`, { token: emsp.token, body: {} });
    assert.equal(acc.status, 201, JSON.stringify(acc.body));
    assert.equal((await call(p, 'POST', `/customers/${idA}/account`, { token: emsp.token, body: {} })).status, 409, 'one account');
    const first = await login(p, String(acc.body.username), String(acc.body.password));
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.me.pending, ['change-password']);
    assert.equal((await call(p, 'GET', '/me/profile', { token: first.body.token })).status, 403, 'not before the password is changed');
    const newPassword = 'Erika-says-a-long-new-passphrase-42';
    assert.equal((await call(p, 'POST', '/auth/password', { token: first.body.token, body: { currentPassword: acc.body.password, newPassword } })).status, 200);
    const me = (await login(p, String(acc.body.username), newPassword)).body.token;

    const profile = await call(p, 'GET', '/me/profile', { token: me });
    assert.equal(profile.status, 200);
    assert.equal(profile.body.id, idA);
    assert.equal(profile.body.name, A.name, 'decrypted for its owner');
    const patched = await call(p, 'PATCH', '/me/profile', { token: me, body: { phone: '+49 30 1111111' } });
    assert.equal(patched.body.phone, '+49 30 1111111');
    assert.equal((await call(p, 'PATCH', '/me/profile', { token: me, body: { paymentReference: 'cus_x' } })).status, 400, 'the payment reference is not self-service');
    assert.equal((await call(p, 'PATCH', '/me/profile', { token: me, body: { phone: A.phone } })).status, 200);
    const consents = await call<{ history: Obj[] }>(p, 'POST', '/me/consents', { token: me, body: { changes: [{ consent: 'marketing-email', granted: true, version: 'v4' }] } });
    assert.equal(consents.body.history.at(-1)!.version, 'v4');
    const tokens = await call<{ items: Obj[] }>(p, 'GET', '/me/tokens', { token: me });
    assert.deepEqual(tokens.body.items.map((t) => [t.id, t.status]), [[tokenA, 'Accepted']]);
    const hist = await call<{ sessions: Obj[]; cdrs: Obj[] }>(p, 'GET', '/me/charging-history', { token: me });
    assert.equal(hist.body.sessions.length, 1);
    const cdrId = String(hist.body.cdrs[0]!.id);
    assert.equal((await call(p, 'GET', `/me/cdrs/${cdrId}`, { token: me })).status, 200);

    // customer B: its own data only; A's CDR id is not found; staff routes are forbidden
    const accB = await call(p, 'POST', `/customers/${idB}/account`, { token: emsp.token, body: {} });
    await p.repos.users.update((await p.repos.users.byUsername(String(accB.body.username)))!.id, { mustChangePassword: false });
    const meB = (await login(p, String(accB.body.username), String(accB.body.password))).body.token;
    assert.equal((await call(p, 'GET', '/me/profile', { token: meB })).body.id, idB);
    assert.equal((await call(p, 'GET', `/me/cdrs/${cdrId}`, { token: meB })).status, 404, 'id swapping: someone else\'s CDR is not found');
    assert.equal((await call<{ sessions: Obj[] }>(p, 'GET', '/me/charging-history', { token: meB })).body.sessions.length, 0);
    for (const [method, path] of [['GET', `/customers/${idA}`], ['POST', `/customers/${idA}/reveal`], ['GET', `/customers/${idA}/export`], ['GET', '/customers'], ['GET', '/tokens'], ['GET', '/cdrs'], ['GET', `/customers/${idB}`]]) {
      assert.equal((await call(p, method!, path!, { token: meB, ...(method === 'POST' && { body: {} }) })).status, 403, `${method} ${path}`);
    }
    // staff hold no self:* permissions: the /me routes are the customers' own
    assert.equal((await call(p, 'GET', '/me/profile', { token: admin.token })).status, 403);
  });

  it('exports everything about a customer: one section per registered holder, complete', async () => {
    // (customer B was refused this export in the test before)
    assert.equal((await call(p, 'GET', `/customers/${idA}/export`, { token: support.token })).status, 403);
    const r = await call<{ customer: string; sections: Record<string, Obj> }>(p, 'GET', `/customers/${idA}/export`, { token: emsp.token });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body.sections).sort(), p.services.dataSubjects.holders().map((h) => h.name).sort());
    const c = r.body.sections.customers!;
    assert.deepEqual({ name: c.name, email: c.email, phone: c.phone, billingAddress: c.billingAddress, paymentReference: c.paymentReference }, A);
    assert.equal((c.consentHistory as Obj[]).length, 4);
    assert.equal((c.portalAccounts as Obj[]).length, 1);
    assert.deepEqual((c.linkedTokens as Obj[]).map((t) => [t.id, t.contractId]), [[tokenA, 'DE-OV2-C12345678-X']]);
    const cdrs = r.body.sections.cdrs as { sessions: Obj[]; cdrs: Obj[] };
    assert.equal(cdrs.sessions.length, 1);
    assert.equal(cdrs.cdrs.length, 1);
    // the customer's own export is the same document
    const mine = await call<{ sections: Obj }>(p, 'GET', '/me/export', { token: (await p.services.identity.sessions.create((await p.repos.users.byUsername(r.body.customer.toLowerCase()))!.id, { mfaPassed: true })).token });
    assert.deepEqual(Object.keys(mine.body.sections).sort(), Object.keys(r.body.sections).sort());
    const audit = (await sql<Obj>`SELECT action, result FROM audit_log WHERE action IN ('customer.export', 'customer.self.export') ORDER BY id`.execute(p.store.db)).rows;
    assert.deepEqual(audit.map((a) => [a.action, a.result]), [['customer.export', 'denied'], ['customer.export', 'denied'], ['customer.export', 'success'], ['customer.self.export', 'success']]);
  });

  it('erases a customer: no plaintext left in any table or log line, CDRs kept, accounts gone, audited; idempotent', async () => {
    // the token UID is covered once a holder for tokens (the privacy module's) is registered
    const uidsCovered = p.services.dataSubjects.holders().some((h) => h.name === 'tokens');
    const secrets = [...seededA, ...(uidsCovered ? [UID_A] : [])];
    const username = (await p.repos.customers.portalAccounts(idA))[0]!.username;
    // the scan sees every table and the log: the customer number (stored in clear, not personal) is found
    assert.ok((await leaks([username])).some((l) => l.includes('in customers')), 'the scan reads the customers table');
    // encrypted at rest and redacted in logs before any erasure, too
    assert.deepEqual(await leaks(seededA), []);

    assert.equal((await call(p, 'POST', `/customers/${idA}/erasure`, { token: support.token, body: {} })).status, 403);
    const r = await call<{ holders: Record<string, Obj> }>(p, 'POST', `/customers/${idA}/erasure`, { token: emsp.token, body: {} });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.holders.customers, { customers: 1, portalAccounts: 1 });
    assert.deepEqual(Object.keys(r.body.holders).sort(), p.services.dataSubjects.holders().map((h) => h.name).sort());

    const row = (await sql<Obj>`SELECT * FROM customers WHERE id = ${idA}`.execute(p.store.db)).rows[0]!;
    assert.equal(row.status, 'erased');
    for (const col of ['nameEncrypted', 'emailEncrypted', 'emailIndex', 'phoneEncrypted', 'billingAddressEncrypted', 'paymentReferenceEncrypted']) assert.equal(row[col], null, col);
    assert.ok(row.erasedAt);
    assert.deepEqual(await leaks(secrets), []);
    // CDRs stay for accounting, and the portal account is gone
    assert.equal((await sql<Obj>`SELECT id FROM cdrs`.execute(p.store.db)).rows.length, 1);
    assert.equal(await p.repos.users.byUsername(username), undefined);
    assert.equal((await login(p, username, 'Erika-says-a-long-new-passphrase-42')).status, 401);
    const masked = await call(p, 'GET', `/customers/${idA}`, { token: support.token });
    assert.deepEqual([masked.body.status, masked.body.name, masked.body.email], ['erased', null, null]);
    assert.equal((await call(p, 'PATCH', `/customers/${idA}`, { token: emsp.token, body: { name: 'Back Again' } })).status, 409);
    assert.equal((await call(p, 'POST', '/customers/search', { token: emsp.token, body: { email: A.email } })).body.total, 0);

    const again = await call<{ holders: Record<string, Obj> }>(p, 'POST', `/customers/${idA}/erasure`, { token: emsp.token, body: {} });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body.holders.customers, { customers: 0, portalAccounts: 0 });
    const audit = (await sql<Obj>`SELECT result, details FROM audit_log WHERE action = 'customer.erase' ORDER BY id`.execute(p.store.db)).rows;
    assert.deepEqual(audit.map((a) => a.result), ['denied', 'success', 'success']);
    // the other customer is untouched
    const b = await call(p, 'POST', `/customers/${idB}/reveal`, { token: emsp.token, body: {} });
    assert.equal(b.body.name, B.name);
    assert.equal((await call(p, 'GET', `/customers/${idA + idB + 100}/export`, { token: emsp.token })).status, 404);
  });
});
