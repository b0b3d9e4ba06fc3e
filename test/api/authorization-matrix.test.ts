// Calls every route of /api/v1 with every role (and with no, an unknown and an expired
// credential) and checks the answer against the permission matrix in
// src/domain/identity/roles.ts: the matrix is the data, this test is its proof.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { can, type Principal } from '../../src/domain/identity/principal.js';
import { roles, type Role } from '../../src/domain/identity/roles.js';
import type { ApiRoute } from '../../src/api/plugin.js';
import { apiUser, type ApiUser } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { startTestProvider, type TestProvider } from '../helpers/oidc-provider.js';

let p: TestPlatform;
// a real OpenID provider the platform trusts, and a second one it does not
let idp: TestProvider;
let foreign: TestProvider;
const users = new Map<Role, ApiUser>();
let stations = 0;

before(async () => {
  idp = await startTestProvider();
  foreign = await startTestProvider();
  p = await startTestPlatform(idp.platformConfig());
  await p.services.identity.stationGroups.create('g1', 'Site 1');
  await p.services.identity.stationGroups.create('g2', 'Site 2');
  for (const role of roles) users.set(role, await apiUser(p, [role]));
});
after(async () => {
  await p?.stop();
  await idp?.stop();
  await foreign?.stop();
});

/** A fresh station in g1 for each call, so a permitted DELETE cannot change what the next call sees. */
async function urlFor(route: ApiRoute): Promise<string> {
  let url = route.url.replace(/^\/api\/v1/, '');
  if (url.includes(':stationId')) {
    const id = `MATRIX-${++stations}`;
    await p.services.stations.register(id);
    await p.services.identity.stationGroups.assign(id, 'g1');
    url = url.replace(':stationId', id);
  }
  return url.replace(/:[A-Za-z]+/g, '1');
}

/** One request; a stream (SSE) is cut as soon as its head arrived. */
async function status(method: string, url: string, headers: Record<string, string>): Promise<{ status: number; code?: string }> {
  const hasBody = !['GET', 'HEAD', 'DELETE'].includes(method);
  const res = await fetch(`${p.httpUrl}/api/v1${url}`, {
    method, headers: { ...headers, ...(hasBody && { 'content-type': 'application/json' }) }, body: hasBody ? '{}' : undefined, redirect: 'manual',
  });
  if (res.headers.get('content-type')?.includes('text/event-stream')) {
    await res.body?.cancel();
    return { status: res.status };
  }
  const text = await res.text();
  let code: string | undefined;
  try { code = (JSON.parse(text) as { code?: string }).code; } catch { /* not JSON */ }
  return { status: res.status, code };
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
const sessionOf = async (u: ApiUser): Promise<string> => (await p.services.identity.sessions.create(u.userId, { mfaPassed: true })).token;
const principalOf = (role: Role): Principal => ({ kind: 'user', id: role, name: role, roles: [role], groups: null, pending: [] });

test('the API has routes and each names its permission', () => {
  assert.ok(p.apiRoutes.length >= 10, `only ${p.apiRoutes.length} routes`);
  for (const r of p.apiRoutes) assert.ok(r.permission, `${r.method} ${r.url}`);
});

test('every route with every role answers as the permission matrix says', async () => {
  const failures: string[] = [];
  for (const route of p.apiRoutes) {
    for (const role of roles) {
      const url = await urlFor(route);
      // a fresh session per call: logout or a password change must not disturb the next one
      const got = await status(route.method, url, bearer(await sessionOf(users.get(role)!)));
      const allowed = route.permission === 'public' || route.permission === 'authenticated' || can(principalOf(role), route.permission);
      const denied = got.status === 403 && got.code === 'forbidden';
      if (allowed ? got.status === 401 || got.status === 403 : !denied) {
        failures.push(`${route.method} ${route.url} as ${role}: ${got.status} ${got.code ?? ''} (expected ${allowed ? 'allowed' : '403 forbidden'})`);
      }
    }
  }
  assert.deepEqual(failures, []);
});

test('every non-public route refuses a missing, unknown, malformed or expired credential, a foreign issuer\'s and a wrong-audience token with 401', async () => {
  const expiredJwt = await idp.tokenFor(['admin'], { ttlS: 1 });
  const jwts = { foreignIssuer: await foreign.tokenFor(['admin']), wrongAudience: await idp.tokenFor(['admin'], { audience: 'urn:other' }) };
  // the trusted provider's own token works, so the refusals above are about issuer and audience
  assert.equal((await status('GET', '/auth/me', bearer(await idp.tokenFor(['admin'])))).status, 200);
  const expired = await apiUser(p, ['admin']);
  while (Date.now() < JSON.parse(Buffer.from(expiredJwt.split('.')[1]!, 'base64url').toString()).exp * 1000 + 50) await new Promise((r) => setTimeout(r, 100));
  const { sessions } = p.services.identity;
  const resolved = await sessions.resolve(expired.token);
  await sessions.revoke(resolved!.session.id);
  const failures: string[] = [];
  for (const route of p.apiRoutes.filter((r) => r.permission !== 'public')) {
    const url = await urlFor(route);
    for (const [what, headers] of Object.entries<Record<string, string>>({
      none: {}, unknown: bearer('ov2xs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), malformed: { authorization: 'Basic YWRtaW46MTIzNA==' },
      expired: bearer(expired.token), cookieUnknown: { cookie: 'ov2x_session=ov2xs_nope' },
      foreignIssuer: bearer(jwts.foreignIssuer), wrongAudience: bearer(jwts.wrongAudience), expiredJwt: bearer(expiredJwt),
      unknownApiKey: bearer('ov2xk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
    })) {
      const got = await status(route.method, url, headers);
      if (got.status !== 401) failures.push(`${route.method} ${route.url} with ${what} credential: ${got.status}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('a station outside the caller\'s groups is not found, inside it is', async () => {
  const inG2 = await apiUser(p, ['cpo_manager'], { groups: ['g2'] });
  const inG1 = await apiUser(p, ['cpo_manager'], { groups: ['g1'] });
  const failures: string[] = [];
  for (const route of p.apiRoutes.filter((r) => r.url.includes(':stationId') && r.permission !== 'public')) {
    const outside = await status(route.method, await urlFor(route), bearer(await sessionOf(inG2)));
    if (outside.status !== 404 && !(outside.status === 403 && outside.code === 'forbidden')) failures.push(`${route.method} ${route.url} out of scope: ${outside.status}`);
    const inside = await status(route.method, await urlFor(route), bearer(await sessionOf(inG1)));
    if (inside.status === 404 && inside.code === 'not_found' && route.method === 'GET') failures.push(`${route.method} ${route.url} in scope: 404`);
  }
  assert.deepEqual(failures, []);
});

test('a user with pending sign-in steps reaches only the onboarding routes', async () => {
  const fresh = await apiUser(p, ['cpo_manager']);
  await p.repos.users.update(fresh.userId, { mustChangePassword: true });
  const failures: string[] = [];
  for (const route of p.apiRoutes.filter((r) => r.permission !== 'public')) {
    const got = await status(route.method, await urlFor(route), bearer(await sessionOf(fresh)));
    const held = got.status === 403 && got.code === 'onboarding_required';
    if (route.onboarding === held) failures.push(`${route.method} ${route.url}: ${got.status} ${got.code ?? ''}`);
  }
  assert.deepEqual(failures, []);
});
