// The portal's static files as the platform serves them: strict CSP on every page answer, the
// page for client-side routes, and never for the platform's own paths.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { PORTAL_CSP, PORTAL_ROOT } from '../../src/http/portal.js';
import { login } from '../helpers/accounts.js';
import { apiUser, call } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const html = { accept: 'text/html,application/xhtml+xml' };

describe('portal: static serving', () => {
  let p: TestPlatform;
  before(async () => { p = await startTestPlatform(); });
  after(async () => { await p.stop(); });

  const get = (path: string, headers: Record<string, string> = html) => fetch(`${p.httpUrl}${path}`, { headers });

  it('serves the page at / with the strict CSP and the other security headers, never cached stale', async () => {
    const res = await get('/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(res.headers.get('content-security-policy'), PORTAL_CSP);
    assert.match(PORTAL_CSP, /script-src 'self';/);
    assert.doesNotMatch(PORTAL_CSP, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const body = await res.text();
    assert.match(body, /<div id="root"><\/div>/);
    // no inline script or style: every script has a src, no <style>, no style= attribute
    assert.doesNotMatch(body, /<script(?![^>]*\bsrc=)[^>]*>/);
    assert.doesNotMatch(body, /<style|\sstyle=/);
  });

  it('serves the hashed assets with a long cache and the CSP', async () => {
    const js = readdirSync(`${PORTAL_ROOT}assets`).find((f) => f.endsWith('.js'));
    assert.ok(js, 'the build has scripts');
    const res = await get(`/assets/${js}`, {});
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /javascript/);
    assert.match(res.headers.get('cache-control') ?? '', /immutable/);
    assert.equal(res.headers.get('content-security-policy'), PORTAL_CSP);
  });

  it('answers client-side routes with the page (reload, bookmark) when a browser asks for HTML', async () => {
    for (const path of ['/stations', '/stations/CP-1', '/sessions/42?x=1']) {
      const res = await get(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-security-policy'), PORTAL_CSP, path);
      assert.match(await res.text(), /<div id="root">/, path);
    }
  });

  it('never answers the platform\'s own paths, missing assets or non-HTML requests with the page', async () => {
    for (const path of ['/api/v1/nope', '/api/nope', '/metrics/x', '/health/x', '/pki/nope', '/transfers/x', '/assets/missing.js', '/ocpp/x/y']) {
      const res = await get(path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(await res.text(), /<div id="root">/, path);
    }
    const json = await get('/stations', { accept: 'application/json' });
    assert.equal(json.status, 404);
    const post = await fetch(`${p.httpUrl}/stations`, { method: 'POST', headers: html });
    assert.equal(post.status, 404);
    // the platform's own routes keep working beside the portal
    assert.equal((await get('/health', {})).status, 200);
  });

  it('GET /auth/me gives a cookie session its CSRF token and the idle timeout (a reloaded page needs both)', async () => {
    const u = await apiUser(p, ['support_l1']);
    const l = await login(p, u.username, u.password);
    assert.equal(l.status, 200);
    const cookie = (l.headers.get('set-cookie') ?? '').split(';')[0]!;
    const me = await call<{ csrfToken?: string; sessionIdleS: number }>(p, 'GET', '/auth/me', { headers: { cookie } });
    assert.equal(me.status, 200);
    assert.equal(me.body.csrfToken, l.body.csrfToken);
    assert.equal(me.body.sessionIdleS, p.config.sessionIdle);
    assert.equal(me.headers.get('cache-control'), 'no-store');
    // and the token works for an unsafe call with the cookie
    const out = await call(p, 'POST', '/auth/logout', { headers: { cookie, 'x-csrf-token': me.body.csrfToken! } });
    assert.equal(out.status, 204);
  });
});
