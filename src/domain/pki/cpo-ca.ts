// The CPO root and issuing CA: creation, import checks, certificate and CRL issuance, all with
// @peculiar/x509 over WebCrypto; the CRL number is encoded with asn1js (the library has no
// CRL-number extension class).
import { createHash, createPrivateKey, createPublicKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { CertificateError, pemBlocks, x509 } from '../certificates/x509.js';
import { caAlgorithms, signingParams, type CaAlgorithmName } from './algorithms.js';

const day = 86_400_000;
const ROOT_DAYS = 20 * 365;
const ISSUING_DAYS = 10 * 365;
/** station clocks drift: certificates are valid from a little before they are issued */
const BACKDATE_MS = 5 * 60_000;
/** how long a CRL is current; it is re-signed well before */
export const CRL_LIFETIME_MS = day;

/** The issuing CA, ready to sign. */
export interface LoadedCa {
  rootPem: string;
  /** the issuing CA certificate, then any intermediates above it (not the root) */
  issuingChainPem: string;
  issuing: x509.X509Certificate;
  signingKey: webcrypto.CryptoKey;
  signingAlgorithm: webcrypto.Algorithm | webcrypto.EcdsaParams;
}

/** 126 random bits from the CSPRNG, positive and without a leading zero byte (RFC 5280 §4.1.2.2). */
export function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x3f) | 0x40;
  return b.toString('hex');
}

/** Serial numbers as OCPP and the registry write them: lower-case hex without leading zeros. */
export const normalizeSerial = (hex: string): string => hex.toLowerCase().replace(/^0+(?=.)/, '');

export const fingerprintOf = (cert: x509.X509Certificate): string => createHash('sha256').update(new Uint8Array(cert.rawData)).digest('hex');

const pkcs8Of = async (key: webcrypto.CryptoKey): Promise<Buffer> => Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));

/** A new root and issuing CA; the private keys come back as PKCS#8 DER for the key vault. */
export async function createHierarchy(o: { algorithm: CaAlgorithmName; organization: string }): Promise<{ rootPem: string; rootKey: Buffer; issuingPem: string; issuingKey: Buffer }> {
  const alg = caAlgorithms[o.algorithm];
  const gen = () => webcrypto.subtle.generateKey(alg.generate as webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>;
  const signingAlgorithm = { ...alg.sign, ...alg.generate } as unknown as webcrypto.Algorithm;
  const [rootKeys, issuingKeys] = [await gen(), await gen()];
  const now = Date.now();
  const caUsage = new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true);
  const dn = (cn: string): x509.JsonName => [{ CN: [cn] }, { O: [o.organization] }];
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(), name: dn(`${o.organization} CPO Root CA`), keys: rootKeys, signingAlgorithm,
    notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + ROOT_DAYS * day),
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), caUsage, await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey)],
  });
  const issuing = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(), subject: dn(`${o.organization} CPO Sub-CA`), issuer: root.subjectName, publicKey: issuingKeys.publicKey,
    signingKey: rootKeys.privateKey, signingAlgorithm, notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + ISSUING_DAYS * day),
    extensions: [
      // it signs end-entity certificates only
      new x509.BasicConstraintsExtension(true, 0, true), caUsage,
      await x509.SubjectKeyIdentifierExtension.create(issuingKeys.publicKey), await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  return { rootPem: root.toString('pem'), rootKey: await pkcs8Of(rootKeys.privateKey), issuingPem: issuing.toString('pem'), issuingKey: await pkcs8Of(issuingKeys.privateKey) };
}

function parse(pem: string, what: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(pem);
  } catch {
    throw new CertificateError(`${what} is not a PEM X.509 certificate`);
  }
}

/**
 * Checks an existing sub-CA for import: `chainPem` holds the issuing CA first and the root
 * last (intermediates between), each signed by the next, all CAs and current; `keyPem` is the
 * issuing CA's PKCS#8 private key. Returns what is stored. Messages never quote the key.
 */
export async function checkImport(chainPem: string, keyPem: string): Promise<{ rootPem: string; issuingChainPem: string; issuingKey: Buffer }> {
  const blocks = pemBlocks(chainPem);
  if (blocks.length < 2) throw new CertificateError('the chain must hold the sub-CA certificate first and the root certificate last');
  const certs = blocks.map((b, i) => parse(b, `certificate ${i + 1} of the chain`));
  const now = new Date();
  for (const [i, c] of certs.entries()) {
    if (c.notBefore > now || c.notAfter < now) throw new CertificateError(`certificate ${i + 1} of the chain (${c.subject}) is not valid now`);
    if (!c.getExtension(x509.BasicConstraintsExtension)?.ca) throw new CertificateError(`certificate ${i + 1} of the chain (${c.subject}) is not a CA`);
    const issuer = certs[i + 1] ?? c;
    if (c.issuer !== issuer.subject || !(await c.verify({ publicKey: issuer.publicKey, signatureOnly: true }).catch(() => false))) {
      throw new CertificateError(`certificate ${i + 1} of the chain (${c.subject}) is not signed by the next one`);
    }
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyPem, format: 'pem' });
  } catch {
    throw new CertificateError('the key is not an unencrypted PEM private key');
  }
  signingParams(key); // refuses weak algorithms and sizes
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  if (!spki.equals(Buffer.from(certs[0]!.publicKey.rawData))) throw new CertificateError('the key does not belong to the sub-CA certificate');
  return { rootPem: blocks.at(-1)!, issuingChainPem: blocks.slice(0, -1).join('\n'), issuingKey: key.export({ type: 'pkcs8', format: 'der' }) };
}

/** Makes the issuing CA usable for signing from its stored chain and decrypted PKCS#8 key. */
export async function loadCa(rootPem: string, issuingChainPem: string, pkcs8: Buffer): Promise<LoadedCa> {
  const params = signingParams(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }));
  const signingKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, params.importAs, false, ['sign']);
  const issuing = parse(pemBlocks(issuingChainPem)[0]!, 'the sub-CA');
  return { rootPem, issuingChainPem, issuing, signingKey, signingAlgorithm: { ...params.sign, ...params.importAs } as webcrypto.Algorithm };
}

/** ISO 15118-2 SECC certificates: digitalSignature and keyAgreement, no extended key usage. */
const leafProfiles: Record<string, { usages: number; eku?: string[] }> = {
  ChargingStationCertificate: { usages: x509.KeyUsageFlags.digitalSignature, eku: [x509.ExtendedKeyUsage.clientAuth] },
  V2GCertificate: { usages: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement },
};

/** Signs a (verified) CSR: the CSR's subject and key, our extensions, never beyond the sub-CA's own validity. */
export async function issue(ca: LoadedCa, o: { csr: x509.Pkcs10CertificateRequest; certificateType: string; days: number; crlUrl?: string }): Promise<x509.X509Certificate> {
  const profile = leafProfiles[o.certificateType];
  if (!profile) throw new CertificateError(`certificate type ${o.certificateType} is not issued`);
  const now = Date.now();
  const publicKey = await o.csr.publicKey.export();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(profile.usages, true),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.issuing.publicKey),
  ];
  if (profile.eku) extensions.push(new x509.ExtendedKeyUsageExtension(profile.eku));
  if (o.crlUrl) extensions.push(new x509.CRLDistributionPointsExtension([o.crlUrl]));
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(), subject: o.csr.subjectName, issuer: ca.issuing.subjectName, publicKey,
    signingKey: ca.signingKey, signingAlgorithm: ca.signingAlgorithm,
    notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(Math.min(now + o.days * day, ca.issuing.notAfter.getTime())),
    extensions,
  });
}

const crlReasons: Record<string, x509.X509CrlReason> = {
  unspecified: x509.X509CrlReason.unspecified, keyCompromise: x509.X509CrlReason.keyCompromise, affiliationChanged: x509.X509CrlReason.affiliationChanged,
  superseded: x509.X509CrlReason.superseded, cessationOfOperation: x509.X509CrlReason.cessationOfOperation, certificateHold: x509.X509CrlReason.certificateHold,
  privilegeWithdrawn: x509.X509CrlReason.privilegeWithdrawn,
};
/** The RFC 5280 reason names `revoke` accepts. */
export const revocationReasons = Object.keys(crlReasons);

/** A CRL of the issuing CA listing `revoked`; the CRL number is the issue time in seconds, so it only grows. */
export async function signCrl(ca: LoadedCa, revoked: ReadonlyArray<{ serialNumber: string; revokedAt: Date; reason: string }>): Promise<x509.X509Crl> {
  const now = Date.now();
  const crlNumber = new asn1js.Integer({ value: Math.floor(now / 1000) }).toBER();
  return x509.X509CrlGenerator.create({
    issuer: ca.issuing.subjectName, thisUpdate: new Date(now), nextUpdate: new Date(now + CRL_LIFETIME_MS),
    signingKey: ca.signingKey, signingAlgorithm: ca.signingAlgorithm,
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(ca.issuing.publicKey), new x509.Extension('2.5.29.20', false, crlNumber)],
    entries: revoked.map((r) => ({ serialNumber: r.serialNumber.length % 2 ? `0${r.serialNumber}` : r.serialNumber, revocationDate: r.revokedAt, reason: crlReasons[r.reason] ?? x509.X509CrlReason.unspecified })),
  });
}
