import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

// The test client is 127.0.0.1: one platform trusts it as a TLS-terminating proxy, one does not.
let trusting: TestPlatform;
let plain: TestPlatform;
before(async () => {
  trusting = await startTestPlatform({ trustedProxies: '127.0.0.1' });
  plain = await startTestPlatform();
});
after(async () => { await trusting.stop(); await plain.stop(); });

const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' };

test('behind a trusted proxy that terminated TLS, answers carry HSTS and the audit sees the client address', async () => {
  const res = await fetch(`${trusting.httpUrl}/health`, { headers: forwarded });
  assert.match(res.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
  await fetch(`${trusting.httpUrl}/api/v1/auth/login`, { method: 'POST', headers: { ...forwarded, 'content-type': 'application/json' }, body: JSON.stringify({ username: 'someone', password: 'not-the-password' }) });
  const [rec] = await trusting.services.identity.audit.list({ limit: 1, offset: 0, action: 'auth.login' });
  assert.equal(rec?.sourceIp, '203.0.113.7');
});

test('the same headers from an untrusted address change nothing', async () => {
  const res = await fetch(`${plain.httpUrl}/health`, { headers: forwarded });
  assert.equal(res.headers.get('strict-transport-security'), null);
  await fetch(`${plain.httpUrl}/api/v1/auth/login`, { method: 'POST', headers: { ...forwarded, 'content-type': 'application/json' }, body: JSON.stringify({ username: 'someone', password: 'not-the-password' }) });
  const [rec] = await plain.services.identity.audit.list({ limit: 1, offset: 0, action: 'auth.login' });
  assert.equal(rec?.sourceIp, '127.0.0.1');
});
