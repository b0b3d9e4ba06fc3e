import type { DomainEvents } from './events.js';
import type { SecurityLog } from './security/security-log.js';
import type { StationService } from './stations/station-service.js';
import type { TokenService } from './tokens/token-service.js';
import type { TransactionService } from './transactions/transaction-service.js';
import type { DataTransferRegistry } from './data-transfer.js';
import type { DeviceModelService } from './device-model/device-model-service.js';
import type { CommandService } from './journal/command-service.js';
import type { SmartChargingService } from './smart-charging/smart-charging-service.js';
import type { TariffService } from './tariffs/tariff-service.js';

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
  /** charging profiles, external limits, EV charging needs (1.6 Smart Charging, 2.0.1 block K) */
  smartCharging: SmartChargingService;
  /** tariffs and transaction cost (2.0.1 block I) */
  tariffs: TariffService;
}
