import { sql, type Kysely } from 'kysely';
import type { Database, FileKind, FileTransfer, FirmwareImage, StationFile, TransferPurpose } from '../schema.js';

export interface NewTransfer {
  tokenHash: string;
  stationId: string;
  purpose: TransferPurpose;
  fileKind: FileKind;
  firmwareId?: number;
  expiresAt: Date;
}

export interface NewFirmwareImage {
  name: string;
  version?: string;
  storageName: string;
  size: number;
  sha256: string;
  md5: string;
  signature?: string;
  signingCertificate?: string;
}

export interface NewStationFile {
  stationId: string;
  transferId: number;
  fileKind: FileKind;
  originalName?: string;
  storageName: string;
  contentType?: string;
  size: number;
  sha256: string;
}

/** Transfer URLs (by token hash), uploaded station files and registered firmware images. */
export class FileRepo {
  constructor(private readonly db: Kysely<Database>) {}

  createTransfer(t: NewTransfer): Promise<FileTransfer> {
    return this.db.insertInto('fileTransfers')
      .values({ ...t, firmwareId: t.firmwareId ?? null, usedAt: null })
      .returningAll().executeTakeFirstOrThrow();
  }

  transferByHash(tokenHash: string): Promise<FileTransfer | undefined> {
    return this.db.selectFrom('fileTransfers').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst();
  }

  /** Claims an unexpired, unused upload transfer atomically: of two concurrent uploads, one wins. */
  async claimUpload(id: number, now: Date): Promise<boolean> {
    const r = await this.db.updateTable('fileTransfers').set({ usedAt: now })
      .where('id', '=', id).where('usedAt', 'is', null).where('expiresAt', '>', now)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** Gives a claimed transfer back after a failed upload, so the station's retry can use it. */
  async releaseUpload(id: number): Promise<void> {
    await this.db.updateTable('fileTransfers').set({ usedAt: null }).where('id', '=', id).execute();
  }

  addStationFile(f: NewStationFile): Promise<StationFile> {
    return this.db.insertInto('stationFiles')
      .values({ ...f, originalName: f.originalName ?? null, contentType: f.contentType ?? null })
      .returningAll().executeTakeFirstOrThrow();
  }

  /** Newest first. */
  stationFiles(stationId: string, limit = 100): Promise<StationFile[]> {
    return this.db.selectFrom('stationFiles').selectAll().where('stationId', '=', stationId).orderBy('id', 'desc').limit(limit).execute();
  }

  stationFile(id: number): Promise<StationFile | undefined> {
    return this.db.selectFrom('stationFiles').selectAll().where('id', '=', id).executeTakeFirst();
  }

  addFirmware(f: NewFirmwareImage): Promise<FirmwareImage> {
    return this.db.insertInto('firmwareImages')
      .values({ ...f, version: f.version ?? null, signature: f.signature ?? null, signingCertificate: f.signingCertificate ?? null })
      .returningAll().executeTakeFirstOrThrow();
  }

  firmware(id: number): Promise<FirmwareImage | undefined> {
    return this.db.selectFrom('firmwareImages').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Newest first. */
  firmwareImages(limit = 100): Promise<FirmwareImage[]> {
    return this.db.selectFrom('firmwareImages').selectAll().orderBy('id', 'desc').limit(limit).execute();
  }

  /** Forgets expired transfer URLs (uploaded files keep theirs). */
  async pruneTransfers(now: Date): Promise<number> {
    const r = await this.db.deleteFrom('fileTransfers').where('expiresAt', '<', now)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('stationFiles').select(sql<number>`1`.as('one')).whereRef('stationFiles.transferId', '=', 'fileTransfers.id'))))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
