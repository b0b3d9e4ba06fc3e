import type { CommandKind } from '../commands.js';
import type { CommandRecord, CommandService } from '../journal/command-service.js';
import type { TransferService } from '../transfers/transfer-service.js';

export interface FirmwareUpdateOptions {
  /** when the station may start downloading (default now) */
  retrieveAt?: Date;
  installAt?: Date;
  retries?: number;
  retryInterval?: number;
}

const updateKinds: readonly CommandKind[] = ['updateFirmware'];
const publishKinds: readonly CommandKind[] = ['publishFirmware'];

/**
 * Firmware management for both versions: sends a registered image to a station through a
 * freshly minted download URL (signed update when the image carries a signature), publishes
 * images on local controllers, and records the station's firmware status timeline in the
 * command journal.
 */
export class FirmwareService {
  constructor(
    private readonly commands: CommandService,
    private readonly transfers: TransferService,
  ) {}

  async update(stationId: string, firmwareId: number, o: FirmwareUpdateOptions = {}): Promise<CommandRecord> {
    const { url, image } = await this.transfers.mintDownload(stationId, firmwareId);
    return this.commands.send(stationId, {
      kind: 'updateFirmware', location: url,
      retrieveAt: (o.retrieveAt ?? new Date()).toISOString(),
      ...(o.installAt && { installAt: o.installAt.toISOString() }),
      ...(o.retries !== undefined && { retries: o.retries }),
      ...(o.retryInterval !== undefined && { retryInterval: o.retryInterval }),
      ...(image.signature !== null && image.signingCertificate !== null && { signature: image.signature, signingCertificate: image.signingCertificate }),
    });
  }

  async publish(stationId: string, firmwareId: number, o: Pick<FirmwareUpdateOptions, 'retries' | 'retryInterval'> = {}): Promise<CommandRecord> {
    const { url, image } = await this.transfers.mintDownload(stationId, firmwareId);
    return this.commands.send(stationId, { kind: 'publishFirmware', location: url, checksum: image.md5, ...o });
  }

  async unpublish(stationId: string, firmwareId: number): Promise<CommandRecord> {
    const image = await this.transfers.firmware(firmwareId);
    if (!image) throw new RangeError(`no firmware image ${firmwareId}`);
    return this.commands.send(stationId, { kind: 'unpublishFirmware', checksum: image.md5 });
  }

  /**
   * A firmware status notification. 1.6's plain one carries no requestId: it belongs to the
   * newest update command of the station.
   */
  status(stationId: string, requestId: number | undefined, status: string): Promise<number | undefined> {
    return this.commands.progress(stationId, updateKinds, requestId, status);
  }

  publishStatus(stationId: string, requestId: number | undefined, status: string, locations?: readonly string[]): Promise<number | undefined> {
    return this.commands.progress(stationId, publishKinds, requestId, status, locations ? { locations } : {});
  }
}
