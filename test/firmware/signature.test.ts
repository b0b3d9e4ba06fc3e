// Firmware signature checks (OP8) without a platform: what verifies and, with its reason, what does not.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { parseTrustAnchors, verifyImageSignature, verifySigningCertificate } from '../../src/domain/firmware/signature.js';
import { firmwareVendor, type FirmwareVendor } from '../helpers/firmware-signer.js';

describe('firmware signature verification', () => {
  let vendor: FirmwareVendor;
  let other: FirmwareVendor;
  let anchors: X509Certificate[];
  const image = Buffer.from('firmware image 1.2.3 '.repeat(1000));

  before(async () => {
    vendor = await firmwareVendor('Acme');
    other = await firmwareVendor('Mallory');
    anchors = parseTrustAnchors(vendor.caPem);
  });

  it('accepts a DER (OpenSSL) and a raw r||s (WebCrypto) ECDSA signature from a trusted signer', () => {
    assert.equal(verifySigningCertificate(vendor.certPem, anchors).ok, true);
    assert.equal(verifyImageSignature(image, vendor.sign(image, 'der'), vendor.certPem).ok, true);
    assert.equal(verifyImageSignature(image, vendor.sign(image, 'ieee-p1363'), vendor.certPem).ok, true);
  });

  it('accepts an RSA (PKCS#1 v1.5, SHA-256) signature and refuses it over other bytes', async () => {
    const r = await firmwareVendor('Rsa Vendor', { signer: 'rsa' });
    assert.equal(verifySigningCertificate(r.certPem, parseTrustAnchors(r.caPem)).ok, true);
    const sig = r.sign(image);
    assert.equal(verifyImageSignature(image, sig, r.certPem).ok, true);
    const v = verifyImageSignature(Buffer.concat([image, Buffer.of(0)]), sig, r.certPem);
    assert.equal(!v.ok && v.reason, 'InvalidSignature');
  });

  it('refuses a tampered image', () => {
    const sig = vendor.sign(image);
    const tampered = Buffer.from(image);
    tampered[100] = tampered[100]! ^ 1;
    const v = verifyImageSignature(tampered, sig, vendor.certPem);
    assert.equal(v.ok, false);
    assert.equal(!v.ok && v.reason, 'InvalidSignature');
  });

  it('refuses a signature made with another key than the certificate\'s', () => {
    const v = verifyImageSignature(image, other.sign(image), vendor.certPem);
    assert.equal(!v.ok && v.reason, 'InvalidSignature');
  });

  it('refuses a certificate that does not chain to an anchor, even with its own CA attached', () => {
    const v = verifySigningCertificate(other.certPem, anchors);
    assert.equal(!v.ok && v.reason, 'UntrustedCertificate');
  });

  it('refuses everything when no anchor is configured, saying so', () => {
    const v = verifySigningCertificate(vendor.certPem, []);
    assert.equal(!v.ok && v.reason, 'NoTrustAnchor');
    assert.match(!v.ok ? v.message : '', /OV2X_FIRMWARE_TRUST_PEM/);
  });

  it('refuses an expired signing certificate and garbage', async () => {
    const old = await firmwareVendor('Acme', { notBefore: new Date(Date.now() - 20 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
    const v = verifySigningCertificate(old.certPem, parseTrustAnchors(old.caPem));
    assert.equal(!v.ok && v.reason, 'CertificateExpired');
    const g = verifySigningCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', anchors);
    assert.equal(!g.ok && g.reason, 'MalformedCertificate');
    const s = verifyImageSignature(image, 'not base64!', vendor.certPem);
    assert.equal(!s.ok && s.reason, 'MalformedSignature');
    assert.throws(() => parseTrustAnchors('no certificates here'), /no PEM certificate/);
  });
});
