import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { postJson } from '../../src/domain/webhooks/post.js';
import { signatureHeader, verifySignature } from '../../src/domain/webhooks/signature.js';
import { guardedLookup, isPrivateAddress } from '../../src/domain/webhooks/target-guard.js';

describe('webhook target guard (SSRF) and signatures', () => {
  it('classifies addresses: private, loopback, link-local, mapped and unspecified are private; public ones are not', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fd12::1', '::ffff:10.0.0.1', 'not-an-ip']) {
      assert.equal(isPrivateAddress(a), true, a);
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8']) assert.equal(isPrivateAddress(a), false, a);
  });

  it('refuses, where the socket connects, a host name that resolves to loopback', async () => {
    const refused = await new Promise<NodeJS.ErrnoException | null>((resolve) => guardedLookup(false)('localhost', {}, (err) => resolve(err)));
    assert.equal(refused?.code, 'EPRIVATETARGET');
    const allowed = await new Promise<string>((resolve, reject) => guardedLookup(true)('localhost', {}, (err, address) => (err ? reject(err) : resolve(address as string))));
    assert.ok(isPrivateAddress(allowed));
  });

  it('does not post to a loopback receiver unless private targets are allowed, and never follows a redirect', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const refused = await postJson(url, '{}', {}, { timeoutMs: 2000, allowPrivate: false });
      assert.equal(refused.status, null);
      assert.match(refused.error ?? '', /private/);
      assert.equal(hits, 0);
      const redirected = await postJson(url, '{}', {}, { timeoutMs: 2000, allowPrivate: true });
      assert.equal(redirected.status, 302);
      assert.equal(hits, 1);
    } finally {
      server.close();
    }
  });

  it('signs time and body together: a changed body, time or key fails, an old timestamp fails', () => {
    const now = Math.floor(Date.now() / 1000);
    const h = signatureHeader('k1-secret', '{"a":1}', now);
    assert.equal(verifySignature('k1-secret', '{"a":1}', h), true);
    assert.equal(verifySignature('k1-secret', '{"a":2}', h), false);
    assert.equal(verifySignature('k2-secret', '{"a":1}', h), false);
    assert.equal(verifySignature('k1-secret', '{"a":1}', h.replace(`t=${now}`, `t=${now + 1}`)), false);
    assert.equal(verifySignature('k1-secret', '{"a":1}', signatureHeader('k1-secret', '{"a":1}', now - 3600)), false);
    assert.equal(verifySignature('k1-secret', '{"a":1}', 'garbage'), false);
  });
});
