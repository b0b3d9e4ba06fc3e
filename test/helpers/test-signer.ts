// A throw-away CA for tests: it signs CSRs the way the later PKI issue's CertificateSigner will,
// so the SignCertificate → CertificateSigned path can be exercised end to end.
import { randomBytes, webcrypto } from 'node:crypto';
import type { CertificateSigner } from '../../src/domain/certificates/providers.js';
import { x509 } from '../../src/domain/certificates/x509.js';

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const day = 86_400_000;

export interface TestCa extends CertificateSigner {
  rootPem: string;
  /** CSRs it signed */
  signed: string[];
}

/** A self-signed root and a signer that issues certificates for the CSR's key (or, with `wrongKey`, for another key). */
export async function testCa(opts: { name?: string; wrongKey?: boolean } = {}): Promise<TestCa> {
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString('hex'), name: `CN=${opts.name ?? 'OV2X Test Root'}, O=OV2X Test`, keys, signingAlgorithm: alg,
    notBefore: new Date(Date.now() - day), notAfter: new Date(Date.now() + 365 * day),
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const rootPem = root.toString('pem');
  const signed: string[] = [];
  return {
    rootPem, signed,
    async sign({ csrPem }) {
      const csr = new x509.Pkcs10CertificateRequest(csrPem);
      const publicKey = opts.wrongKey ? (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])).publicKey : await csr.publicKey.export();
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: randomBytes(8).toString('hex'), subject: csr.subject, issuer: root.subject, publicKey,
        signingKey: keys.privateKey, signingAlgorithm: alg, notBefore: new Date(Date.now() - day), notAfter: new Date(Date.now() + 30 * day),
      });
      signed.push(csrPem);
      return `${leaf.toString('pem')}\n${rootPem}\n`;
    },
  };
}

/** A self-signed root certificate PEM, as an operator would install on stations. */
export async function rootCertificate(name: string): Promise<string> {
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '00' + randomBytes(8).toString('hex'), name: `CN=${name}`, keys, signingAlgorithm: alg,
    notBefore: new Date(Date.now() - day), notAfter: new Date(Date.now() + 365 * day),
  });
  return cert.toString('pem');
}

/** A PEM CSR signed by its own key, with the subject given (e.g. "CN=CS1, O=ACME"). */
export async function csrFor(subject: string): Promise<string> {
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  return (await x509.Pkcs10CertificateRequestGenerator.create({ name: subject, keys, signingAlgorithm: alg })).toString('pem');
}
