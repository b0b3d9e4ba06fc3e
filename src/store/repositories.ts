// All repositories over one Kysely instance, with the batching writers they
// own, so the application opens and drains them in one place.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { CommandRepo } from './repos/commands.js';
import { CertificateRepo } from './repos/certificates.js';
import { ConnectorRepo } from './repos/connectors.js';
import { DeviceModelRepo } from './repos/device-model.js';
import { MeterValueRepo } from './repos/meter-values.js';
import { SecurityEventRepo } from './repos/security-events.js';
import { BlockListRepo } from './repos/block-lists.js';
import { IdsAlertRepo } from './repos/ids-alerts.js';
import { StationRepo } from './repos/stations.js';
import { TokenRepo } from './repos/tokens.js';
import { SmartChargingRepo } from './repos/smart-charging.js';
import { TariffRepo } from './repos/tariffs.js';
import { TransactionRepo, type TransactionProgressWriter } from './repos/transactions.js';
import { PasswordRotationRepo } from './repos/password-rotations.js';
import { ReservationRepo } from './repos/reservations.js';
import { LocalAuthListRepo } from './repos/local-auth-lists.js';
import { FileRepo } from './repos/files.js';
import { Iso15118PkiRepo } from './repos/iso15118-pki.js';
import { DeviceEventRepo, MonitorRepo } from './repos/monitoring.js';
import { CustomerInformationRepo } from './repos/customer-information.js';
import { RetentionRepo } from './repos/retention.js';
import { DisplayMessageRepo } from './repos/display-messages.js';
import { PkiRepo } from './repos/pki.js';
import { UserRepo } from './repos/users.js';
import { ApiSessionRepo } from './repos/api-sessions.js';
import { AuditRepo } from './repos/audit.js';
import { StationGroupRepo } from './repos/station-groups.js';
import { ApiKeyRepo } from './repos/api-keys.js';
import { WebhookRepo } from './repos/webhooks.js';
import { CdrRepo } from './repos/cdrs.js';
import { CustomerRepo } from './repos/customers.js';
import { LocationRepo } from './repos/locations.js';
import { StationOpsRepo } from './repos/station-ops.js';
import { OperationsRepo } from './repos/operations.js';
import { DataKeyRepo } from './repos/data-keys.js';
import { InvoiceRepo } from './repos/invoices.js';

export interface BatchOptions {
  /** Most rows per batched statement (default 500). */
  maxBatch?: number;
  /** How long a batch waits for more rows (default 5 ms). */
  flushMs?: number;
  /** Batched writes in flight at once (see GroupCommitOptions). */
  maxInFlight?: number;
}

export interface Repositories {
  stations: StationRepo;
  connectors: ConnectorRepo;
  tokens: TokenRepo;
  transactions: TransactionRepo;
  transactionProgress: TransactionProgressWriter;
  meterValues: MeterValueRepo;
  securityEvents: SecurityEventRepo;
  /** intrusion detection alerts (issue 7, migration 0029) */
  idsAlerts: IdsAlertRepo;
  deviceModel: DeviceModelRepo;
  commands: CommandRepo;
  reservations: ReservationRepo;
  localAuthLists: LocalAuthListRepo;
  retention: RetentionRepo;
  certificates: CertificateRepo;
  files: FileRepo;
  monitors: MonitorRepo;
  deviceEvents: DeviceEventRepo;
  customerInformation: CustomerInformationRepo;
  displayMessages: DisplayMessageRepo;
  smartCharging: SmartChargingRepo;
  tariffs: TariffRepo;
  passwordRotations: PasswordRotationRepo;
  iso15118Pki: Iso15118PkiRepo;
  pki: PkiRepo;
  users: UserRepo;
  apiSessions: ApiSessionRepo;
  audit: AuditRepo;
  stationGroups: StationGroupRepo;
  apiKeys: ApiKeyRepo;
  webhooks: WebhookRepo;
  cdrs: CdrRepo;
  customers: CustomerRepo;
  locations: LocationRepo;
  dataKeys: DataKeyRepo;
  invoices: InvoiceRepo;
  /** decommissioning and the operations API's read models (issue 6) */
  stationOps: StationOpsRepo;
  /** the portal's read models: dashboard counts, scoped session lists */
  operations: OperationsRepo;
  /** IP / identity block and allow lists (issue 7) */
  blockLists: BlockListRepo;
  /** Drains the batching writers (status writers are closed by their owners). */
  close(): Promise<void>;
}

export function openRepositories(db: Kysely<Database>, batch: BatchOptions = {}): Repositories {
  const batchOptions = { maxBatch: batch.maxBatch, flushMs: batch.flushMs, maxInFlight: batch.maxInFlight };
  const transactions = new TransactionRepo(db);
  const transactionProgress = transactions.progressWriter(batchOptions);
  const meterValues = new MeterValueRepo(db, batchOptions);
  return {
    stations: new StationRepo(db),
    connectors: new ConnectorRepo(db),
    tokens: new TokenRepo(db),
    transactions,
    transactionProgress,
    meterValues,
    securityEvents: new SecurityEventRepo(db),
    idsAlerts: new IdsAlertRepo(db),
    deviceModel: new DeviceModelRepo(db),
    commands: new CommandRepo(db),
    reservations: new ReservationRepo(db),
    localAuthLists: new LocalAuthListRepo(db),
    retention: new RetentionRepo(db),
    certificates: new CertificateRepo(db),
    files: new FileRepo(db),
    monitors: new MonitorRepo(db),
    deviceEvents: new DeviceEventRepo(db),
    customerInformation: new CustomerInformationRepo(db),
    displayMessages: new DisplayMessageRepo(db),
    smartCharging: new SmartChargingRepo(db),
    tariffs: new TariffRepo(db),
    passwordRotations: new PasswordRotationRepo(db),
    iso15118Pki: new Iso15118PkiRepo(db),
    pki: new PkiRepo(db),
    users: new UserRepo(db),
    apiSessions: new ApiSessionRepo(db),
    audit: new AuditRepo(db),
    stationGroups: new StationGroupRepo(db),
    apiKeys: new ApiKeyRepo(db),
    webhooks: new WebhookRepo(db),
    cdrs: new CdrRepo(db),
    customers: new CustomerRepo(db),
    locations: new LocationRepo(db),
    dataKeys: new DataKeyRepo(db),
    invoices: new InvoiceRepo(db),
    stationOps: new StationOpsRepo(db),
    operations: new OperationsRepo(db),
    blockLists: new BlockListRepo(db),
    async close() {
      await Promise.all([transactionProgress.close(), meterValues.close()]);
    },
  };
}
