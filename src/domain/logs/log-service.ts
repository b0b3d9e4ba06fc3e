import type { CommandKind } from '../commands.js';
import type { CommandRecord, CommandService } from '../journal/command-service.js';
import type { TransferService } from '../transfers/transfer-service.js';
import type { StationFile } from '../../store/index.js';

export interface LogRequest {
  logType: 'diagnostics' | 'security';
  from?: Date;
  to?: Date;
  retries?: number;
  retryInterval?: number;
}

const logKinds: readonly CommandKind[] = ['getLog'];

/**
 * Logs and diagnostics for both versions: asks a station to upload a log to a freshly minted,
 * single-use upload URL, records the upload status notifications in the command journal, and
 * lists the files stations uploaded.
 */
export class LogService {
  constructor(
    private readonly commands: CommandService,
    private readonly transfers: TransferService,
  ) {}

  async request(stationId: string, r: LogRequest): Promise<CommandRecord> {
    const { url } = await this.transfers.mintUpload(stationId, r.logType === 'security' ? 'securityLog' : 'diagnostics');
    return this.commands.send(stationId, {
      kind: 'getLog', logType: r.logType, location: url,
      ...(r.from && { from: r.from.toISOString() }),
      ...(r.to && { to: r.to.toISOString() }),
      ...(r.retries !== undefined && { retries: r.retries }),
      ...(r.retryInterval !== undefined && { retryInterval: r.retryInterval }),
    });
  }

  /** An upload status notification; 1.6 DiagnosticsStatusNotification has no requestId: the newest log request takes it. */
  status(stationId: string, requestId: number | undefined, status: string): Promise<number | undefined> {
    return this.commands.progress(stationId, logKinds, requestId, status);
  }

  /** Files the station uploaded, newest first. */
  files(stationId: string): Promise<StationFile[]> {
    return this.transfers.stationFiles(stationId);
  }
}
