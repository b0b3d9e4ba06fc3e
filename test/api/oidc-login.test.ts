import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { call } from '../helpers/api.js';
import { externalRole, startTestProvider, type TestProvider } from '../helpers/oidc-provider.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { hashPassword } from '../../src/domain/identity/passwords.js';

/** A free loopback port: the platform's callback URL must be known before it starts. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** name=value of a Set-Cookie header of the answer; undefined when it sets no such cookie. */
function cookieOf(res: Response, name: string): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    if (pair!.slice(0, eq) === name) return pair!.slice(eq + 1);
  }
  return undefined;
}

/** The portal login through the provider: authorization-code flow with PKCE, followed hop by hop as a browser would. */
describe('OpenID Connect portal login', () => {
  let idp: TestProvider;
  let platform: TestPlatform;

  before(async () => {
    idp = await startTestProvider();
    const port = await freePort();
    platform = await startTestPlatform(idp.platformConfig({
      ocppPort: port, oidcGroupsClaim: 'groups', oidcClientId: idp.portal.clientId, oidcClientSecret: idp.portal.clientSecret,
      oidcRedirectUrl: `http://127.0.0.1:${port}/api/v1/auth/oidc/callback`, oidcPostLoginUrl: '/portal/',
    }));
    idp.addUser({ username: 'alice', roles: [externalRole('cpo_manager'), 'offline_access'], groups: ['/site-a'] });
    idp.addUser({ username: 'root', roles: [externalRole('admin')], mfa: true });
    idp.addUser({ username: 'weak-root', roles: [externalRole('admin')] });
    idp.addUser({ username: 'nobody', roles: ['offline_access'] });
  });
  after(async () => {
    await platform?.stop();
    await idp?.stop();
  });

  /** Starts a login at the platform; the provider's callback URL after `username` signed in, and the browser-binding cookie. */
  async function throughProvider(username: string): Promise<{ callback: URL; binding: string }> {
    const start = await fetch(`${platform.httpUrl}/api/v1/auth/oidc/login`, { redirect: 'manual' });
    assert.equal(start.status, 302);
    const location = new URL(start.headers.get('location')!);
    assert.equal(location.origin, idp.issuer);
    assert.equal(location.searchParams.get('code_challenge_method'), 'S256');
    for (const p of ['state', 'nonce', 'code_challenge']) assert.ok((location.searchParams.get(p) ?? '').length >= 43, `${p} carries 256 bits`);
    const binding = cookieOf(start, 'ov2x_oidc');
    assert.ok(binding, 'the login is bound to this browser');
    assert.match(start.headers.getSetCookie().join('\n'), /ov2x_oidc=[^;]+;.*HttpOnly/i);
    const callback = await idp.signIn(location.href, username);
    assert.equal(callback.origin, new URL(platform.httpUrl).origin, 'the provider sends the browser back to the platform');
    return { callback, binding };
  }

  const back = (callback: URL, binding?: string): Promise<Response> =>
    fetch(callback, { redirect: 'manual', headers: binding ? { cookie: `ov2x_oidc=${binding}` } : {} });

  /** the full login; the session and CSRF cookies it sets */
  async function signIn(username: string): Promise<{ session: string; csrf: string }> {
    const { callback, binding } = await throughProvider(username);
    const res = await back(callback, binding);
    assert.equal(res.status, 302, await res.text());
    assert.equal(res.headers.get('location'), '/portal/');
    assert.match(res.headers.getSetCookie().join('\n'), /ov2x_session=[^;]+;.*HttpOnly.*Secure.*SameSite=Strict/i);
    return { session: cookieOf(res, 'ov2x_session')!, csrf: cookieOf(res, 'ov2x_csrf')! };
  }

  it('signs a provider user in end to end: the session cookie works, with the mapped roles and scope', async () => {
    const { session, csrf } = await signIn('alice');
    const headers = { cookie: `ov2x_session=${session}` };
    const me = await call<{ kind: string; name: string; roles: string[]; groups: string[]; pending: string[] }>(platform, 'GET', '/auth/me', { headers });
    assert.equal(me.status, 200);
    assert.equal(me.body.kind, 'user');
    assert.deepEqual(me.body.roles, ['cpo_manager']);
    assert.deepEqual(me.body.groups, ['site-a']);
    assert.deepEqual(me.body.pending, []);
    const user = await platform.repos.users.byUsername(me.body.name);
    assert.equal(user?.source, 'oidc');
    assert.equal(user?.displayName, 'alice');
    assert.equal(user?.passwordHash, null);
    // a cookie session: unsafe calls need the CSRF token the login handed over
    assert.equal((await call(platform, 'POST', '/auth/logout', { headers })).status, 403);
    assert.equal((await call(platform, 'POST', '/auth/logout', { headers: { ...headers, 'x-csrf-token': csrf } })).status, 204);
    assert.equal((await call(platform, 'GET', '/auth/me', { headers })).status, 401);
  });

  it('refuses a replayed state: the callback works once', async () => {
    const { callback, binding } = await throughProvider('alice');
    assert.equal((await back(callback, binding)).status, 302);
    const replay = await back(callback, binding);
    assert.equal(replay.status, 400);
    assert.equal(((await replay.json()) as { code: string }).code, 'invalid_state');
    assert.equal(cookieOf(replay, 'ov2x_session'), undefined);
  });

  it('refuses a callback in a browser that did not start the login, and burns its state', async () => {
    const { callback, binding } = await throughProvider('alice');
    const elsewhere = await back(callback);
    assert.equal(elsewhere.status, 400);
    assert.equal(((await elsewhere.json()) as { code: string }).code, 'invalid_state');
    assert.equal((await back(callback, binding)).status, 400, 'the state was single use even when refused');
    const forged = new URL(callback);
    forged.searchParams.set('state', 'made-up');
    assert.equal((await back(forged, binding)).status, 400);
  });

  it('refuses a login whose roles map to nothing, and an admin without a second factor', async () => {
    for (const username of ['nobody', 'weak-root']) {
      const { callback, binding } = await throughProvider(username);
      const res = await back(callback, binding);
      assert.equal(res.status, 403, username);
      assert.equal(((await res.json()) as { code: string }).code, 'no_role');
      assert.equal(cookieOf(res, 'ov2x_session'), undefined);
    }
  });

  it('lets an admin who used a second factor at the provider in without local TOTP enrolment', async () => {
    const { session } = await signIn('root');
    const headers = { cookie: `ov2x_session=${session}` };
    const me = await call<{ roles: string[]; pending: string[] }>(platform, 'GET', '/auth/me', { headers });
    assert.deepEqual(me.body.roles, ['admin']);
    assert.deepEqual(me.body.pending, []);
    const audit = await call<{ items: Array<{ action: string; result: string; details: { via?: string } }> }>(platform, 'GET', '/audit?limit=100', { headers });
    assert.equal(audit.status, 200);
    assert.ok(audit.body.items.some((r) => r.action === 'auth.login' && r.result === 'success' && r.details.via === 'oidc'), 'the login is audited');
  });

  it('follows role changes at the provider at the next login, and never lands on a local account of the same name', async () => {
    await platform.repos.users.create({ username: 'carol', roles: ['admin'], passwordHash: await hashPassword('local-password-of-carol') });
    idp.addUser({ username: 'carol', roles: [externalRole('support_l1')] });
    const first = await signIn('carol');
    const me1 = await call<{ id: string; roles: string[] }>(platform, 'GET', '/auth/me', { headers: { cookie: `ov2x_session=${first.session}` } });
    assert.deepEqual(me1.body.roles, ['support_l1'], 'the provider user did not inherit the local admin');
    idp.addUser({ username: 'carol', roles: [externalRole('support_l2')] });
    const second = await signIn('carol');
    const me2 = await call<{ id: string; roles: string[] }>(platform, 'GET', '/auth/me', { headers: { cookie: `ov2x_session=${second.session}` } });
    assert.equal(me2.body.id, me1.body.id, 'the same account');
    assert.deepEqual(me2.body.roles, ['support_l2']);
  });

  it('refuses, without taking it over, a local account that carries the name reserved for a provider user', async () => {
    const reserved = `oidc-${createHash('sha256').update(`oidc:${idp.issuer}#dave`).digest('hex').slice(0, 32)}`;
    const local = await platform.repos.users.create({ username: reserved, roles: ['support_l1'], passwordHash: await hashPassword('local-password-of-dave') });
    idp.addUser({ username: 'dave', roles: [externalRole('admin')], mfa: true });
    const { callback, binding } = await throughProvider('dave');
    const res = await back(callback, binding);
    assert.equal(res.status, 409);
    assert.equal(((await res.json()) as { code: string }).code, 'account_conflict');
    const after = await platform.repos.users.byId(local.id);
    assert.deepEqual([after?.source, after?.roles], ['local', ['support_l1']]);
  });

  it('refuses a provider user the platform has disabled', async () => {
    const { session } = await signIn('alice');
    const me = await call<{ name: string }>(platform, 'GET', '/auth/me', { headers: { cookie: `ov2x_session=${session}` } });
    const user = (await platform.repos.users.byUsername(me.body.name))!;
    await platform.repos.users.update(user.id, { disabled: true });
    const { callback, binding } = await throughProvider('alice');
    const res = await back(callback, binding);
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { code: string }).code, 'account_disabled');
    await platform.repos.users.update(user.id, { disabled: false });
  });

  it('documents both routes in the OpenAPI document as public', async () => {
    const doc = await call<{ paths: Record<string, { get?: { security?: unknown } }> }>(platform, 'GET', '/openapi.json');
    for (const path of ['/api/v1/auth/oidc/login', '/api/v1/auth/oidc/callback']) {
      assert.ok(doc.body.paths[path]?.get, path);
      assert.equal(doc.body.paths[path]!.get!.security, undefined, `${path} needs no credential`);
    }
  });

  it('reports a login the provider refused', async () => {
    const { callback, binding } = await throughProvider('mallory');
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    const res = await back(callback, binding);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { code: string }).code, 'oidc_login_failed');
  });
});
