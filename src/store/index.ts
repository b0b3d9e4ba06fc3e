export { openStore, type Store, type StoreOptions } from './db.js';
export { DataDirInUseError } from './data-lock.js';
export { PGliteDialect, type PGliteDialectConfig } from './dialect/pglite.js';
export { migrateToLatest, MigrationError } from './migrations/migrate.js';
export { migrations, type NamedMigration } from './migrations/index.js';
export { BatchWriter, type BatchWriterOptions, type BatchWriterStats, type ColumnSpec } from './batch-writer.js';
export { BatchUpdater, type BatchUpdaterOptions } from './batch-updater.js';
export { GroupCommit, type GroupCommitOptions, type GroupCommitStats } from './group-commit.js';
export { openRepositories, type BatchOptions, type Repositories } from './repositories.js';
export { DuplicateError, InUseError, isForeignKeyViolation, isUniqueViolation } from './errors.js';
export type * from './schema.js';
export type { Page } from './repos/page.js';
export { StationRepo, type BootInfo, type NewStationInput } from './repos/stations.js';
export { ConnectorRepo, type StatusUpdate, type StatusWriter } from './repos/connectors.js';
export { TokenRepo, type IdTokenInput } from './repos/tokens.js';
export {
  TransactionRepo,
  type EndTransactionInput,
  type StartTransactionInput,
  type TransactionPatch,
  type TransactionProgressRow,
  type TransactionProgressWriter,
  type TransactionQuery,
} from './repos/transactions.js';
export { MeterValueRepo, type MeterValueInput } from './repos/meter-values.js';
export { SecurityEventRepo, type SecurityEventInput } from './repos/security-events.js';
export { DeviceModelRepo, type DeviceVariableInput } from './repos/device-model.js';
export { CommandRepo, type CommandAnswer } from './repos/commands.js';
export { SmartChargingRepo, type ChargingLimitInput, type EvChargingNeedsInput, type ProfileInput } from './repos/smart-charging.js';
export { TariffRepo, type TariffInput } from './repos/tariffs.js';
export { ReservationRepo, openReservationStatuses, type NewReservationInput } from './repos/reservations.js';
export { LocalAuthListRepo } from './repos/local-auth-lists.js';
export { CertificateRepo, type InstalledCertificateInput } from './repos/certificates.js';
export { FileRepo, type NewFirmwareImage, type NewStationFile, type NewTransfer } from './repos/files.js';
export { MonitorRepo, DeviceEventRepo, type MonitorInput, type DeviceEventInput } from './repos/monitoring.js';
export { CustomerInformationRepo, type CustomerInformationPartInput } from './repos/customer-information.js';
export { DisplayMessageRepo, type DisplayMessageInput } from './repos/display-messages.js';
export { PkiRepo, type IssuedCertificateInput } from './repos/pki.js';
export type { DeviceVariableAnswer, DeviceVariableFilter } from './repos/device-model.js';
export { PasswordRotationRepo } from './repos/password-rotations.js';
export { LocationRepo, type EvseInput, type LocationInput, type LocationQuery } from './repos/locations.js';
export { Iso15118PkiRepo, type NewIso15118PkiCertificate } from './repos/iso15118-pki.js';
export { FirmwareCampaignRepo, type NewCampaign, type StationCounts } from './repos/firmware-campaigns.js';
