import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { call } from '../helpers/api.js';
import { startTestProvider, externalRole, type TestProvider } from '../helpers/oidc-provider.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

/** Bearer access tokens of a real OpenID provider (oidc-provider on a loopback port) against the real API. */
describe('OpenID Connect bearer tokens', () => {
  let idp: TestProvider;
  let foreign: TestProvider;
  let platform: TestPlatform;

  before(async () => {
    idp = await startTestProvider();
    foreign = await startTestProvider();
    platform = await startTestPlatform(idp.platformConfig({ oidcGroupsClaim: 'groups' }));
    await platform.repos.stationGroups.create('site-a', 'Site A');
    await platform.repos.stationGroups.create('site-b', 'Site B');
    for (const [id, group] of [['OIDC-A', 'site-a'], ['OIDC-B', 'site-b']] as const) {
      await platform.addStation(id);
      await platform.repos.stationGroups.assign(id, group);
    }
  });
  after(async () => {
    await platform?.stop();
    await idp?.stop();
    await foreign?.stop();
  });

  const cpo = (extra: Parameters<TestProvider['mint']>[0] = {}): Promise<string> => idp.mint({ roles: [externalRole('cpo_manager')], groups: ['site-a'], ...extra });

  /** a refused token must not be echoed back in any form */
  function assertNoLeak(body: unknown, token: string): void {
    const text = JSON.stringify(body);
    for (const part of token.split('.')) assert.ok(!text.includes(part.slice(0, 16)), 'the answer quotes the token');
  }

  it('accepts a valid token and maps its role: allowed what the role may, refused the rest', async () => {
    const token = await cpo();
    const me = await call<{ kind: string; id: string; roles: string[]; groups: string[]; pending: string[] }>(platform, 'GET', '/auth/me', { token });
    assert.equal(me.status, 200);
    assert.equal(me.body.kind, 'oidc');
    assert.equal(me.body.id, `oidc:${idp.issuer}#ov2x-machine`);
    assert.deepEqual(me.body.roles, ['cpo_manager']);
    assert.deepEqual(me.body.groups, ['site-a']);
    assert.deepEqual(me.body.pending, []);
    assert.equal((await call(platform, 'GET', '/stations', { token })).status, 200);
    const audit = await call(platform, 'GET', '/audit', { token });
    assert.equal(audit.status, 403);
    assert.equal(audit.body.code, 'forbidden');
  });

  it('scopes the token to the station groups of its groups claim', async () => {
    const token = await cpo();
    assert.equal((await call(platform, 'GET', '/stations/OIDC-A', { token })).status, 200);
    assert.equal((await call(platform, 'GET', '/stations/OIDC-B', { token })).status, 404);
    // with a groups claim configured, a token without it is scoped to nothing, not to everything
    const unscoped = await idp.mint({ roles: [externalRole('cpo_manager')] });
    assert.deepEqual((await call(platform, 'GET', '/auth/me', { token: unscoped })).body.groups, []);
    assert.equal((await call(platform, 'GET', '/stations/OIDC-A', { token: unscoped })).status, 404);
  });

  it('refuses a token whose roles map to nothing with 403, ignoring unmapped roles', async () => {
    for (const roles of [['offline_access', 'uma_authorization'], []]) {
      const res = await call(platform, 'GET', '/auth/me', { token: await idp.mint({ roles }) });
      assert.equal(res.status, 403, JSON.stringify(roles));
      assert.equal(res.body.code, 'no_role');
    }
    const mixed = await call<{ roles: string[] }>(platform, 'GET', '/auth/me', { token: await idp.mint({ roles: ['uma_authorization', externalRole('support_l1')] }) });
    assert.deepEqual(mixed.body.roles, ['support_l1']);
  });

  it('grants the admin role only to a token that shows a second factor', async () => {
    const plain = await call(platform, 'GET', '/audit', { token: await idp.mint({ roles: [externalRole('admin')] }) });
    assert.equal(plain.status, 403);
    assert.equal(plain.body.code, 'no_role');
    const downgraded = await call<{ roles: string[] }>(platform, 'GET', '/auth/me', { token: await idp.mint({ roles: [externalRole('admin'), externalRole('support_l1')], amr: ['pwd'] }) });
    assert.deepEqual(downgraded.body.roles, ['support_l1']);
    const mfa = await idp.mint({ roles: [externalRole('admin')], amr: ['pwd', 'otp'] });
    assert.equal((await call(platform, 'GET', '/audit', { token: mfa })).status, 200);
    assert.equal((await call(platform, 'GET', '/stations/OIDC-B', { token: mfa })).status, 404, 'the groups claim still scopes an admin token');
  });

  it('refuses a token from a foreign issuer with 401 invalid_token', async () => {
    const token = await foreign.mint({ roles: [externalRole('cpo_manager')] });
    const res = await call(platform, 'GET', '/stations', { token });
    assert.equal(res.status, 401);
    assert.equal(res.body.code, 'invalid_token');
    assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    assertNoLeak(res.body, token);
  });

  it('refuses a token for another audience with 401', async () => {
    const token = await cpo({ audience: 'urn:other:service' });
    const res = await call(platform, 'GET', '/stations', { token });
    assert.equal(res.status, 401);
    assert.equal(res.body.code, 'invalid_token');
    assert.match(String(res.body.message), /not meant for this API/);
    assertNoLeak(res.body, token);
  });

  it('refuses an expired token with 401', async () => {
    const token = await cpo({ ttlS: 1 });
    assert.equal((await call(platform, 'GET', '/stations', { token })).status, 200);
    const exp = decodeJwt(token).exp!;
    // the platform of this test tolerates no clock skew: wait until the token is past its exp
    while (Date.now() / 1000 <= exp) await new Promise((r) => setTimeout(r, 100));
    const res = await call(platform, 'GET', '/stations', { token });
    assert.equal(res.status, 401);
    assert.equal(res.body.code, 'invalid_token');
    assert.match(String(res.body.message), /expired/);
  });

  it('refuses a token whose signature was tampered with', async () => {
    const [h, p, s] = (await cpo()).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    claims.realm_access = { roles: [externalRole('admin')] };
    claims.amr = ['mfa'];
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    const res = await call(platform, 'GET', '/audit', { token: forged });
    assert.equal(res.status, 401);
    assert.equal(res.body.code, 'invalid_token');
  });

  it('refuses unsigned and HMAC tokens before any key lookup', async () => {
    const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = { iss: idp.issuer, aud: 'urn:ov2x:api', sub: 'x', exp: Math.floor(Date.now() / 1000) + 60, realm_access: { roles: ['ov2x-cpo'] } };
    for (const alg of ['none', 'HS256']) {
      const res = await call(platform, 'GET', '/stations', { token: `${b64({ alg, typ: 'at+jwt' })}.${b64(claims)}.${alg === 'none' ? 'x' : 'c2ln'}` });
      assert.equal(res.status, 401, alg);
      assert.match(String(res.body.message), /algorithm/, alg);
    }
  });

  it('follows a key rotation of the provider without restart', async () => {
    const before = await cpo();
    assert.equal((await call(platform, 'GET', '/stations', { token: before })).status, 200);
    const oldKid = decodeProtectedHeader(before).kid;
    const newKid = await idp.rotateKeys();
    const after = await cpo();
    assert.equal(decodeProtectedHeader(after).kid, newKid);
    assert.notEqual(newKid, oldKid);
    // the platform has the old key set cached; the unknown kid makes it fetch the new one
    assert.equal((await call(platform, 'GET', '/stations', { token: after })).status, 200);
    // the old key is still published, so its tokens stay valid until they expire
    assert.equal((await call(platform, 'GET', '/stations', { token: before })).status, 200);
  });

  it('mints matrix-test tokens for OV2X roles', async () => {
    const me = await call<{ roles: string[] }>(platform, 'GET', '/auth/me', { token: await idp.tokenFor(['admin', 'dso']) });
    assert.deepEqual(me.body.roles, ['admin', 'dso']);
    assert.equal((await call(platform, 'GET', '/auth/me', { token: await foreign.tokenFor(['admin']) })).status, 401);
    assert.equal((await call(platform, 'GET', '/auth/me', { token: await idp.tokenFor(['admin'], { audience: 'urn:other' }) })).status, 401);
  });

  it('leaves other bearer credentials to the other authenticators', async () => {
    const res = await call(platform, 'GET', '/stations', { token: 'ov2xs_not-a-session' });
    assert.equal(res.status, 401);
    assert.equal(res.body.code, 'unauthenticated');
    const garbage = await call(platform, 'GET', '/stations', { token: 'a.b.c' });
    assert.equal(garbage.status, 401);
    assert.equal(garbage.body.code, 'invalid_token');
  });
});
