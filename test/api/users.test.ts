import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiUser, call, type ApiUser } from '../helpers/api.js';
import { login } from '../helpers/accounts.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

interface UserView { id: number; username: string; roles: string[]; stationGroups: string[] | null; disabled: boolean; mustChangePassword: boolean }

describe('users admin API', () => {
  let platform: TestPlatform;
  let admin: ApiUser;
  before(async () => {
    platform = await startTestPlatform();
    admin = await apiUser(platform, ['admin']);
    await platform.services.identity.stationGroups.create('north', 'North');
    await platform.services.identity.stationGroups.create('south', 'South');
  });
  after(() => platform.stop());

  const create = (body: Record<string, unknown>, token = admin.token) => call<{ user: UserView; password: string; code?: string }>(platform, 'POST', '/users', { token, body });

  it('creates a person\'s account with a one-time password that must be changed at first login', async () => {
    const r = await create({ username: 'Carol.Ops', roles: ['support_l2'], stationGroups: ['north'], displayName: 'Carol' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.equal(r.body.user.username, 'carol.ops');
    assert.ok(r.body.password.length >= 20);
    assert.deepEqual([r.body.user.roles, r.body.user.stationGroups, r.body.user.mustChangePassword], [['support_l2'], ['north'], true]);
    assert.ok(!JSON.stringify(r.body.user).match(/hash|secret|recovery/i), 'no credential material in the view');
    const l = await login(platform, 'carol.ops', r.body.password);
    assert.deepEqual(l.body.me.pending, ['change-password']);
    assert.equal((await call(platform, 'GET', '/stations', { token: l.body.token })).status, 403);

    const audit = await platform.services.identity.audit.list({ limit: 10, offset: 0, action: 'user.roles.grant' });
    assert.deepEqual(audit[0]?.details, { username: 'carol.ops', roles: ['support_l2'], stationGroups: ['north'] });
    assert.ok(!JSON.stringify(await platform.services.identity.audit.list({ limit: 100, offset: 0 })).includes(r.body.password));
  });

  it('refuses machine roles for people, unknown roles and groups, duplicates and bad names, each with a reason', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ username: 'dso-person', roles: ['dso'] }, 422, 'machine_role'],
      [{ username: 'emsx', roles: ['support_l1', 'ems'] }, 422, 'machine_role'],
      [{ username: 'wizard', roles: ['wizard'] }, 400, 'invalid_request'],
      [{ username: 'noroles', roles: [] }, 400, 'invalid_request'],
      [{ username: 'bad name', roles: ['support_l1'] }, 400, 'invalid_request'],
      [{ username: 'grouped', roles: ['support_l1'], stationGroups: ['atlantis'] }, 422, 'unknown_group'],
      [{ username: 'CAROL.OPS', roles: ['support_l1'] }, 409, 'duplicate'],
    ];
    for (const [body, status, code] of cases) {
      const r = await create(body);
      assert.deepEqual([r.status, r.body.code], [status, code], JSON.stringify(body));
    }
    // fields not in the schema are refused, never written: no way to set a hash or a 2FA flag
    const extra = await create({ username: 'extra', roles: ['support_l1'], passwordHash: 'x', totpEnabled: true });
    assert.deepEqual([extra.status, extra.body.code], [400, 'invalid_request']);
    assert.equal(await platform.repos.users.byUsername('extra'), undefined);
  });

  it('lists with a role filter and a total, shows one, and only users:read/manage may', async () => {
    await create({ username: 'billy', roles: ['billing_manager'] });
    const all = await call<{ items: UserView[]; total: number }>(platform, 'GET', '/users?limit=2', { token: admin.token });
    assert.equal(all.status, 200);
    assert.equal(all.body.items.length, 2);
    assert.ok(all.body.total >= 4);
    const billing = await call<{ items: UserView[]; total: number }>(platform, 'GET', '/users?role=billing_manager', { token: admin.token });
    assert.deepEqual(billing.body.items.map((u) => u.username), ['billy']);
    assert.equal(billing.body.total, 1);
    assert.equal((await call(platform, 'GET', '/users?role=wizard', { token: admin.token })).status, 400);
    const one = await call<UserView>(platform, 'GET', `/users/${billing.body.items[0]!.id}`, { token: admin.token });
    assert.equal(one.body.username, 'billy');
    assert.equal((await call(platform, 'GET', '/users/424242', { token: admin.token })).status, 404);

    const cpo = await apiUser(platform, ['cpo_manager']);
    for (const [method, path] of [['GET', '/users'], ['GET', `/users/${admin.userId}`], ['POST', '/users'], ['PATCH', `/users/${admin.userId}`], ['DELETE', `/users/${admin.userId}`], ['POST', `/users/${admin.userId}/unlock`]] as const) {
      const r = await call(platform, method, path, { token: cpo.token, body: method === 'POST' || method === 'PATCH' ? { roles: ['admin'], username: 'x' } : undefined });
      assert.equal(r.status, 403, `${method} ${path}`);
    }
  });

  it('a change of roles or groups ends the account\'s sessions and is audited with old and new roles', async () => {
    const target = await apiUser(platform, ['support_l1']);
    const patch = (body: Record<string, unknown>) => call<UserView & { code?: string }>(platform, 'PATCH', `/users/${target.userId}`, { token: admin.token, body });
    const renamed = await patch({ displayName: 'Dee' });
    assert.equal(renamed.status, 200);
    assert.equal((await call(platform, 'GET', '/auth/me', { token: target.token })).status, 200, 'a new display name changes no rights');

    assert.equal((await patch({ roles: ['dso'] })).status, 422);
    assert.equal((await patch({})).status, 400);
    const r = await patch({ roles: ['support_l2', 'billing_manager'], stationGroups: ['south'] });
    assert.equal(r.status, 200);
    assert.deepEqual([r.body.roles, r.body.stationGroups], [['support_l2', 'billing_manager'], ['south']]);
    assert.equal((await call(platform, 'GET', '/auth/me', { token: target.token })).status, 401);
    const [rec] = await platform.services.identity.audit.list({ limit: 1, offset: 0, action: 'user.roles.change' });
    assert.equal(rec?.actor, `user:${admin.userId}`);
    assert.equal(rec?.target, String(target.userId));
    assert.deepEqual(rec?.details, {
      username: target.username,
      old: { roles: ['support_l1'], stationGroups: null, disabled: false },
      new: { roles: ['support_l2', 'billing_manager'], stationGroups: ['south'], disabled: false },
    });

    const disabled = await patch({ disabled: true });
    assert.equal(disabled.body.disabled, true);
    assert.equal((await login(platform, target.username, target.password)).status, 401);
    assert.equal((await patch({ disabled: false })).status, 200);
    assert.equal((await login(platform, target.username, target.password)).status, 200);
  });

  it('a scoped administrator grants only its own station groups', async () => {
    const scoped = await apiUser(platform, ['admin'], { groups: ['north'] });
    assert.equal((await create({ username: 'everywhere', roles: ['support_l1'] }, scoped.token)).status, 403);
    assert.equal((await create({ username: 'southern', roles: ['support_l1'], stationGroups: ['south'] }, scoped.token)).status, 403);
    assert.equal((await create({ username: 'northern', roles: ['support_l1'], stationGroups: ['north'] }, scoped.token)).status, 201);
  });

  it('removes accounts, but not your own', async () => {
    const { body: { user } } = await create({ username: 'leaver', roles: ['support_l1'] });
    assert.equal((await call(platform, 'DELETE', `/users/${user.id}`, { token: admin.token })).status, 204);
    assert.equal((await call(platform, 'GET', `/users/${user.id}`, { token: admin.token })).status, 404);
    assert.equal((await call(platform, 'DELETE', `/users/${user.id}`, { token: admin.token })).status, 404);
    const self = await call(platform, 'DELETE', `/users/${admin.userId}`, { token: admin.token });
    assert.deepEqual([self.status, self.body.code], [409, 'self']);
    const disableSelf = await call(platform, 'PATCH', `/users/${admin.userId}`, { token: admin.token, body: { disabled: true } });
    assert.deepEqual([disableSelf.status, disableSelf.body.code], [409, 'self']);
  });
  it('the OpenAPI document describes the account routes with the permission each needs', async () => {
    const doc = await call<{ paths: Record<string, Record<string, { description?: string }>> }>(platform, 'GET', '/openapi.json');
    assert.equal(doc.status, 200);
    assert.match(doc.body.paths['/api/v1/users/{id}/reset-2fa']?.post?.description ?? '', /users:manage/);
    assert.match(doc.body.paths['/api/v1/users']?.get?.description ?? '', /users:read/);
    for (const path of ['/api/v1/auth/totp', '/api/v1/auth/totp/enrol', '/api/v1/auth/totp/confirm', '/api/v1/auth/password']) assert.ok(doc.body.paths[path]?.post, path);
  });
});

describe('users admin API: the last active administrator stays', () => {
  let platform: TestPlatform;
  before(async () => {
    platform = await startTestPlatform();
  });
  after(() => platform.stop());

  it('refuses to remove, disable or demote the last active administrator', async () => {
    const a = await apiUser(platform, ['admin']);
    const b = await apiUser(platform, ['admin']);
    const firstAdmin = (await platform.repos.users.byUsername('admin'))!;
    // three admins: the first one (never signed in) and a, b
    assert.equal((await call(platform, 'DELETE', `/users/${firstAdmin.id}`, { token: a.token })).status, 204);
    assert.equal((await call(platform, 'PATCH', `/users/${b.userId}`, { token: a.token, body: { disabled: true } })).status, 200);
    // b is disabled: a is the last active administrator
    const demote = await call(platform, 'PATCH', `/users/${a.userId}`, { token: a.token, body: { roles: ['cpo_manager'] } });
    assert.deepEqual([demote.status, demote.body.code], [409, 'last_admin']);
    const other = await apiUser(platform, ['support_l1']);
    assert.equal((await call(platform, 'PATCH', `/users/${other.userId}`, { token: a.token, body: { roles: ['admin'] } })).status, 200);
    // now there are two: a may step down
    assert.equal((await call(platform, 'PATCH', `/users/${a.userId}`, { token: a.token, body: { roles: ['cpo_manager'] } })).status, 200);
    const promoted = (await platform.repos.users.byId(other.userId))!;
    const c = await apiUser(platform, ['admin']);
    // removing b (disabled) never touches the count of active admins
    assert.equal((await call(platform, 'DELETE', `/users/${b.userId}`, { token: c.token })).status, 204);
    assert.equal((await call(platform, 'DELETE', `/users/${promoted.id}`, { token: c.token })).status, 204);
    const last = await call(platform, 'PATCH', `/users/${c.userId}`, { token: c.token, body: { roles: ['support_l1'] } });
    assert.deepEqual([last.status, last.body.code], [409, 'last_admin']);
  });
});
