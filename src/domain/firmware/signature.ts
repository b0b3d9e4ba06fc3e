import { createVerify, X509Certificate } from 'node:crypto';
import { pemBlocks } from '../certificates/x509.js';

/** Why an image is refused at upload; stable codes for the API, the CLI and the security log. */
export type FirmwareRefusal =
  | 'NoTrustAnchor' | 'MalformedCertificate' | 'UntrustedCertificate' | 'CertificateExpired'
  | 'CertificateNotYetValid' | 'NotForCodeSigning' | 'MalformedSignature' | 'InvalidSignature';

export type FirmwareVerdict =
  | { ok: true; subject: string; serial: string; fingerprint256: string }
  | { ok: false; reason: FirmwareRefusal; message: string; subject?: string };

const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const ANY_EKU = '2.5.29.37.0';
/** vendor root → sub-CA → sub-CA → signer at most */
const MAX_DEPTH = 4;

const issuedBy = (c: X509Certificate, issuer: X509Certificate): boolean => c.checkIssued(issuer) && c.verify(issuer.publicKey);
const refuse = (reason: FirmwareRefusal, message: string, subject?: string): FirmwareVerdict => ({ ok: false, reason, message, ...(subject && { subject }) });

/** Trust anchors from a PEM bundle; throws when the bundle holds no certificate at all. */
export function parseTrustAnchors(pem: string): X509Certificate[] {
  const anchors = pemBlocks(pem).map((b) => new X509Certificate(b));
  if (!anchors.length) throw new RangeError('the firmware trust bundle holds no PEM certificate');
  return anchors;
}

/**
 * The signing certificate (leaf first, optional sub-CAs after it, as OCPP carries it) must chain
 * to a configured vendor anchor with every link within its validity, and may not be restricted
 * to purposes other than code signing. The image is only as trustworthy as this chain: a
 * signature checked against a certificate the uploader chose proves nothing by itself.
 */
export function verifySigningCertificate(pem: string, anchors: readonly X509Certificate[], now = new Date()): FirmwareVerdict {
  if (!anchors.length) return refuse('NoTrustAnchor', 'no firmware-signing trust anchor is configured (OV2X_FIRMWARE_TRUST_PEM): signed images cannot be verified, so none is accepted');
  let chain: X509Certificate[];
  try {
    chain = pemBlocks(pem).map((b) => new X509Certificate(b));
  } catch {
    return refuse('MalformedCertificate', 'the signing certificate is not a PEM X.509 certificate');
  }
  const leaf = chain[0];
  if (!leaf) return refuse('MalformedCertificate', 'the signing certificate is not a PEM X.509 certificate');
  const subject = leaf.subject.replace(/\n/g, ', ');
  const path: X509Certificate[] = [leaf];
  // a pinned signer (the anchor itself) is trusted as is
  let anchor = anchors.find((a) => a.fingerprint256 === leaf.fingerprint256);
  for (let current = leaf; !anchor && path.length <= MAX_DEPTH;) {
    anchor = anchors.find((a) => issuedBy(current, a));
    if (anchor) break;
    const next = chain.find((c) => c.ca && !path.includes(c) && issuedBy(current, c));
    if (!next) break;
    path.push(next);
    current = next;
  }
  if (!anchor) return refuse('UntrustedCertificate', 'the signing certificate does not chain to a configured firmware-signing trust anchor', subject);
  for (const c of [...path, anchor]) {
    if (now.getTime() < Date.parse(c.validFrom)) return refuse('CertificateNotYetValid', `certificate ${c.subject.replace(/\n/g, ', ')} is not valid yet`, subject);
    if (now.getTime() > Date.parse(c.validTo)) return refuse('CertificateExpired', `certificate ${c.subject.replace(/\n/g, ', ')} has expired`, subject);
  }
  const eku = leaf.keyUsage;
  if (eku && !eku.includes(CODE_SIGNING) && !eku.includes(ANY_EKU)) return refuse('NotForCodeSigning', 'the signing certificate\'s extended key usage excludes code signing', subject);
  return { ok: true, subject, serial: leaf.serialNumber, fingerprint256: leaf.fingerprint256 };
}

/**
 * The vendor signature as OCPP carries it: base64 of an RSA (PKCS#1 v1.5) or ECDSA signature
 * with SHA-256 over the image. ECDSA signatures are accepted DER-encoded (what OpenSSL writes)
 * and as raw r||s (IEEE P1363, what WebCrypto and some HSMs write).
 */
export function verifyImageSignature(image: Buffer, signatureB64: string, certPem: string): FirmwareVerdict {
  const leafPem = pemBlocks(certPem)[0];
  if (!leafPem) return refuse('MalformedCertificate', 'the signing certificate is not a PEM X.509 certificate');
  const leaf = new X509Certificate(leafPem);
  const subject = leaf.subject.replace(/\n/g, ', ');
  const compact = signatureB64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) return refuse('MalformedSignature', 'the signature is not base64', subject);
  const signature = Buffer.from(compact, 'base64');
  const key = leaf.publicKey;
  const encodings = key.asymmetricKeyType === 'ec' ? (['der', 'ieee-p1363'] as const) : ([undefined] as const);
  for (const dsaEncoding of encodings) {
    try {
      if (createVerify('sha256').update(image).verify(dsaEncoding ? { key, dsaEncoding } : key, signature)) {
        return { ok: true, subject, serial: leaf.serialNumber, fingerprint256: leaf.fingerprint256 };
      }
    } catch { /* a malformed signature for this encoding: try the next */ }
  }
  return refuse('InvalidSignature', 'the signature does not verify over the image with the signing certificate\'s public key (tampered image, or the wrong certificate)', subject);
}
