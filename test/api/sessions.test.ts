import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tokenHash } from '../../src/domain/identity/secrets.js';
import { call } from '../helpers/api.js';
import { localUser, login } from '../helpers/accounts.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const IDLE_S = 900;
const MAX_S = 8 * 3600;

/**
 * Session expiry and CSRF over the real API. Instead of sleeping for minutes, the stored
 * last-use and expiry times are moved into the past: the server sees the same state as after waiting.
 */
describe('API sessions: idle and absolute expiry, CSRF for cookie sessions', () => {
  let platform: TestPlatform;
  before(async () => {
    platform = await startTestPlatform({ sessionIdle: IDLE_S, sessionMax: MAX_S });
  });
  after(() => platform.stop());

  const signIn = async () => {
    const u = await localUser(platform, ['support_l1']);
    const l = await login(platform, u.username, u.password);
    assert.equal(l.status, 200);
    return l;
  };
  const session = (token: string) => platform.store.db.selectFrom('apiSessions').selectAll().where('id', '=', tokenHash(token)).executeTakeFirstOrThrow();
  const setSession = (token: string, set: { lastSeenAt?: Date; expiresAt?: Date }) =>
    platform.store.db.updateTable('apiSessions').set(set).where('id', '=', tokenHash(token)).execute();
  const ago = (s: number) => new Date(Date.now() - s * 1000);

  it('a session used within the idle time lives on, and the use is recorded', async () => {
    const { body: { token } } = await signIn();
    await setSession(token, { lastSeenAt: ago(IDLE_S - 60) });
    assert.equal((await call(platform, 'GET', '/auth/me', { token })).status, 200);
    assert.ok((await session(token)).lastSeenAt.getTime() > Date.now() - 10_000, 'last use moved to now');
    await setSession(token, { lastSeenAt: ago(IDLE_S - 60) });
    assert.equal((await call(platform, 'GET', '/auth/me', { token })).status, 200, 'still alive after another idle-time-minus-a-minute');
  });

  it('a session unused for the idle time ends for good', async () => {
    const { body: { token } } = await signIn();
    await setSession(token, { lastSeenAt: ago(IDLE_S + 1) });
    const r = await call(platform, 'GET', '/auth/me', { token });
    assert.equal(r.status, 401);
    assert.equal(r.body.code, 'unauthenticated');
    assert.ok((await session(token)).revokedAt, 'revoked, not only refused');
    await setSession(token, { lastSeenAt: new Date() });
    assert.equal((await call(platform, 'GET', '/auth/me', { token })).status, 401, 'does not come back');
  });

  it('every session ends at the absolute limit after login, however active', async () => {
    const before = Date.now();
    const l = await signIn();
    const expires = new Date(l.body.expiresAt).getTime();
    assert.ok(expires >= before + MAX_S * 1000 && expires <= Date.now() + MAX_S * 1000, 'expiresAt is login + the absolute limit');
    const { token } = l.body;
    // busy right up to the end
    await setSession(token, { lastSeenAt: new Date(), expiresAt: new Date(Date.now() + 2000) });
    assert.equal((await call(platform, 'GET', '/auth/me', { token })).status, 200);
    await setSession(token, { lastSeenAt: new Date(), expiresAt: ago(1) });
    assert.equal((await call(platform, 'GET', '/auth/me', { token })).status, 401);
  });

  it('a cookie session needs the x-csrf-token for unsafe methods; a bearer token does not', async () => {
    const l = await signIn();
    const setCookie = l.headers.get('set-cookie') ?? '';
    const m = /ov2x_session=([^;]+)/.exec(setCookie);
    assert.ok(m, setCookie);
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /Secure/i);
    assert.match(setCookie, /SameSite=Strict/i);
    const cookie = `ov2x_session=${m[1]}`;

    assert.equal((await call(platform, 'GET', '/auth/me', { headers: { cookie } })).status, 200, 'safe methods need no CSRF token');
    const none = await call(platform, 'POST', '/auth/logout', { headers: { cookie } });
    assert.equal(none.status, 403);
    assert.equal(none.body.code, 'csrf_failed');
    const wrong = await call(platform, 'POST', '/auth/logout', { headers: { cookie, 'x-csrf-token': `${l.body.csrfToken}x` } });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body.code, 'csrf_failed');
    const other = await signIn();
    const foreign = await call(platform, 'POST', '/auth/logout', { headers: { cookie, 'x-csrf-token': other.body.csrfToken } });
    assert.equal(foreign.status, 403, 'the CSRF token of another session does not do');
    assert.equal((await call(platform, 'GET', '/auth/me', { headers: { cookie } })).status, 200, 'refused calls changed nothing');

    const ok = await call(platform, 'POST', '/auth/logout', { headers: { cookie, 'x-csrf-token': l.body.csrfToken } });
    assert.equal(ok.status, 204);
    assert.equal((await call(platform, 'GET', '/auth/me', { headers: { cookie } })).status, 401);

    // scripts with the bearer token: no CSRF header, nothing the browser would send on its own
    assert.equal((await call(platform, 'POST', '/auth/logout', { token: other.body.token })).status, 204);
  });
});
