import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { apiUser, call, type ApiUser } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

let p: TestPlatform;
let admin: ApiUser;
before(async () => {
  p = await startTestPlatform();
  admin = await apiUser(p, ['admin']);
});
after(async () => { await p.stop(); });

test('invalid input gets 400 with the one error body, naming the field', async () => {
  const r = await call<{ code: string; message: string; details: Array<{ path: string }> }>(p, 'POST', '/stations', { token: admin.token, body: { id: 'bad id with spaces' } });
  assert.equal(r.status, 400);
  assert.equal(r.body.code, 'invalid_request');
  assert.ok(r.body.details.some((d) => d.path === '/id'), JSON.stringify(r.body));
  const extra = await call<{ code: string }>(p, 'POST', '/stations', { token: admin.token, body: { id: 'CS-X', evil: true } });
  assert.equal(extra.status, 400);
  const q = await call<{ code: string }>(p, 'GET', '/stations?limit=100000', { token: admin.token });
  assert.equal(q.status, 400);
  assert.equal(q.body.code, 'invalid_request');
});

test('malformed JSON and unknown routes answer in the same error shape, never 500', async () => {
  const res = await fetch(`${p.httpUrl}/api/v1/stations`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' }, body: '{"id":' });
  assert.equal(res.status, 400);
  const body = await res.json() as { code: string; message: string };
  assert.equal(typeof body.code, 'string');
  const missing = await call<{ code: string }>(p, 'GET', '/no-such-thing', { token: admin.token });
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, 'not_found');
});

test('answers are not cacheable and not sniffable', async () => {
  const r = await call(p, 'GET', '/stations', { token: admin.token });
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
});

test('the OpenAPI 3.1 document lists every route with its permission and security', async () => {
  const doc = await call<{ openapi: string; paths: Record<string, Record<string, { security?: unknown[]; description?: string; responses: Record<string, unknown> }>> }>(p, 'GET', '/openapi.json');
  assert.equal(doc.status, 200);
  assert.equal(doc.body.openapi, '3.1.0');
  for (const r of p.apiRoutes) {
    const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const op = doc.body.paths[path]?.[r.method.toLowerCase()];
    assert.ok(op, `${r.method} ${path} missing from the document`);
    assert.ok(op.responses['4XX'], `${r.method} ${path} documents no error body`);
    if (r.permission !== 'public') {
      assert.ok(op.security?.length, `${r.method} ${path} documents no security`);
      assert.match(op.description ?? '', new RegExp(r.permission));
    }
  }
  const page = await fetch(`${p.httpUrl}/api/v1/docs/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /swagger/i);
});

test('a state-changing call is audited with who, role, what, target, result and source; reads are not', async () => {
  const before = (await p.services.identity.audit.list({ limit: 500, offset: 0 })).length;
  await call(p, 'GET', '/stations', { token: admin.token });
  assert.equal((await p.services.identity.audit.list({ limit: 500, offset: 0 })).length, before);
  const created = await call(p, 'POST', '/stations', { token: admin.token, body: { id: 'AUDITED-1' } });
  assert.equal(created.status, 201);
  const [rec] = await p.services.identity.audit.list({ limit: 1, offset: 0, action: 'station.register' });
  assert.ok(rec);
  assert.equal(rec.actor, `user:${admin.userId}`);
  assert.deepEqual(rec.roles, ['admin']);
  assert.equal(rec.result, 'success');
  assert.equal(rec.sourceIp, '127.0.0.1');
  assert.ok(!JSON.stringify(rec).includes((created.body as { password: string }).password), 'the station password reached the audit log');
  const viaApi = await call<{ items: Array<{ action: string }> }>(p, 'GET', '/audit?action=station.register', { token: admin.token });
  assert.equal(viaApi.body.items[0]?.action, 'station.register');
});

test('a denied call is audited as denied', async () => {
  const l1 = await apiUser(p, ['support_l1']);
  const r = await call(p, 'DELETE', '/stations/AUDITED-1', { token: l1.token });
  assert.equal(r.status, 403);
  const [rec] = await p.services.identity.audit.list({ limit: 1, offset: 0, actor: `user:${l1.userId}` });
  assert.equal(rec?.result, 'denied');
});

test('the audit log refuses UPDATE, DELETE and TRUNCATE in the database itself', async () => {
  await assert.rejects(sql`UPDATE audit_log SET result = 'forged'`.execute(p.store.db), /append-only/);
  await assert.rejects(sql`DELETE FROM audit_log`.execute(p.store.db), /append-only/);
  await assert.rejects(sql`TRUNCATE audit_log`.execute(p.store.db), /append-only/);
});

test('list endpoints page, filter and sort', async () => {
  for (const id of ['PAGE-A', 'PAGE-B', 'PAGE-C']) await p.services.stations.register(id);
  const first = await call<{ items: Array<{ id: string }>; total: number }>(p, 'GET', '/stations?idPrefix=PAGE-&limit=2&order=desc', { token: admin.token });
  assert.deepEqual(first.body.items.map((s) => s.id), ['PAGE-C', 'PAGE-B']);
  assert.equal(first.body.total, 3);
  const second = await call<{ items: Array<{ id: string }> }>(p, 'GET', '/stations?idPrefix=PAGE-&limit=2&offset=2&order=desc', { token: admin.token });
  assert.deepEqual(second.body.items.map((s) => s.id), ['PAGE-A']);
});

test('the login answer is the same for an unknown user and a wrong password', async () => {
  const unknown = await call(p, 'POST', '/auth/login', { body: { username: 'nobody-here', password: 'whatever-password' } });
  const wrong = await call(p, 'POST', '/auth/login', { body: { username: admin.username, password: 'whatever-password' } });
  assert.equal(unknown.status, 401);
  assert.deepEqual(unknown.body, wrong.body);
});
