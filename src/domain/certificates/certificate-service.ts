import type { Logger } from '../../log/logger.js';
import type { CertificateRepo, InstalledCertificateInput } from '../../store/index.js';
import type { CertificateHashData, CertificateRequest } from '../../store/schema.js';
import type {
  CertificateHashDataRef, InstallCertificateType, InstalledCertificateType, NetworkConnectionData, SignedCertificateType,
} from '../commands.js';
import { redactConnectionData } from '../commands.js';
import type { CommandRecord, CommandService } from '../journal/command-service.js';
import type { SecurityLog } from '../security/security-log.js';
import { noIso15118Provider, type CertificateSigner, type Iso15118Provider, type ProviderAnswer } from './providers.js';
import { CertificateError, certificateHashData, verifiedCsr } from './x509.js';

/** The answer to a station's SignCertificate; reasonCode/additionalInfo become the 2.0.1 statusInfo. */
export interface SignAnswer {
  status: 'Accepted' | 'Rejected';
  reasonCode?: string;
  additionalInfo?: string;
  requestId: number;
}

export interface CertificateServiceOptions {
  /** the CPO's organization name: when set, a CSR's subject O must equal it */
  organization?: string;
  signer?: CertificateSigner;
  iso15118?: Iso15118Provider;
}

/** Station answers of GetInstalledCertificateIds, in both versions' shapes. */
interface InventoryResponse {
  certificateHashData?: CertificateHashData[];
  certificateHashDataChain?: Array<{ certificateType: string; certificateHashData: CertificateHashData; childCertificateHashData?: CertificateHashData[] }>;
}

const asHashData = (h: CertificateHashData): CertificateHashData => ({
  hashAlgorithm: h.hashAlgorithm, issuerNameHash: h.issuerNameHash, issuerKeyHash: h.issuerKeyHash, serialNumber: h.serialNumber,
});

/**
 * Certificate management for both OCPP versions (1.6 Security Whitepaper, 2.0.1 blocks A and M):
 * station CSRs and their signing, root certificate installation and removal, the per-station
 * certificate inventory, network profiles and the ISO 15118 certificate requests.
 */
export class CertificateService {
  private signer: CertificateSigner | undefined;
  private iso15118: Iso15118Provider;
  private readonly deliveries = new Set<Promise<void>>();

  constructor(
    private readonly repo: CertificateRepo,
    private readonly commands: CommandService,
    private readonly security: SecurityLog,
    private readonly log: Logger,
    private readonly options: CertificateServiceOptions = {},
  ) {
    this.signer = options.signer;
    this.iso15118 = options.iso15118 ?? noIso15118Provider;
  }

  /** Extension points for the PKI and Plug & Charge issues; undefined restores the default. */
  useSigner(signer: CertificateSigner | undefined): void {
    this.signer = signer;
  }

  useIso15118Provider(provider: Iso15118Provider | undefined): void {
    this.iso15118 = provider ?? noIso15118Provider;
  }

  /**
   * A station's SignCertificate: the CSR is stored whatever happens. A CSR that does not parse,
   * whose signature does not verify or whose subject is not this station is Rejected and
   * recorded as a security event. Accepted CSRs are signed and delivered with CertificateSigned
   * after the answer, asynchronously.
   */
  async signCertificate(stationId: string, csrPem: string, certificateType: SignedCertificateType): Promise<SignAnswer> {
    const problem = await this.csrProblem(stationId, csrPem, certificateType);
    if (problem) {
      const row = await this.repo.addRequest({ stationId, certificateType, csr: csrPem, status: 'Rejected', reason: problem });
      await this.security.record({ stationId, type: 'CertificateSigningRequestRejected', severity: 'warning', details: { certificateType, reason: problem, requestId: row.id } });
      return { status: 'Rejected', reasonCode: 'InvalidCSR', additionalInfo: problem, requestId: row.id };
    }
    const signer = this.signer;
    if (!signer) {
      const reason = 'no certificate signer is configured';
      const row = await this.repo.addRequest({ stationId, certificateType, csr: csrPem, status: 'NoSigner', reason });
      return { status: 'Rejected', reasonCode: 'NoSigner', additionalInfo: reason, requestId: row.id };
    }
    const row = await this.repo.addRequest({ stationId, certificateType, csr: csrPem, status: 'Pending' });
    this.track(this.deliver(row, signer));
    return { status: 'Accepted', requestId: row.id };
  }

  /** Resolves once every CertificateSigned delivery started so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.deliveries.size) await Promise.all([...this.deliveries]);
  }

  requests(stationId: string): Promise<CertificateRequest[]> {
    return this.repo.listRequests(stationId);
  }

  /** Installs a root certificate; on success it joins the station's inventory. Throws CertificateError for a bad PEM. */
  async installCertificate(stationId: string, certificateType: InstallCertificateType, certificatePem: string): Promise<CommandRecord> {
    const hash = certificateHashData(certificatePem);
    const rec = await this.commands.send(stationId, { kind: 'installCertificate', certificateType, certificate: certificatePem });
    if (rec.status === 'Accepted') await this.repo.addInstalled(stationId, { certificateType, ...hash });
    return rec;
  }

  /** Deletes a certificate by its hash data; Accepted or NotFound both mean the station no longer has it. */
  async deleteCertificate(stationId: string, hash: CertificateHashDataRef): Promise<CommandRecord> {
    // exactly the four fields: callers may hand over a whole inventory row
    const certificateHashData = { ...asHashData(hash), hashAlgorithm: hash.hashAlgorithm };
    const rec = await this.commands.send(stationId, { kind: 'deleteCertificate', certificateHashData });
    if (rec.status === 'Accepted' || rec.status === 'NotFound') await this.repo.removeInstalled(stationId, certificateHashData);
    return rec;
  }

  /** Asks for the installed certificates and replaces the known inventory of the queried types. */
  async getInstalledCertificateIds(stationId: string, certificateTypes?: InstalledCertificateType[]): Promise<CommandRecord> {
    const rec = await this.commands.send(stationId, { kind: 'getInstalledCertificateIds', certificateTypes });
    if (rec.status !== 'Accepted' && rec.status !== 'NotFound') return rec;
    const r = (rec.response ?? {}) as InventoryResponse;
    const certs: InstalledCertificateInput[] = r.certificateHashDataChain
      ? r.certificateHashDataChain.map((c) => ({ certificateType: c.certificateType, ...asHashData(c.certificateHashData), childCertificates: c.childCertificateHashData?.map(asHashData) }))
      // 1.6 answers for the one type it was asked about
      : (r.certificateHashData ?? []).map((h) => ({ certificateType: certificateTypes![0]!, ...asHashData(h) }));
    await this.repo.replaceInstalled(stationId, certificateTypes?.length ? certificateTypes : undefined, certs);
    return rec;
  }

  installed(stationId: string, certificateType?: string) {
    return this.repo.listInstalled(stationId, certificateType);
  }

  /** 2.0.1 SetNetworkProfile: the profile is stored (without its secrets) with the station's answer. */
  async setNetworkProfile(stationId: string, configurationSlot: number, connectionData: NetworkConnectionData): Promise<CommandRecord> {
    const rec = await this.commands.send(stationId, { kind: 'setNetworkProfile', configurationSlot, connectionData });
    await this.repo.saveNetworkProfile({ stationId, configurationSlot, connectionData: redactConnectionData(connectionData), status: rec.status, commandId: rec.id });
    return rec;
  }

  networkProfiles(stationId: string) {
    return this.repo.listNetworkProfiles(stationId);
  }

  /** 2.0.1 M01/M02 Get15118EVCertificate, through the ISO 15118 provider; every request is recorded. */
  async get15118EVCertificate(stationId: string, req: { iso15118SchemaVersion: string; action: 'Install' | 'Update'; exiRequest: string }): Promise<ProviderAnswer & { exiResponse: string }> {
    const answer = await this.ask(() => this.iso15118.get15118EVCertificate({ stationId, ...req }), { exiResponse: '' });
    await this.recordIso15118(stationId, 'Get15118EVCertificate', { iso15118SchemaVersion: req.iso15118SchemaVersion, action: req.action, exiRequestLength: req.exiRequest.length }, answer);
    return answer;
  }

  /** 2.0.1 M06 GetCertificateStatus (OCSP), through the ISO 15118 provider; every request is recorded. */
  async getCertificateStatus(stationId: string, certificate: CertificateHashDataRef, responderUrl: string): Promise<ProviderAnswer & { ocspResult?: string }> {
    const answer = await this.ask(() => this.iso15118.getCertificateStatus({ stationId, certificate, responderUrl }), {});
    await this.recordIso15118(stationId, 'GetCertificateStatus', { ...certificate, responderUrl }, answer);
    return answer;
  }

  iso15118Requests(stationId: string) {
    return this.repo.listIso15118Requests(stationId);
  }

  // ---- internals ----------------------------------------------------------------------

  private async csrProblem(stationId: string, csrPem: string, certificateType: SignedCertificateType): Promise<string | undefined> {
    try {
      const { csr, subject } = await verifiedCsr(csrPem);
      // the station certificate names the station (A00.FR.4xx, whitepaper §3.1.2); a V2G (SECC)
      // certificate names the SECC/EVSE, which OCPP does not tie to the station identity
      if (certificateType === 'ChargingStationCertificate' && subject.commonName !== stationId) {
        return `the CSR subject CN ${JSON.stringify(subject.commonName ?? '')} is not the station identity`;
      }
      if (!subject.organization) return 'the CSR subject has no organization (O)';
      if (this.options.organization !== undefined && subject.organization !== this.options.organization) {
        return `the CSR subject O ${JSON.stringify(subject.organization)} is not the operator's organization`;
      }
      return this.signer?.keyProblem?.({ certificateType, publicKeySpki: csr.publicKey.rawData });
    } catch (err) {
      if (err instanceof CertificateError) return err.message;
      throw err;
    }
  }

  private async deliver(row: CertificateRequest, signer: CertificateSigner): Promise<void> {
    // let the SignCertificate answer reach the station before the CertificateSigned call
    await new Promise((resolve) => setImmediate(resolve));
    let chain: string;
    try {
      chain = await signer.sign({ stationId: row.stationId, certificateType: row.certificateType as SignedCertificateType, csrPem: row.csr });
    } catch (err) {
      this.log.error({ err, station: row.stationId, requestId: row.id }, 'certificate signer failed');
      await this.repo.updateRequest(row.id, { status: 'SigningFailed', reason: err instanceof Error ? err.message : String(err) });
      return;
    }
    const rec = await this.commands.send(row.stationId, { kind: 'certificateSigned', certificateChain: chain, certificateType: row.certificateType as SignedCertificateType });
    await this.repo.updateRequest(row.id, { status: rec.status === 'Accepted' ? 'Delivered' : 'DeliveryFailed', reason: rec.failure, commandId: rec.id });
  }

  private track(task: Promise<void>): void {
    const guarded = task.catch((err: unknown) => this.log.error({ err }, 'certificate delivery failed'));
    this.deliveries.add(guarded);
    void guarded.finally(() => this.deliveries.delete(guarded));
  }

  /** A provider that throws answers Failed rather than failing the station's call. */
  private async ask<T extends ProviderAnswer>(call: () => Promise<T>, empty: Omit<T, keyof ProviderAnswer>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      this.log.error({ err }, 'ISO 15118 provider failed');
      return { ...empty, status: 'Failed', reasonCode: 'InternalError', additionalInfo: 'the certificate provider failed' } as T;
    }
  }

  private async recordIso15118(stationId: string, action: string, request: Record<string, unknown>, answer: ProviderAnswer): Promise<void> {
    await this.repo.addIso15118Request({ stationId, action, request, status: answer.status, reason: answer.additionalInfo ?? answer.reasonCode });
  }
}
