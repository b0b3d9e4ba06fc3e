import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Role } from '../../src/domain/identity/roles.js';
import { apiUser, call, type ApiUser } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';

type Obj = Record<string, unknown>;
const UID = 'UID-04A1B2C3D4';

describe('token API: pseudonymized, audited reveal (G2, OP4)', () => {
  let p: TestPlatform;
  const users = new Map<Role, ApiUser>();
  let id = '';
  const as = (role: Role) => users.get(role)!.token;
  const reveals = async (result: string): Promise<Obj[]> =>
    (await sql<Obj>`SELECT actor, target, result, details FROM audit_log WHERE action = 'token.reveal' AND result = ${result} ORDER BY id`.execute(p.store.db)).rows;

  before(async () => {
    p = await startTestPlatform();
    for (const role of ['admin', 'emsp_manager', 'support_l1', 'billing_manager'] as const) users.set(role, await apiUser(p, [role]));
  });
  after(async () => p.stop());

  it('POST /tokens adds a token and answers its pseudonym, never the UID; a second POST of the UID is 409', async () => {
    const r = await call(p, 'POST', '/tokens', { token: as('emsp_manager'), body: { idToken: UID, groupIdToken: 'FLEET-7', expiresAt: '2031-01-01T00:00:00.000Z' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    id = String(r.body.id);
    assert.match(id, /^tok_[a-z2-7]{16}$/);
    assert.match(String(r.body.group), /^tok_/);
    assert.ok(!JSON.stringify(r.body).includes(UID) && !JSON.stringify(r.body).includes('FLEET-7'));
    const again = await call(p, 'POST', '/tokens', { token: as('admin'), body: { idToken: UID } });
    assert.equal(again.status, 409);
    assert.ok(!JSON.stringify(again.body).includes(UID));
    const created = (await sql<Obj>`SELECT target, details FROM audit_log WHERE action = 'token.create' AND result = 'success'`.execute(p.store.db)).rows;
    assert.equal(created.length, 1);
    assert.equal(created[0]!.target, id);
    assert.ok(!JSON.stringify(created).includes(UID));
    assert.equal((await call(p, 'POST', '/tokens', { token: as('support_l1'), body: { idToken: 'OTHER' } })).status, 403);
    const bad = await call(p, 'POST', '/tokens', { token: as('admin'), body: { idToken: 'BAD UID-77' } });
    assert.equal(bad.status, 400);
    assert.ok(!JSON.stringify(bad.body).includes('UID-77'), 'a refused UID is not echoed');
  });

  it('GET /tokens and /tokens/{id} show the pseudonym and never the UID, to every reader', async () => {
    for (const role of ['support_l1', 'billing_manager', 'emsp_manager'] as const) {
      const list = await call<{ items: Obj[]; total: number }>(p, 'GET', '/tokens', { token: as(role) });
      assert.equal(list.status, 200);
      assert.ok(list.body.items.some((t) => t.id === id));
      assert.ok(!JSON.stringify(list.body).includes(UID));
      const one = await call(p, 'GET', `/tokens/${id}`, { token: as(role) });
      assert.equal(one.status, 200);
      assert.deepEqual([one.body.id, one.body.status, one.body.expiresAt], [id, 'Accepted', '2031-01-01T00:00:00.000Z']);
      assert.ok(!JSON.stringify(one.body).includes(UID));
    }
    assert.equal((await call(p, 'GET', '/tokens/tok_aaaaaaaaaaaaaaaa', { token: as('admin') })).status, 404);
    assert.equal((await call(p, 'GET', '/tokens/1', { token: as('admin') })).status, 400);
  });

  it('reveal: emsp_manager and admin get the UID, each reveal audited as token.reveal; support_l1 and billing_manager get 403, audited as denied', async () => {
    for (const role of ['emsp_manager', 'admin'] as const) {
      const r = await call(p, 'POST', `/tokens/${id}/reveal`, { token: as(role), body: {} });
      assert.equal(r.status, 200, role);
      assert.deepEqual(r.body, { id, idToken: UID });
    }
    const ok = await reveals('success');
    assert.deepEqual(ok.map((a) => [a.actor, a.target]), [[`user:${users.get('emsp_manager')!.userId}`, id], [`user:${users.get('admin')!.userId}`, id]]);
    assert.equal(ok.length, 2);
    for (const role of ['support_l1', 'billing_manager'] as const) {
      const r = await call(p, 'POST', `/tokens/${id}/reveal`, { token: as(role), body: {} });
      assert.equal(r.status, 403);
      assert.equal(r.body.code, 'forbidden');
      assert.ok(!JSON.stringify(r.body).includes(UID));
    }
    const denied = await reveals('denied');
    assert.equal(denied.length, 2);
    assert.ok(denied.every((a) => a.target === id));
    assert.ok(!JSON.stringify(await sql`SELECT * FROM audit_log`.execute(p.store.db)).includes(UID), 'no UID in the audit log');
  });

  it('PATCH blocks, unblocks and sets the expiry; OCPP authorization follows it end to end', async () => {
    const password = await p.addStation('CP-TOK');
    const c = await RawClient.connect(`${p.ocppUrl}/CP-TOK`, { protocols: ['ocpp1.6'], user: 'CP-TOK', password });
    let n = 0;
    const authorize = async (): Promise<string> => {
      const [type, , res] = await c.call(`a${++n}`, 'Authorize', { idTag: UID });
      assert.equal(type, 3);
      return String(((res as Obj).idTagInfo as Obj).status);
    };
    try {
      assert.equal(await authorize(), 'Accepted');
      const blocked = await call(p, 'PATCH', `/tokens/${id}`, { token: as('emsp_manager'), body: { status: 'Blocked' } });
      assert.equal(blocked.status, 200);
      assert.equal(blocked.body.status, 'Blocked');
      assert.equal(await authorize(), 'Blocked');
      assert.equal((await call(p, 'PATCH', `/tokens/${id}`, { token: as('emsp_manager'), body: { status: 'Accepted' } })).status, 200);
      assert.equal(await authorize(), 'Accepted');
      const past = await call(p, 'PATCH', `/tokens/${id}`, { token: as('admin'), body: { expiresAt: '2020-01-01T00:00:00.000Z' } });
      assert.equal(past.body.expiresAt, '2020-01-01T00:00:00.000Z');
      assert.equal(await authorize(), 'Expired');
      assert.equal((await call(p, 'PATCH', `/tokens/${id}`, { token: as('admin'), body: { expiresAt: null } })).status, 200);
      assert.equal(await authorize(), 'Accepted');
    } finally {
      c.close();
    }
    assert.equal((await call(p, 'PATCH', `/tokens/${id}`, { token: as('support_l1'), body: { status: 'Blocked' } })).status, 403);
    assert.equal((await call(p, 'PATCH', `/tokens/${id}`, { token: as('admin'), body: {} })).status, 400);
    assert.equal((await call(p, 'PATCH', `/tokens/${id}`, { token: as('admin'), body: { status: 'Expired' } })).status, 400);
    assert.equal((await call(p, 'PATCH', '/tokens/tok_aaaaaaaaaaaaaaaa', { token: as('admin'), body: { status: 'Blocked' } })).status, 404);
    const updates = (await sql<Obj>`SELECT target, details FROM audit_log WHERE action = 'token.update' AND result = 'success'`.execute(p.store.db)).rows;
    assert.equal(updates.length, 4);
  });
});
