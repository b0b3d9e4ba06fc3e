// The local ISO 15118 test PKI behind the built-in Plug & Charge provider: a V2G hierarchy
// (V2G root → CPO sub-CA 1 → CPO sub-CA 2, which issues SECC certificates) and an MO hierarchy
// (MO root → MO sub-CA, which issues contract certificates), each CA with a delegated OCSP
// signing certificate. Created on first use; keys sealed in the database.
import { KeyObject, randomBytes, webcrypto } from 'node:crypto';
import { x509 } from '../certificates/x509.js';
import type { Iso15118PkiRepo } from '../../store/repos/iso15118-pki.js';
import type { Iso15118PkiCertificate, Iso15118PkiRole } from '../../store/schema.js';
import { CrlReason, issuerHashes, type CertificateStatus, type OcspAuthority, type OcspCertId, type OcspHash, type OcspSigner } from './ocsp.js';
import { id_kp_OCSPSigning } from './ocsp-asn1.js';
import { openKey, sealKey, type Sealer } from '../crypto/sealed.js';

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const day = 86_400_000;
const id_pkix_ocsp_nocheck = '1.3.6.1.5.5.7.48.1.5';

type CaRole = 'v2gRoot' | 'cpoSubCa1' | 'cpoSubCa2' | 'moRoot' | 'moSubCa';
export type LeafRole = 'secc' | 'contract';

/** The two hierarchies, parents first. pathLength as ISO 15118-2 Annex F profiles the sub-CAs. */
/** OCSP signer validity, and how long before its end it is replaced */
const SIGNER_DAYS = 365;
const SIGNER_RENEW_DAYS = 30;

const hierarchy: ReadonlyArray<{ role: CaRole; issuer?: CaRole; cn: string; pathLength?: number; days: number }> = [
  { role: 'v2gRoot', cn: 'V2G Root CA', days: 3650 },
  { role: 'cpoSubCa1', issuer: 'v2gRoot', cn: 'CPO Sub-CA 1', pathLength: 1, days: 1460 },
  { role: 'cpoSubCa2', issuer: 'cpoSubCa1', cn: 'CPO Sub-CA 2', pathLength: 0, days: 730 },
  { role: 'moRoot', cn: 'MO Root CA', days: 3650 },
  { role: 'moSubCa', issuer: 'moRoot', cn: 'MO Sub-CA', pathLength: 0, days: 1460 },
];
const caRoles = hierarchy.map((h) => h.role);
/** Which CA issues each kind of end-entity certificate, and for how long. */
const leaves: Record<LeafRole, { issuer: CaRole; days: number; keyUsage: number }> = {
  secc: { issuer: 'cpoSubCa2', days: 365, keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement },
  contract: { issuer: 'moSubCa', days: 730, keyUsage: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement | x509.KeyUsageFlags.nonRepudiation },
};

interface Ca {
  row: Iso15118PkiCertificate;
  cert: x509.X509Certificate;
  hashes: Partial<Record<OcspHash, { issuerNameHash: string; issuerKeyHash: string }>>;
  signerRow: Iso15118PkiCertificate;
  signer?: OcspSigner;
  /** a signer renewal under way, so concurrent requests issue one */
  renewing?: Promise<void>;
}

const serial = () => {
  const b = randomBytes(16);
  b[0]! &= 0x7f; // a positive INTEGER
  return b.toString('hex');
};
const normalSerial = (s: string) => s.toLowerCase().replace(/^0+(?=.)/, '');
const toCryptoKey = (key: KeyObject) => webcrypto.subtle.importKey('pkcs8', key.export({ type: 'pkcs8', format: 'der' }), alg, false, ['sign']);

export class Iso15118Pki implements OcspAuthority {
  private loading: Promise<Map<CaRole, Ca>> | undefined;
  /** whether this instance created the hierarchies */
  private created = false;

  constructor(private readonly repo: Iso15118PkiRepo, private readonly sealer: Sealer, private readonly options: { organization?: string } = {}) {}

  /** Creates both hierarchies unless they exist; true when it created them. */
  async init(): Promise<boolean> {
    const first = this.loading === undefined;
    await this.cas();
    return first && this.created;
  }

  /** The root certificates (PEM) to install on stations and EVs as V2GRootCertificate and MORootCertificate. */
  async roots(): Promise<{ v2gRoot: string; moRoot: string }> {
    const cas = await this.cas();
    return { v2gRoot: cas.get('v2gRoot')!.row.certificate, moRoot: cas.get('moRoot')!.row.certificate };
  }

  /** Issues an SECC or contract certificate for `publicKey`; returns it with its sub-CAs (PEM, leaf first). */
  async issue(role: LeafRole, commonName: string, publicKey: webcrypto.CryptoKey): Promise<{ certificate: string; chain: string; serialNumber: string }> {
    const cas = await this.cas();
    const { issuer, days, keyUsage } = leaves[role];
    const ca = cas.get(issuer)!;
    const cert = await this.sign(ca, { cn: commonName, publicKey, days, extensions: [new x509.KeyUsagesExtension(keyUsage, true), new x509.BasicConstraintsExtension(false, undefined, true)] });
    const row = await this.repo.insert({ role, issuerId: ca.row.id, subject: cert.subject, serialNumber: normalSerial(cert.serialNumber), certificate: cert.toString('pem'), privateKey: null, notAfter: cert.notAfter });
    const chain = [row.certificate, ...this.subCasOf(cas, issuer).map((c) => c.row.certificate)].join('\n');
    return { certificate: row.certificate, chain, serialNumber: row.serialNumber };
  }

  /** Revokes a certificate the `role`'s CA issued; false when there is no such certificate or it already was. */
  async revoke(role: LeafRole, serialNumber: string, reason: number = CrlReason.unspecified, at = new Date()): Promise<boolean> {
    const ca = (await this.cas()).get(leaves[role].issuer)!;
    const row = await this.repo.byIssuerSerial(ca.row.id, normalSerial(serialNumber));
    return row !== undefined && (await this.repo.revoke(row.id, at, reason));
  }

  async lookup(id: OcspCertId): Promise<CertificateStatus> {
    const ca = await this.caFor(id);
    const row = ca && (await this.repo.byIssuerSerial(ca.row.id, id.serialNumber));
    if (!row) return { status: 'unknown' };
    if (row.revokedAt) return { status: 'revoked', revokedAt: row.revokedAt, reason: row.revocationReason ?? undefined };
    return { status: 'good' };
  }

  async signerFor(id: OcspCertId): Promise<OcspSigner | undefined> {
    const ca = await this.caFor(id);
    if (!ca) return undefined;
    // a signer close to its end is replaced before responses signed by it stop verifying
    if (ca.signerRow.notAfter.getTime() - Date.now() < SIGNER_RENEW_DAYS * day && ca.cert.notAfter.getTime() - Date.now() > SIGNER_RENEW_DAYS * day) {
      ca.renewing ??= this.issueSigner(ca, ca.cert.subjectName.getField('CN')[0] ?? 'CA').then((row) => {
        ca.signerRow = row;
        ca.signer = undefined;
      }).finally(() => { ca.renewing = undefined; });
      await ca.renewing;
    }
    ca.signer ??= {
      certificate: Buffer.from(new x509.X509Certificate(ca.signerRow.certificate).rawData),
      key: openKey(this.sealer, ca.signerRow.privateKey!, ca.signerRow.serialNumber),
    };
    return ca.signer;
  }

  private async caFor(id: OcspCertId): Promise<Ca | undefined> {
    for (const ca of (await this.cas()).values()) {
      const h = (ca.hashes[id.hashAlgorithm] ??= issuerHashes(new Uint8Array(ca.cert.rawData), id.hashAlgorithm));
      if (h.issuerNameHash === id.issuerNameHash.toLowerCase() && h.issuerKeyHash === id.issuerKeyHash.toLowerCase()) return ca;
    }
    return undefined;
  }

  /** The sub-CAs from `role` up to (not including) the root, as a chain lists them. */
  private subCasOf(cas: Map<CaRole, Ca>, role: CaRole): Ca[] {
    const out: Ca[] = [];
    for (let r: CaRole | undefined = role; r; r = hierarchy.find((h) => h.role === r)!.issuer) {
      if (hierarchy.find((h) => h.role === r)!.issuer) out.push(cas.get(r)!);
    }
    return out;
  }

  private cas(): Promise<Map<CaRole, Ca>> {
    this.loading ??= this.load().catch((err: unknown) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }

  private async load(): Promise<Map<CaRole, Ca>> {
    let rows = await this.repo.byRoles([...caRoles, 'ocspSigner']);
    if (!rows.some((r) => r.role === 'v2gRoot')) {
      await this.create();
      this.created = true;
      rows = await this.repo.byRoles([...caRoles, 'ocspSigner']);
    }
    const cas = new Map<CaRole, Ca>();
    for (const role of caRoles) {
      const row = rows.find((r) => r.role === role);
      const signerRow = row && rows.filter((r) => r.role === 'ocspSigner' && r.issuerId === row.id).at(-1);
      if (!row || !signerRow) throw new Error(`the ISO 15118 test PKI is incomplete: ${role} or its OCSP signer is missing`);
      cas.set(role, { row, signerRow, cert: new x509.X509Certificate(row.certificate), hashes: {} });
    }
    return cas;
  }

  private async create(): Promise<void> {
    const made = new Map<CaRole, Ca>();
    for (const h of hierarchy) {
      const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
      const issuer = h.issuer ? made.get(h.issuer) : undefined;
      const extensions = [
        new x509.BasicConstraintsExtension(true, h.pathLength, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ];
      const cert = issuer
        ? await this.sign(issuer, { cn: h.cn, publicKey: keys.publicKey, days: h.days, extensions })
        : await x509.X509CertificateGenerator.createSelfSigned({
          serialNumber: serial(), name: this.dn(h.cn), keys, signingAlgorithm: alg, notBefore: new Date(Date.now() - day), notAfter: new Date(Date.now() + h.days * day),
          extensions: [...extensions, await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)],
        });
      const row = await this.insertWithKey(h.role, issuer?.row.id ?? null, cert, keys.privateKey);
      const ca: Ca = { row, cert, hashes: {}, signerRow: row };
      made.set(h.role, ca);
      await this.issueSigner(ca, h.cn, keys.privateKey);
    }
  }

  /** The delegated OCSP signer of `ca` (RFC 6960 §4.2.2.2), exempt from revocation checking itself. */
  private async issueSigner(ca: Ca, caCn: string, caKey?: webcrypto.CryptoKey): Promise<Iso15118PkiCertificate> {
    const signerKeys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
    const signerCert = await this.sign(ca, {
      cn: `${caCn} OCSP Signer`, publicKey: signerKeys.publicKey, days: SIGNER_DAYS,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([id_kp_OCSPSigning], true),
        new x509.Extension(id_pkix_ocsp_nocheck, false, new Uint8Array([5, 0])),
      ],
    }, caKey);
    return this.insertWithKey('ocspSigner', ca.row.id, signerCert, signerKeys.privateKey);
  }

  private dn(cn: string): string {
    return `CN=${cn}, O=${this.options.organization ?? 'OV2X'} ISO 15118 test PKI`;
  }

  private async insertWithKey(role: Iso15118PkiRole, issuerId: number | null, cert: x509.X509Certificate, key: webcrypto.CryptoKey): Promise<Iso15118PkiCertificate> {
    const serialNumber = normalSerial(cert.serialNumber);
    return this.repo.insert({
      role, issuerId, subject: cert.subject, serialNumber, certificate: cert.toString('pem'),
      privateKey: sealKey(this.sealer, KeyObject.from(key), serialNumber), notAfter: cert.notAfter,
    });
  }

  /** A certificate issued by `ca`; its key is opened from the database unless given. */
  private async sign(ca: Ca, c: { cn: string; publicKey: webcrypto.CryptoKey; days: number; extensions: x509.Extension[] }, caKey?: webcrypto.CryptoKey): Promise<x509.X509Certificate> {
    const signingKey = caKey ?? (await toCryptoKey(openKey(this.sealer, ca.row.privateKey!, ca.row.serialNumber)));
    return x509.X509CertificateGenerator.create({
      serialNumber: serial(), subject: this.dn(c.cn), issuer: ca.cert.subject, publicKey: c.publicKey, signingKey, signingAlgorithm: alg,
      notBefore: new Date(Date.now() - day), notAfter: new Date(Math.min(Date.now() + c.days * day, ca.cert.notAfter.getTime())),
      extensions: [
        ...c.extensions,
        await x509.SubjectKeyIdentifierExtension.create(c.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
      ],
    });
  }
}
