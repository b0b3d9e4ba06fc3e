// The platform's OCSP responder (RFC 6960) at /pki/ocsp over a real HTTP socket, answering for
// the local ISO 15118 test PKI: good / revoked / unknown / malformed / unauthorized, nonce echo,
// the GET form, a delegated signer, and OpenSSL as an independent client.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { certificateHashData, pemBlocks } from '../../src/domain/certificates/x509.js';
import { buildOcspRequest, CrlReason } from '../../src/domain/pki/ocsp.js';
import { loadServerSecret } from '../../src/config/secret.js';
import { openKey, sealer as keySealer } from '../../src/domain/crypto/sealed.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { parseOcspResponse } from '../helpers/ocsp.js';
import { rootCertificate } from '../helpers/test-signer.js';

const run = promisify(execFile);
const alg = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const newKey = async () => (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])).publicKey;

describe('OCSP responder /pki/ocsp (RFC 6960)', () => {
  let p: TestPlatform;
  let good: { chain: string; serialNumber: string };
  let revoked: { chain: string; serialNumber: string };
  let url: string;
  const revokedAt = new Date('2026-11-01T10:00:00Z');
  const post = async (body: Uint8Array, type = 'application/ocsp-request') => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
    return { res, body: Buffer.from(await res.arrayBuffer()) };
  };

  before(async () => {
    p = await startTestPlatform();
    url = `${p.httpUrl}/pki/ocsp`;
    good = await p.services.iso15118Pki.issue('contract', 'DEOV2XC00000001', await newKey());
    revoked = await p.services.iso15118Pki.issue('secc', 'CS-OCSP-1', await newKey());
    assert.equal(await p.services.iso15118Pki.revoke('secc', revoked.serialNumber, CrlReason.keyCompromise, revokedAt), true);
  });
  after(() => p.stop());

  it('answers good for an issued certificate, signed by a delegated OCSP signer of the issuing CA, echoing the nonce', async () => {
    const nonce = Buffer.from('0123456789abcdef');
    const { res, body } = await post(buildOcspRequest(certificateHashData(good.chain), nonce));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/ocsp-response');
    const r = parseOcspResponse(body);
    assert.equal(r.responseStatus, 0);
    assert.equal(r.signatureValid, true);
    assert.deepEqual(r.responses.map((s) => [s.serialNumber, s.status]), [[good.serialNumber, 'good']]);
    assert.ok(r.responses[0]!.nextUpdate! > r.responses[0]!.thisUpdate);
    // the nonce extension's value as sent: an OCTET STRING holding the nonce
    assert.deepEqual(r.nonce, Buffer.concat([Buffer.of(4, nonce.length), nonce]));
    const issuer = new X509Certificate(pemBlocks(good.chain)[1]!);
    assert.ok(r.signer!.checkIssued(issuer) && r.signer!.verify(issuer.publicKey), 'the signer is issued by the CA of the certificate');
    assert.deepEqual(r.signer!.keyUsage, ['1.3.6.1.5.5.7.3.9']);
  });

  it('answers revoked with the revocation time and reason', async () => {
    const r = parseOcspResponse((await post(buildOcspRequest(certificateHashData(revoked.chain)))).body);
    assert.equal(r.signatureValid, true);
    assert.deepEqual(r.responses.map((s) => [s.status, s.revocationTime?.toISOString(), s.revocationReason]), [['revoked', revokedAt.toISOString(), CrlReason.keyCompromise]]);
    assert.equal(r.nonce, undefined);
  });

  it('answers unknown for a serial its CA never issued', async () => {
    const ref = { ...certificateHashData(good.chain), serialNumber: '7f01020304' };
    const r = parseOcspResponse((await post(buildOcspRequest(ref))).body);
    assert.equal(r.signatureValid, true);
    assert.deepEqual(r.responses.map((s) => [s.serialNumber, s.status]), [['7f01020304', 'unknown']]);
  });

  it('answers unauthorized for an issuer it does not speak for', async () => {
    const foreign = await rootCertificate('Someone else');
    const r = parseOcspResponse((await post(buildOcspRequest(certificateHashData(foreign)))).body);
    assert.deepEqual([r.responseStatus, r.responses], [6, []]);
  });

  it('answers malformedRequest to bytes that are not an OCSP request, and keeps serving', async () => {
    for (const junk of [Buffer.from('hello'), Buffer.of(0x30, 0x82, 0xff), Buffer.of(0x30, 0x03, 0x30, 0x01, 0x30), Buffer.alloc(0)]) {
      const { res, body } = await post(junk);
      assert.equal(res.status, 200);
      assert.deepEqual(parseOcspResponse(body), { responseStatus: 1, responses: [] });
    }
    const get = await fetch(`${url}/${encodeURIComponent('not%base64!!')}`);
    assert.equal(parseOcspResponse(Buffer.from(await get.arrayBuffer())).responseStatus, 1);
    assert.equal((await post(Buffer.from('x'), 'text/plain')).res.status, 415);
    assert.equal((await post(Buffer.alloc(20_000))).res.status, 413);
    assert.equal(parseOcspResponse((await post(buildOcspRequest(certificateHashData(good.chain)))).body).responseStatus, 0);
  });

  it('answers the GET form (url-encoded base64 of the DER request)', async () => {
    const req = buildOcspRequest(certificateHashData(revoked.chain)).toString('base64');
    const res = await fetch(`${url}/${encodeURIComponent(req)}`);
    assert.equal(res.status, 200);
    assert.deepEqual(parseOcspResponse(Buffer.from(await res.arrayBuffer())).responses.map((s) => s.status), ['revoked']);
  });

  it('is accepted by OpenSSL as a client (SHA-1 CertID, nonce, responder verification against the MO/V2G roots)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ov2x-ocsp-'));
    try {
      const roots = await p.services.iso15118Pki.roots();
      for (const [name, chain] of [['good', good.chain], ['revoked', revoked.chain]] as const) {
        const [leaf, issuer, ...rest] = pemBlocks(chain);
        writeFileSync(join(dir, `${name}.pem`), leaf!);
        writeFileSync(join(dir, `${name}-issuer.pem`), issuer!);
        writeFileSync(join(dir, `${name}-ca.pem`), [issuer, ...rest, roots.moRoot, roots.v2gRoot].join('\n'));
      }
      const ask = (name: string) => run('openssl', ['ocsp', '-issuer', join(dir, `${name}-issuer.pem`), '-cert', join(dir, `${name}.pem`), '-url', url, '-CAfile', join(dir, `${name}-ca.pem`)]);
      const g = await ask('good');
      assert.match(g.stderr, /Response verify OK/);
      assert.match(g.stdout, /good\.pem: good/);
      const r = await ask('revoked');
      assert.match(r.stderr, /Response verify OK/);
      assert.match(r.stdout, /revoked\.pem: revoked[\s\S]*Reason: keyCompromise/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps every private key of the test PKI sealed: no plaintext key in the database, opening needs the server secret', async () => {
    const rows = await p.store.db.selectFrom('iso15118PkiCertificates').selectAll().execute();
    assert.deepEqual([...new Set(rows.map((r) => r.role))].sort(), ['contract', 'cpoSubCa1', 'cpoSubCa2', 'moRoot', 'moSubCa', 'ocspSigner', 'secc', 'v2gRoot']);
    const withKeys = rows.filter((r) => r.privateKey !== null);
    assert.equal(withKeys.length, 10, 'five CAs and their five OCSP signers');
    assert.ok(rows.filter((r) => r.role === 'contract' || r.role === 'secc').every((r) => r.privateKey === null), 'end-entity keys are not ours');
    const sealer = keySealer(loadServerSecret(p.config), 'iso15118-test-pki-keys');
    const other = keySealer(Buffer.alloc(32, 7), 'iso15118-test-pki-keys');
    for (const r of withKeys) {
      assert.match(r.privateKey!, /^v1(\.[A-Za-z0-9_-]+){3}$/);
      assert.doesNotMatch(r.privateKey!, /PRIVATE KEY/);
      assert.throws(() => createPrivateKey({ key: Buffer.from(r.privateKey!.split('.')[3]!, 'base64url'), format: 'der', type: 'pkcs8' }));
      assert.throws(() => other.open(r.privateKey!, r.serialNumber), /cannot be opened/);
      assert.throws(() => sealer.open(r.privateKey!, 'another serial'), /cannot be opened/);
      const key = openKey(sealer, r.privateKey!, r.serialNumber);
      const pub = new X509Certificate(r.certificate).publicKey.export({ format: 'jwk' });
      assert.equal(key.export({ format: 'jwk' }).x, pub.x, `the sealed key belongs to ${r.role}`);
    }
  });
});
