import type { Logger } from '../../log/logger.js';
import type { IssuedCertificate, PkiRepo, StationRepo } from '../../store/index.js';
import type { SignedCertificateType, StationCommand } from '../commands.js';
import type { CertificateSigner } from '../certificates/providers.js';
import { CertificateError, verifiedCsr, x509 } from '../certificates/x509.js';
import type { CommandService } from '../journal/command-service.js';
import type { SecurityLog } from '../security/security-log.js';
import { stationKeyProblem, type CaAlgorithmName } from './algorithms.js';
import {
  checkImport, createHierarchy, CRL_LIFETIME_MS, fingerprintOf, issue, loadCa, normalizeSerial, revocationReasons, signCrl, type LoadedCa,
} from './cpo-ca.js';
import type { Sealer } from '../crypto/sealed.js';
import type { RevocationCheck } from './revocation.js';

/** A PKI operation the operator asked for that cannot be done; the message says why. */
export class PkiError extends Error {}

export interface PkiOptions {
  /** validity of station and V2G certificates (OV2X_STATION_CERT_DAYS) */
  stationCertDays: number;
  /** ask stations to renew this many days before their certificate expires (OV2X_CERT_RENEW_DAYS) */
  renewDays: number;
  /** where the CRL is published, written into every certificate; none when the platform has no stable public URL */
  crlUrl?: string;
}

export interface CaSummary {
  role: 'root' | 'issuing';
  subject: string;
  notBefore: Date;
  notAfter: Date;
  fingerprint: string;
  /** whether the platform holds this CA's private key (encrypted); never the key itself */
  hasKey: boolean;
}

/** How a station is asked to renew each kind of certificate, per OCPP version (1.6 has no V2G trigger). */
const renewalTrigger: Record<SignedCertificateType, Partial<Record<string, StationCommand>>> = {
  ChargingStationCertificate: {
    'ocpp2.0.1': { kind: 'triggerMessage', message: 'SignChargingStationCertificate' },
    'ocpp1.6': { kind: 'extendedTriggerMessage', message: 'SignChargePointCertificate' },
  },
  V2GCertificate: {
    'ocpp2.0.1': { kind: 'triggerMessage', message: 'SignV2GCertificate' },
  },
};

const day = 86_400_000;

/**
 * The CPO PKI (X1, X4): the root and issuing CA kept in the store (keys encrypted with the
 * key vault), the CertificateSigner of station and V2G certificates, the registry of issued
 * certificates, their revocation (RevocationCheck for the TLS layer, CRL for everyone else)
 * and the renewal of station certificates before they expire.
 */
export class PkiService implements CertificateSigner, RevocationCheck {
  private ca: LoadedCa | undefined;
  private revoked = new Set<string>();
  private crlCache: { der: Buffer; signedAt: number } | undefined;
  private loading: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: PkiRepo,
    private readonly stations: StationRepo,
    private readonly commands: CommandService,
    private readonly security: SecurityLog,
    private readonly vault: Sealer,
    private readonly log: Logger,
    private readonly options: PkiOptions,
    /** told when a signing CA appears, so SignCertificate answers Accepted from then on */
    private readonly onCa: (signer: CertificateSigner) => void,
  ) {}

  // ---- operator actions -----------------------------------------------------------------

  /** `ov2x pki init`: a new root and issuing CA. Refused when a CA exists. */
  async init(o: { algorithm: CaAlgorithmName; organization: string }): Promise<CaSummary[]> {
    if ((await this.repo.authorities()).length) throw new PkiError('a CPO CA already exists');
    const h = await createHierarchy(o);
    await this.repo.createAuthorities([
      { role: 'root', certificate: h.rootPem, encryptedKey: this.vault.seal(h.rootKey, 'root') },
      { role: 'issuing', certificate: h.issuingPem, encryptedKey: this.vault.seal(h.issuingKey, 'issuing') },
    ]);
    h.rootKey.fill(0);
    h.issuingKey.fill(0);
    await this.refresh();
    return this.status();
  }

  /** `ov2x pki import`: an existing sub-CA (chain up to its root, and its key); the root key stays with the operator. */
  async import(chainPem: string, keyPem: string): Promise<CaSummary[]> {
    if ((await this.repo.authorities()).length) throw new PkiError('a CPO CA already exists');
    let checked;
    try {
      checked = await checkImport(chainPem, keyPem);
    } catch (err) {
      throw new PkiError(err instanceof Error ? err.message : 'the sub-CA cannot be imported');
    }
    await this.repo.createAuthorities([
      { role: 'root', certificate: checked.rootPem, encryptedKey: null },
      { role: 'issuing', certificate: checked.issuingChainPem, encryptedKey: this.vault.seal(checked.issuingKey, 'issuing') },
    ]);
    checked.issuingKey.fill(0);
    await this.refresh();
    return this.status();
  }

  /** The CAs (no keys); empty when no PKI is set up. */
  async status(): Promise<CaSummary[]> {
    return (await this.repo.authorities()).map((a) => {
      const c = new x509.X509Certificate(a.certificate);
      return { role: a.role, subject: c.subject, notBefore: c.notBefore, notAfter: c.notAfter, fingerprint: fingerprintOf(c), hasKey: a.encryptedKey !== null };
    });
  }

  list(filter: { stationId?: string; limit: number; offset?: number }): Promise<IssuedCertificate[]> {
    return this.repo.listIssued(filter);
  }

  /** Revokes an issued certificate: refused at the next handshake, listed in the CRL from now on. */
  async revoke(serialNumber: string, reason = 'unspecified'): Promise<IssuedCertificate> {
    if (!revocationReasons.includes(reason)) throw new PkiError(`reason must be one of ${revocationReasons.join(', ')}`);
    const serial = normalizeSerial(serialNumber);
    if (!/^[0-9a-f]{1,40}$/.test(serial)) throw new PkiError('the serial number must be hexadecimal');
    const row = await this.repo.revoke(serial, reason);
    if (!row) throw new PkiError(`no certificate with serial number ${serial} was issued`);
    this.revoked.add(serial);
    this.crlCache = undefined;
    await this.security.record({ stationId: row.stationId, type: 'CertificateRevoked', severity: 'warning', details: { serialNumber: serial, reason: row.revocationReason } });
    return row;
  }

  // ---- RevocationCheck: per TLS handshake, from memory -----------------------------------

  /**
   * Our serials are 126-bit random numbers of the one issuing CA, so the serial alone names
   * the certificate (a certificate of another CA fails the chain check before this).
   */
  async isRevoked(cert: { serialNumber: string; issuer: string }): Promise<boolean> {
    if (!this.loading) await this.refresh();
    return this.revoked.has(normalizeSerial(cert.serialNumber));
  }

  // ---- CRL ---------------------------------------------------------------------------------

  /** The current CRL (DER), re-signed after a revocation and when half its lifetime has passed; undefined without a CA. */
  async crl(): Promise<Buffer | undefined> {
    if (!this.loading) await this.refresh();
    const ca = this.ca;
    if (!ca) return undefined;
    if (!this.crlCache || Date.now() - this.crlCache.signedAt > CRL_LIFETIME_MS / 2) {
      const revoked = (await this.repo.listRevoked()).map((r) => ({ serialNumber: r.serialNumber, revokedAt: r.revokedAt!, reason: r.revocationReason ?? 'unspecified' }));
      const crl = await signCrl(ca, revoked);
      this.crlCache = { der: Buffer.from(crl.rawData), signedAt: Date.now() };
    }
    return this.crlCache.der;
  }

  // ---- CertificateSigner ---------------------------------------------------------------

  keyProblem(req: { certificateType: SignedCertificateType; publicKeySpki: ArrayBuffer }): string | undefined {
    return stationKeyProblem(req.publicKeySpki, req.certificateType);
  }

  /** Signs the (already checked) CSR with the issuing CA and records the certificate; returns leaf + sub-CA chain. */
  async sign(req: { stationId: string; certificateType: SignedCertificateType; csrPem: string }): Promise<string> {
    const ca = this.ca;
    if (!ca) throw new PkiError('no CPO CA is set up');
    const { csr } = await verifiedCsr(req.csrPem);
    const weak = stationKeyProblem(csr.publicKey.rawData, req.certificateType);
    if (weak) throw new CertificateError(weak);
    const cert = await issue(ca, { csr, certificateType: req.certificateType, days: this.options.stationCertDays, crlUrl: this.options.crlUrl });
    await this.repo.addIssued({
      serialNumber: normalizeSerial(cert.serialNumber), stationId: req.stationId, certificateType: req.certificateType,
      subject: cert.subject, issuer: cert.issuer, notBefore: cert.notBefore, notAfter: cert.notAfter, fingerprint: fingerprintOf(cert), pem: cert.toString('pem'),
    });
    return `${cert.toString('pem')}\n${ca.issuingChainPem.trim()}\n`;
  }

  // ---- background ------------------------------------------------------------------------

  /** Reloads the CA and the revoked serials from the store (another node or the CLI may have changed them). */
  refresh(): Promise<void> {
    const run = this.load();
    this.loading = run;
    return run;
  }

  /**
   * Asks stations whose newest station or V2G certificate expires within the margin to renew
   * it, once a day at most; returns how many certificates were due.
   */
  async renewalSweep(): Promise<number> {
    const now = Date.now();
    let count = 0;
    for (const type of Object.keys(renewalTrigger) as SignedCertificateType[]) {
      const due = await this.repo.dueForRenewal(type, new Date(now + this.options.renewDays * day), new Date(now - day));
      count += due.length;
      await this.askToRenew(due, renewalTrigger[type]);
    }
    return count;
  }

  private async askToRenew(due: readonly IssuedCertificate[], triggers: Partial<Record<string, StationCommand>>): Promise<void> {
    for (const cert of due) {
      const station = await this.stations.get(cert.stationId);
      const trigger = station?.protocol ? triggers[station.protocol] : undefined;
      if (!trigger) continue;
      // marked first: a slow or offline station is asked again tomorrow, not on every sweep
      await this.repo.markRenewalRequested(cert.serialNumber);
      const rec = await this.commands.send(cert.stationId, trigger);
      this.log.info({ station: cert.stationId, serialNumber: cert.serialNumber, certificateType: cert.certificateType, notAfter: cert.notAfter, status: rec.status }, 'asked a station to renew its certificate');
    }
  }

  /** One timer for the whole PKI: reload, then the renewal sweep. */
  start(intervalMs = 60_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.refresh().then(() => this.renewalSweep()).catch((err: unknown) => this.log.error({ err }, 'PKI sweep failed'));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async load(): Promise<void> {
    const rows = await this.repo.authorities();
    const root = rows.find((r) => r.role === 'root');
    const issuing = rows.find((r) => r.role === 'issuing');
    const had = this.ca;
    if (root && issuing?.encryptedKey && !had) {
      const key = this.vault.open(issuing.encryptedKey, 'issuing');
      try {
        this.ca = await loadCa(root.certificate, issuing.certificate, key);
      } finally {
        key.fill(0);
      }
      this.onCa(this);
    }
    const revoked = new Set((await this.repo.listRevoked()).map((r) => r.serialNumber));
    if (revoked.size !== this.revoked.size) this.crlCache = undefined;
    this.revoked = revoked;
  }
}
