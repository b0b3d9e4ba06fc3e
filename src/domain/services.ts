import type { DomainEvents } from './events.js';
import type { SecurityLog } from './security/security-log.js';
import type { StationService } from './stations/station-service.js';
import type { TokenService } from './tokens/token-service.js';
import type { TransactionService } from './transactions/transaction-service.js';
import type { DataTransferRegistry } from './data-transfer.js';
import type { DeviceModelService } from './device-model/device-model-service.js';
import type { CommandService } from './journal/command-service.js';
import type { TransferService } from './transfers/transfer-service.js';
import type { FirmwareService } from './firmware/firmware-service.js';
import type { LogService } from './logs/log-service.js';

/** The domain as the protocol edges see it. */
export interface DomainServices {
  stations: StationService;
  tokens: TokenService;
  transactions: TransactionService;
  security: SecurityLog;
  events: DomainEvents;
  dataTransfer: DataTransferRegistry;
  deviceModel: DeviceModelService;
  /** send commands to stations and follow their progress */
  commands: CommandService;
  /** expiring transfer URLs, uploaded files, firmware images */
  transfers: TransferService;
  firmware: FirmwareService;
  logs: LogService;
}
