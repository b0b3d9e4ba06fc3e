import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileKind, FileRepo, FileTransfer, FirmwareImage, StationFile, TransferPurpose } from '../../store/index.js';
import type { SecurityLog } from '../security/security-log.js';

export interface TransferOptions {
  dataDir: string;
  /** lifetime of a minted URL (s) */
  ttlS: number;
  maxUploadBytes: number;
  /** public base URL; unset until the HTTP server knows its port (see setBaseUrl) */
  publicUrl?: string;
}

export interface MintedUrl {
  url: string;
  expiresAt: Date;
}

export interface RegisterFirmware {
  name: string;
  version?: string;
  data: Buffer | Readable;
  /** both present: the image is sent as a signed update (1.6 SignedUpdateFirmware, 2.0.1 L01) */
  signature?: string;
  signingCertificate?: string;
}

/** An upload that went over the size limit. */
export class UploadTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`upload larger than ${limit} bytes`);
    this.name = 'UploadTooLarge';
  }
}

/** base64url of 32 random bytes (256 bits): the only part of a transfer URL that grants anything. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const PRUNE_EVERY_MS = 600_000;
const PRUNE_AFTER_MS = 86_400_000;
const hashOf = (token: string): string => createHash('sha256').update(token).digest('hex');

/** A station-given file name reduced to a harmless label; it never becomes part of a path. */
export function safeLabel(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '').slice(0, 100);
  return clean || undefined;
}

/**
 * The files the protocol implies, served by the platform itself over HTTP: it mints per-request
 * random URLs bound to one station, one purpose and an expiry (only the token's hash is kept),
 * receives uploaded logs into generated files under the data folder, and keeps the firmware
 * images the operator registered, with their SHA-256 (and MD5, which 2.0.1 PublishFirmware uses).
 */
export class TransferService {
  private baseUrl: string | undefined;
  private lastPrune = 0;
  private readonly uploadDir: string;
  private readonly firmwareDir: string;

  constructor(
    private readonly repo: FileRepo,
    private readonly security: SecurityLog,
    private readonly o: TransferOptions,
  ) {
    this.baseUrl = o.publicUrl;
    this.uploadDir = join(o.dataDir, 'files', 'uploads');
    this.firmwareDir = join(o.dataDir, 'files', 'firmware');
  }

  get maxUploadBytes(): number {
    return this.o.maxUploadBytes;
  }

  /** Called once the HTTP server listens, unless OV2X_PUBLIC_URL fixed the base URL. */
  setListenAddress(host: string, port: number): void {
    if (this.o.publicUrl) return;
    const h = host === '0.0.0.0' || host === '::' ? hostname() : host.includes(':') ? `[${host}]` : host;
    this.baseUrl = `http://${h}:${port}`;
  }

  /** A URL the station uploads one file to (PUT to it or below it, or multipart POST). */
  mintUpload(stationId: string, kind: Exclude<FileKind, 'firmware'>): Promise<MintedUrl> {
    return this.mint(stationId, 'upload', kind);
  }

  /** A URL the station downloads a registered firmware image from, as often as it needs until expiry. */
  async mintDownload(stationId: string, firmwareId: number): Promise<MintedUrl & { image: FirmwareImage }> {
    const image = await this.repo.firmware(firmwareId);
    if (!image) throw new RangeError(`no firmware image ${firmwareId}`);
    const minted = await this.mint(stationId, 'download', 'firmware', image);
    return { ...minted, image };
  }

  /**
   * The transfer a request may use, or undefined: unknown token, other station, other purpose,
   * expired or (uploads) already used all look the same to the caller. Misuse of a real token is
   * recorded as a security event, without the token.
   */
  async authorize(stationId: string, token: string, purpose: TransferPurpose, sourceIp: string): Promise<FileTransfer | undefined> {
    if (!TOKEN.test(token)) return undefined;
    const t = await this.repo.transferByHash(hashOf(token));
    if (!t) return undefined;
    const refusal = t.stationId !== stationId ? 'wrong station'
      : t.purpose !== purpose ? 'wrong purpose'
      : t.expiresAt.getTime() <= Date.now() ? 'expired'
      : purpose === 'upload' && t.usedAt ? 'already used'
      : undefined;
    if (!refusal) return t;
    await this.security.record({ stationId: t.stationId, type: 'FileTransferRefused', severity: 'warning', sourceIp, details: { transferId: t.id, reason: refusal, requestedFor: stationId.slice(0, 48) } });
    return undefined;
  }

  /** Takes an upload transfer for one upload; false if another request took it first. */
  claim(t: FileTransfer): Promise<boolean> {
    return this.repo.claimUpload(t.id, new Date());
  }

  /** Gives back a claimed upload transfer the request did not use. */
  release(t: FileTransfer): Promise<void> {
    return this.repo.releaseUpload(t.id);
  }

  /**
   * Stores an upload body under a generated name, hashing it on the way. Over the limit it
   * throws UploadTooLarge; any failure removes the partial file and frees the transfer for a retry.
   */
  async receive(t: FileTransfer, body: Readable, meta: { originalName?: string; contentType?: string }): Promise<StationFile> {
    await mkdir(this.uploadDir, { recursive: true, mode: 0o700 });
    const storageName = randomUUID();
    const path = join(this.uploadDir, storageName);
    const hash = createHash('sha256');
    let size = 0;
    const limit = this.o.maxUploadBytes;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > limit) return done(new UploadTooLarge(limit));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
      const file = await this.repo.addStationFile({
        stationId: t.stationId, transferId: t.id, fileKind: t.fileKind, originalName: safeLabel(meta.originalName),
        storageName, contentType: meta.contentType?.slice(0, 100), size, sha256: hash.digest('hex'),
      });
      // a station's security log joins the security log (issue 7, OP5): its SHA-256 in the hash chain makes the file tamper-evident too
      if (t.fileKind === 'securityLog') {
        await this.security.record({ stationId: t.stationId, origin: 'station', type: 'SecurityLogUploaded', severity: 'info', description: `security log uploaded by station ${t.stationId}`, details: { fileId: file.id, size, sha256: file.sha256 } });
      }
      return file;
    } catch (err) {
      await rm(path, { force: true });
      await this.repo.releaseUpload(t.id);
      throw err;
    }
  }

  /** The firmware image a download transfer serves. */
  async openDownload(t: FileTransfer): Promise<{ image: FirmwareImage; stream: Readable } | undefined> {
    const image = t.firmwareId === null ? undefined : await this.repo.firmware(t.firmwareId);
    if (!image) return undefined;
    return { image, stream: createReadStream(join(this.firmwareDir, image.storageName)) };
  }

  /** Registers a firmware image: stored under a generated name, with its SHA-256 and MD5. */
  async registerFirmware(f: RegisterFirmware): Promise<FirmwareImage> {
    if (!f.name.trim()) throw new RangeError('a firmware image needs a name');
    if ((f.signature === undefined) !== (f.signingCertificate === undefined)) throw new RangeError('a signed image needs both signature and signing certificate');
    await mkdir(this.firmwareDir, { recursive: true, mode: 0o700 });
    const storageName = randomUUID();
    const path = join(this.firmwareDir, storageName);
    const sha256 = createHash('sha256');
    // MD5 only because 2.0.1 PublishFirmware names the image by it; integrity rests on SHA-256
    const md5 = createHash('md5');
    const hasher = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sha256.update(chunk);
        md5.update(chunk);
        done(null, chunk);
      },
    });
    const source = Buffer.isBuffer(f.data) ? [f.data] : f.data;
    try {
      await pipeline(source, hasher, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
      const { size } = await stat(path);
      return await this.repo.addFirmware({
        name: f.name.trim().slice(0, 200), version: f.version, storageName, size, sha256: sha256.digest('hex'), md5: md5.digest('hex'),
        signature: f.signature, signingCertificate: f.signingCertificate,
      });
    } catch (err) {
      await rm(path, { force: true });
      throw err;
    }
  }

  firmware(id: number): Promise<FirmwareImage | undefined> {
    return this.repo.firmware(id);
  }

  firmwareImages(): Promise<FirmwareImage[]> {
    return this.repo.firmwareImages();
  }

  /** Files a station uploaded, newest first. */
  stationFiles(stationId: string): Promise<StationFile[]> {
    return this.repo.stationFiles(stationId);
  }

  /** Where an uploaded file's bytes are. */
  pathOf(file: StationFile): string {
    return join(this.uploadDir, file.storageName);
  }

  /** Forgets transfer URLs expired for a day (kept that long for audits of refused uses); at most every ten minutes. */
  private pruneNowAndThen(): void {
    const now = Date.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    this.repo.pruneTransfers(new Date(now - PRUNE_AFTER_MS)).catch(() => undefined);
  }

  private async mint(stationId: string, purpose: TransferPurpose, fileKind: FileKind, image?: FirmwareImage): Promise<MintedUrl> {
    if (!this.baseUrl) throw new Error('the transfer base URL is not known yet (HTTP server not listening)');
    this.pruneNowAndThen();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.o.ttlS * 1000);
    await this.repo.createTransfer({ tokenHash: hashOf(token), stationId, purpose, fileKind, firmwareId: image?.id, expiresAt });
    // a download URL ends in a file name because stations often keep the last segment as one
    const tail = image ? `/${encodeURIComponent(safeLabel(image.name) ?? 'firmware.bin')}` : '';
    return { url: `${this.baseUrl}/transfers/${encodeURIComponent(stationId)}/${token}${tail}`, expiresAt };
  }
}
