// Throw-away TLS certificates for transport tests: a CPO root (optionally a sub-CA), the
// server's certificate for 127.0.0.1 and station client certificates. Keys live in memory only.
import { randomBytes, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/config/config.js';
import { startTestPlatform, type TestPlatform } from './platform.js';
import { x509 } from '../../src/domain/certificates/x509.js';

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const day = 86_400_000;

export interface Issued {
  certPem: string;
  keyPem: string;
  /** lower-case hex without leading zeros, as RevocationCheck receives it */
  serial: string;
}

interface Authority {
  cert: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
}

const keyPem = async (keys: webcrypto.CryptoKeyPair): Promise<string> =>
  x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');

// a positive serial (first byte below 0x80) so DER keeps it as is
const serial = (): string => '1' + randomBytes(8).toString('hex');

export class TestPki {
  private constructor(private readonly root: Authority) {}

  static async create(name = 'OV2X Test CPO Root'): Promise<TestPki> {
    const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(), name: `CN=${name}, O=OV2X Test CPO`, keys, signingAlgorithm: alg,
      notBefore: new Date(Date.now() - day), notAfter: new Date(Date.now() + 365 * day),
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
    });
    return new TestPki({ cert, keys });
  }

  get rootPem(): string {
    return this.root.cert.toString('pem');
  }

  /** A sub-CA of this root, itself a TestPki that issues below it. */
  async subCa(name = 'OV2X Test CPO Sub-CA'): Promise<TestPki & { caPem: string }> {
    const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(), subject: `CN=${name}, O=OV2X Test CPO`, issuer: this.root.cert.subject, publicKey: keys.publicKey,
      signingKey: this.root.keys.privateKey, signingAlgorithm: alg, notBefore: new Date(Date.now() - day), notAfter: new Date(Date.now() + 365 * day),
      extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
    });
    return Object.assign(new TestPki({ cert, keys }), { caPem: cert.toString('pem') });
  }

  /** The server certificate of a listener on 127.0.0.1. */
  server(): Promise<Issued> {
    return this.issue('CN=127.0.0.1', { server: true });
  }

  /** A station client certificate with subject e.g. "CN=CS-1, O=OV2X Test CPO". */
  station(subject: string, validity: { notBefore?: Date; notAfter?: Date } = {}): Promise<Issued> {
    return this.issue(subject, validity);
  }

  private async issue(subject: string, o: { server?: boolean; notBefore?: Date; notAfter?: Date }): Promise<Issued> {
    const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(), subject, issuer: this.root.cert.subject, publicKey: keys.publicKey,
      signingKey: this.root.keys.privateKey, signingAlgorithm: alg,
      notBefore: o.notBefore ?? new Date(Date.now() - day), notAfter: o.notAfter ?? new Date(Date.now() + 30 * day),
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([o.server ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
        ...(o.server ? [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }])] : []),
      ],
    });
    return { certPem: cert.toString('pem'), keyPem: await keyPem(keys), serial: cert.serialNumber.toLowerCase().replace(/^0+(?=.)/, '') };
  }
}

/** A test platform with a TLS listener (server certificate from a fresh TestPki, whose root is also the client CA). */
export async function startTlsTestPlatform(overrides: Partial<Config> = {}): Promise<{ p: TestPlatform; pki: TestPki; stop(): Promise<void> }> {
  const pki = await TestPki.create();
  const server = await pki.server();
  const files = mkdtempSync(join(tmpdir(), 'ov2x-tls-files-'));
  writeFileSync(join(files, 'server.pem'), server.certPem);
  writeFileSync(join(files, 'server.key'), server.keyPem, { mode: 0o600 });
  writeFileSync(join(files, 'ca.pem'), pki.rootPem);
  const p = await startTestPlatform({ tlsPort: 0, tlsCert: join(files, 'server.pem'), tlsKey: join(files, 'server.key'), tlsClientCa: join(files, 'ca.pem'), ...overrides });
  return {
    p, pki,
    async stop() {
      await p.stop();
      rmSync(files, { recursive: true, force: true });
    },
  };
}
