// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { createHash, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { CertificateHashData } from '../../store/schema.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };

/** Why a PEM could not be used; the message is safe to show to an operator or a station. */
export class CertificateError extends Error {}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/** The PEM blocks of a chain, in order (leaf first, as OCPP sends chains). */
export function pemBlocks(pem: string, label = 'CERTIFICATE'): string[] {
  return [...pem.matchAll(PEM_BLOCK)].filter((m) => m[1] === label).map((m) => m[0]);
}

function parseCertificate(pem: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(pem);
  } catch {
    throw new CertificateError('not a PEM X.509 certificate');
  }
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The contents of a key's subjectPublicKey BIT STRING, which an OCSP issuerKeyHash hashes. */
function subjectPublicKeyBits(spki: Buffer): Buffer {
  const key: KeyObject = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  let bits: Buffer | undefined;
  if (key.asymmetricKeyType === 'rsa') bits = key.export({ type: 'pkcs1', format: 'der' });
  else {
    const jwk = key.export({ format: 'jwk' });
    if (key.asymmetricKeyType === 'ec' && jwk.x && jwk.y) bits = Buffer.concat([Buffer.of(4), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
    else if (jwk.x) bits = Buffer.from(jwk.x, 'base64url');
  }
  // the BIT STRING closes the SubjectPublicKeyInfo: anything else (e.g. a compressed point) is refused, not guessed
  if (!bits || !spki.subarray(spki.length - bits.length).equals(bits)) throw new CertificateError(`unsupported public key (${key.asymmetricKeyType ?? 'unknown'})`);
  return bits;
}

/**
 * OCPP certificateHashData (SHA256) of the first certificate of a PEM: the hashes of its
 * issuer's DER name and of its issuer's public key (the subjectPublicKey bits, as in an OCSP
 * CertID) and its serial number. The issuer is `issuerPem`, else the next certificate of the
 * chain, else the certificate itself when it is self-signed (a root). Synchronous, so the
 * simulator can answer with it too.
 */
export function certificateHashData(pem: string, issuerPem?: string): CertificateHashData {
  const blocks = pemBlocks(pem);
  if (blocks.length === 0) throw new CertificateError('no PEM certificate found');
  const cert = parseCertificate(blocks[0]!);
  const issuerBlock = issuerPem ?? blocks[1];
  let issuer: x509.X509Certificate;
  if (issuerBlock) issuer = parseCertificate(issuerBlock);
  else if (cert.issuer === cert.subject) issuer = cert;
  else throw new CertificateError('the issuer certificate is needed to compute the issuer key hash');
  return {
    hashAlgorithm: 'SHA256',
    issuerNameHash: sha256(new Uint8Array(cert.issuerName.toArrayBuffer())),
    issuerKeyHash: sha256(subjectPublicKeyBits(Buffer.from(issuer.publicKey.rawData))),
    // OCPP 2.0.1 asks for the serial without leading zeroes
    serialNumber: cert.serialNumber.replace(/^0+(?=.)/, '').toLowerCase(),
  };
}

/** True when the PEM holds at least one certificate and every certificate in it parses. */
export function isCertificateChain(pem: string): boolean {
  const blocks = pemBlocks(pem);
  if (blocks.length === 0) return false;
  try {
    for (const b of blocks) parseCertificate(b);
    return true;
  } catch {
    return false;
  }
}

export interface CsrSubject {
  commonName?: string;
  organization?: string;
}

/** Parses a PEM PKCS#10 request and verifies its self-signature; throws CertificateError. */
export async function verifiedCsr(pem: string): Promise<{ csr: x509.Pkcs10CertificateRequest; subject: CsrSubject }> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem.trim());
  } catch {
    throw new CertificateError('the CSR is not a PEM PKCS#10 certificate request');
  }
  // an unsupported key algorithm throws rather than answering false
  const valid = await csr.verify().catch(() => false);
  if (!valid) throw new CertificateError('the CSR signature does not verify');
  const first = (field: string) => csr.subjectName.getField(field)[0];
  return { csr, subject: { commonName: first('CN'), organization: first('O') } };
}
