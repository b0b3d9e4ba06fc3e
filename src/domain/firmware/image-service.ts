import type { X509Certificate } from 'node:crypto';
import type { FirmwareImage } from '../../store/index.js';
import type { SecurityLog } from '../security/security-log.js';
import type { TransferService } from '../transfers/transfer-service.js';
import { verifyImageSignature, verifySigningCertificate, type FirmwareRefusal } from './signature.js';

export interface SignedUpload {
  name: string;
  version?: string;
  data: Buffer;
  /** base64, RSA/ECDSA with SHA-256 over the image */
  signature: string;
  /** PEM, leaf first */
  signingCertificate: string;
  /** who uploaded (user or API key id) and from where: for the security log */
  actor: string;
  actorRole?: string;
  sourceIp?: string;
}

/** An upload the platform refused; `reason` is one of the stable FirmwareRefusal codes. */
export class FirmwareRefused extends Error {
  constructor(readonly reason: FirmwareRefusal, message: string) {
    super(message);
    this.name = 'FirmwareRefused';
  }
}

/**
 * Signed firmware images for campaigns (OP8): an image is stored only after its signing
 * certificate chained to a configured vendor anchor and its signature verified over the exact
 * bytes. A refusal is a security event: a tampered image or a foreign certificate on its way to
 * the fleet is what this check exists for.
 */
export class FirmwareImageService {
  constructor(
    private readonly transfers: TransferService,
    private readonly security: SecurityLog,
    private readonly anchors: () => readonly X509Certificate[],
  ) {}

  async upload(u: SignedUpload): Promise<FirmwareImage> {
    const trust = verifySigningCertificate(u.signingCertificate, this.anchors());
    const verdict = trust.ok ? verifyImageSignature(u.data, u.signature, u.signingCertificate) : trust;
    if (!verdict.ok) {
      await this.security.record({
        type: verdict.reason === 'InvalidSignature' || verdict.reason === 'MalformedSignature' ? 'InvalidFirmwareSignature' : 'InvalidFirmwareSigningCertificate',
        severity: 'high', actor: u.actor, actorRole: u.actorRole, sourceIp: u.sourceIp,
        description: `firmware image "${u.name.slice(0, 100)}" refused at upload: ${verdict.reason}`,
        details: { reason: verdict.reason, name: u.name.slice(0, 200), size: u.data.length, ...(verdict.subject && { signer: verdict.subject }) },
      });
      throw new FirmwareRefused(verdict.reason, verdict.message);
    }
    return this.transfers.registerFirmware({ name: u.name, version: u.version, data: u.data, signature: u.signature.replace(/\s+/g, ''), signingCertificate: u.signingCertificate });
  }

  list(): Promise<FirmwareImage[]> {
    return this.transfers.firmwareImages();
  }

  get(id: number): Promise<FirmwareImage | undefined> {
    return this.transfers.firmware(id);
  }
}
