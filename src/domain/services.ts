import type { DomainEvents } from './events.js';
import type { SecurityLog } from './security/security-log.js';
import type { StationService } from './stations/station-service.js';
import type { TokenService } from './tokens/token-service.js';
import type { TransactionService } from './transactions/transaction-service.js';
import type { DataTransferRegistry } from './data-transfer.js';
import type { DeviceModelService } from './device-model/device-model-service.js';
import type { CommandService } from './journal/command-service.js';
import type { MonitoringService } from './monitoring/monitoring-service.js';
import type { CustomerInformationService } from './customer-information/customer-information-service.js';
import type { DisplayMessageService } from './display-messages/display-message-service.js';

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
  /** 2.0.1 monitors and events (block N) */
  monitoring: MonitoringService;
  /** 2.0.1 customer information reports (block N), personal data */
  customerInformation: CustomerInformationService;
  /** 2.0.1 display messages (block O) */
  displayMessages: DisplayMessageService;
}
