// A throw-away firmware vendor for tests: a vendor CA, a code-signing certificate it issued,
// and signatures over images as OCPP carries them (base64, ECDSA/RSA with SHA-256).
import { KeyObject, randomBytes, sign, webcrypto } from 'node:crypto';
import { x509 } from '../../src/domain/certificates/x509.js';

const ec = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const rsa = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) } as const;
const day = 86_400_000;

export interface FirmwareVendor {
  caPem: string;
  /** signing certificate, leaf first with the CA after it */
  certPem: string;
  /** base64 signature over the image: DER (OpenSSL style) or raw r||s (WebCrypto style) */
  sign(image: Buffer, encoding?: 'der' | 'ieee-p1363'): string;
}

/** A vendor with an ECDSA P-256 CA; its signer uses ECDSA too, or RSA 2048 with `signer: 'rsa'`. */
export async function firmwareVendor(name = 'Test Vendor', validity: { notBefore?: Date; notAfter?: Date; signer?: 'ec' | 'rsa' } = {}): Promise<FirmwareVendor> {
  const caKeys = await webcrypto.subtle.generateKey(ec, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString('hex'), name: `CN=${name} Firmware CA, O=${name}`, keys: caKeys, signingAlgorithm: ec,
    notBefore: new Date(Date.now() - day), notAfter: new Date(Date.now() + 365 * day),
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const keys = await webcrypto.subtle.generateKey(validity.signer === 'rsa' ? rsa : ec, true, ['sign', 'verify']);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(8).toString('hex'), subject: `CN=${name} Firmware Signer, O=${name}`, issuer: ca.subject, publicKey: keys.publicKey,
    signingKey: caKeys.privateKey, signingAlgorithm: ec,
    notBefore: validity.notBefore ?? new Date(Date.now() - day), notAfter: validity.notAfter ?? new Date(Date.now() + 30 * day),
    extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning])],
  });
  const key = KeyObject.from(keys.privateKey);
  return {
    caPem: ca.toString('pem'),
    certPem: `${leaf.toString('pem')}\n${ca.toString('pem')}\n`,
    sign: (image, encoding = 'der') => sign('sha256', image, validity.signer === 'rsa' ? key : { key, dsaEncoding: encoding }).toString('base64'),
  };
}
