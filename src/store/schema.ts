// Typed view of the schema created by src/store/migrations. Property names are
// camelCase: openStore installs Kysely's CamelCasePlugin, which maps them to the
// snake_case columns in SQL and maps result rows back.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { TariffDefinition } from '../domain/tariffs/model.js';

/** timestamptz: read as Date; written as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** timestamptz with a database default (now()). */
export type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** bigserial: read as number (ids stay below 2^53), never written by us. */
export type Id = ColumnType<number, never, never>;
/**
 * jsonb: read as the parsed value; written as JSON text, because node-postgres
 * would turn a JS array parameter into a Postgres array literal, not JSON.
 */
export type Json<T> = ColumnType<T, string, string>;
export type GeneratedJson<T> = ColumnType<T, string | undefined, string>;

export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected';
export type IdTokenStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid';
export type TransactionState = 'active' | 'ended';
export type Severity = 'info' | 'warning' | 'high' | 'critical';

export interface StationsTable {
  /** OCPP identity (<= 48 chars). */
  id: string;
  /** Keyed hash of the Basic-auth password; never the password itself. */
  passwordHash: string | null;
  /** keyed hash of a rotated-in password the station has not yet used (migration 0012) */
  pendingPasswordHash: ColumnType<string | null, string | null | undefined, string | null>;
  /** the security profile the platform told the station to move to (migration 0013) */
  securityProfileTarget: ColumnType<number | null, number | null | undefined, number | null>;
  securityProfile: Generated<number>;
  registrationStatus: ColumnType<RegistrationStatus, RegistrationStatus | undefined, RegistrationStatus>;
  protocol: string | null;
  vendor: string | null;
  model: string | null;
  serialNumber: string | null;
  firmwareVersion: string | null;
  iccid: string | null;
  imsi: string | null;
  meterType: string | null;
  meterSerialNumber: string | null;
  lastBootAt: Timestamp | null;
  lastSeenAt: Timestamp | null;
  createdAt: GeneratedTimestamp;
  updatedAt: GeneratedTimestamp;
  /** RBAC scope (migration 0014); null = in no group */
  groupId: ColumnType<string | null, string | null | undefined, string | null>;
  /** the location it stands at (migration 0017); null = not attached */
  locationId: ColumnType<string | null, string | null | undefined, string | null>;
  /** taken out of service (migration 0023): refused at the upgrade, shown as REMOVED; null = in service */
  decommissionedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface ConnectorsTable {
  stationId: string;
  evseId: number;
  connectorId: number;
  status: string;
  errorCode: string | null;
  info: string | null;
  statusAt: Timestamp;
  updatedAt: GeneratedTimestamp;
}

export interface StatusHistoryTable {
  id: Id;
  stationId: string;
  evseId: number;
  connectorId: number;
  status: string;
  errorCode: string | null;
  info: string | null;
  statusAt: Timestamp;
  receivedAt: GeneratedTimestamp;
}

export interface IdTokensTable {
  /** surrogate key (migration 0024) */
  id: Generated<number>;
  /** the plaintext UID: null once protected (migration 0024); only an unprotected repo writes it */
  idToken: ColumnType<string | null, string | null | undefined, string | null>;
  type: ColumnType<string, string | undefined, string>;
  status: IdTokenStatus;
  expiresAt: Timestamp | null;
  groupIdToken: string | null;
  createdAt: GeneratedTimestamp;
  updatedAt: GeneratedTimestamp;
  /** AES-256-GCM box of the UID under a data key (migration 0019); null until backfilled */
  uidEncrypted: ColumnType<string | null, string | null | undefined, string | null>;
  /** blind index: HMAC-SHA-256 of the normalized UID (migration 0019) */
  uidIndex: ColumnType<string | null, string | null | undefined, string | null>;
  /** display pseudonym `tok_…` (migration 0019) */
  pseudonym: ColumnType<string | null, string | null | undefined, string | null>;
  /** the customer the token belongs to (migration 0020) */
  customerId: ColumnType<number | null, number | null | undefined, number | null>;
  /** the eMSP contract (eMAID) it charges under (migration 0020) */
  contractId: ColumnType<string | null, string | null | undefined, string | null>;
}

export type CustomerStatus = 'active' | 'erased';
/** A consent as given or withdrawn, with the version of the text the customer saw. */
export interface Consent { granted: boolean; at: string; version?: string }

/** A customer of the eMSP (migration 0020): personal fields only as AEAD boxes. */
export interface CustomersTable {
  id: Id;
  reference: string;
  status: ColumnType<CustomerStatus, CustomerStatus | undefined, CustomerStatus>;
  nameEncrypted: ColumnType<string | null, string | null | undefined, string | null>;
  emailEncrypted: ColumnType<string | null, string | null | undefined, string | null>;
  emailIndex: ColumnType<string | null, string | null | undefined, string | null>;
  phoneEncrypted: ColumnType<string | null, string | null | undefined, string | null>;
  billingAddressEncrypted: ColumnType<string | null, string | null | undefined, string | null>;
  paymentReferenceEncrypted: ColumnType<string | null, string | null | undefined, string | null>;
  consents: GeneratedJson<Record<string, Consent>>;
  createdAt: GeneratedTimestamp;
  updatedAt: GeneratedTimestamp;
  erasedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
}
export type CustomerRow = Selectable<CustomersTable>;

/** Every grant and withdrawal of a customer's consent (migration 0022), append-only. */
export interface CustomerConsentEventsTable {
  id: Id;
  customerId: number;
  consent: string;
  granted: boolean;
  version: string | null;
  recordedBy: string;
  at: GeneratedTimestamp;
}
export type CustomerConsentEvent = Selectable<CustomerConsentEventsTable>;

/** A data key wrapped by a master key (migration 0019). */
export interface DataKeysTable {
  id: string;
  purpose: string;
  masterKeyId: string;
  wrapped: string;
  createdAt: GeneratedTimestamp;
  rewrappedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
}
export type DataKeyRecord = Selectable<DataKeysTable>;

export interface TransactionsTable {
  /** OCPP 1.6 transactionId. Assigned from transactions_id_seq by TransactionRepo.start. */
  id: ColumnType<number, number, never>;
  stationId: string;
  /** OCPP 2.0.1 transactionId; String(id) for 1.6. */
  transactionRef: string;
  protocol: string;
  evseId: number | null;
  connectorId: number | null;
  idToken: string | null;
  state: ColumnType<TransactionState, TransactionState | undefined, TransactionState>;
  startedAt: Timestamp;
  endedAt: Timestamp | null;
  meterStartWh: number | null;
  meterStopWh: number | null;
  energyWh: number | null;
  stopReason: string | null;
  remoteStartId: number | null;
  reservationId: number | null;
  lastSeqNo: number | null;
  seqGaps: Generated<number>;
  offline: Generated<boolean>;
  chargingState: string | null;
  updatedAt: GeneratedTimestamp;
  /** who ended it: the station's stop message, or the platform (superseded, left open by a reboot) */
  closedBy: ColumnType<ClosedBy | null, ClosedBy | null | undefined, ClosedBy | null>;
}

export interface MeterValuesTable {
  id: Id;
  stationId: string;
  transactionId: number | null;
  evseId: number;
  sampledAt: Timestamp;
  context: string | null;
  /** The OCPP sampledValue array, verbatim. */
  sampledValue: Json<unknown[]>;
  receivedAt: GeneratedTimestamp;
}

export interface SecurityEventsTable {
  id: Id;
  occurredAt: GeneratedTimestamp;
  /** Not a foreign key: events about unknown stations are recorded too. */
  stationId: string | null;
  type: string;
  severity: Severity;
  sourceIp: string | null;
  details: GeneratedJson<Record<string, unknown>>;
  /** 'csms' (detected by the platform) or 'station' (SecurityEventNotification); migration 0007 */
  origin: ColumnType<SecurityEventOrigin, SecurityEventOrigin | undefined, SecurityEventOrigin>;
  /** hash chain (migration 0027): position, link to the previous record, own hash; null only for rows written around the chain */
  chainSeq: ColumnType<number | null, number | undefined, never>;
  prevHash: ColumnType<string | null, string | undefined, never>;
  hash: ColumnType<string | null, string | undefined, never>;
  /** when the CSMS stored it; chain order and retention age (0027) */
  recordedAt: GeneratedTimestamp;
  /** who acted, with which role(s), a sentence, the recording node (0027, OP4) */
  actor: ColumnType<string | null, string | null | undefined, never>;
  actorRole: ColumnType<string | null, string | null | undefined, never>;
  description: ColumnType<string | null, string | null | undefined, never>;
  node: ColumnType<string | null, string | null | undefined, never>;
}

/** The one-row head of the security log's hash chain (0027). */
export interface SecurityLogHeadTable {
  id: number;
  seq: number;
  hash: string;
}

/** Chain positions retention dropped records up to (0027). */
export interface SecurityLogCheckpointsTable {
  id: Id;
  seq: ColumnType<number, number, never>;
  hash: string;
  dropped: ColumnType<number, number, never>;
  reason: string;
  at: GeneratedTimestamp;
}

/** Delivery cursor of each SIEM export sink (0027). */
export interface SecurityLogSinkCursorsTable {
  sink: string;
  seq: number;
  dropped: ColumnType<number, number | undefined, number>;
  updatedAt: GeneratedTimestamp;
}

/** OCPP 2.0.1 device model (NotifyReport), one row per component/variable/attribute. */
export interface DeviceVariablesTable {
  stationId: string;
  component: string;
  componentInstance: ColumnType<string, string | undefined, string>;
  evseId: number | null;
  connectorId: number | null;
  variable: string;
  variableInstance: ColumnType<string, string | undefined, string>;
  attributeType: ColumnType<string, string | undefined, string>;
  value: string | null;
  mutability: string | null;
  characteristics: ColumnType<unknown, string | null | undefined, string | null>;
  reportedAt: GeneratedTimestamp;
  /** Generated coalesce(evse_id, -1) / coalesce(connector_id, -1), part of the primary key. */
  evseKey: ColumnType<number, never, never>;
  connectorKey: ColumnType<number, never, never>;
  /** the station's last answer about this attribute (GetVariables/SetVariables status), see migration 0008 */
  status: ColumnType<string | null, string | null | undefined, string | null>;
  statusReason: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Every command sent to a station (see migration 0003). */
export interface StationCommandsTable {
  id: Id;
  stationId: string;
  kind: string;
  action: string | null;
  requestId: number | null;
  /** the neutral command object, verbatim */
  command: Json<Record<string, unknown>>;
  status: ColumnType<string, string | undefined, string>;
  failure: string | null;
  response: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  /** the latest status reported by a follow-up notification */
  progress: string | null;
  createdAt: GeneratedTimestamp;
  answeredAt: Timestamp | null;
  updatedAt: GeneratedTimestamp;
}

export interface StationCommandUpdatesTable {
  id: Id;
  commandId: number;
  status: string;
  details: Json<Record<string, unknown>>;
  at: GeneratedTimestamp;
}

export type ClosedBy = 'station' | 'csms';

/** Pending until the station answers; then its answer, and later Used / Cancelled / Expired / Removed. */
export type ReservationStatus = 'Pending' | 'Accepted' | 'Faulted' | 'Occupied' | 'Rejected' | 'Unavailable' | 'Failed' | 'Used' | 'Cancelled' | 'Expired' | 'Removed';

/** Reservations (migration 0004); the id is the reservationId sent to the station. */
export interface ReservationsTable {
  id: Generated<number>;
  stationId: string;
  /** null = any EVSE (1.6 connectorId 0) */
  evseId: number | null;
  connectorType: string | null;
  idToken: string;
  groupIdToken: string | null;
  expiresAt: Timestamp;
  status: ColumnType<ReservationStatus, ReservationStatus | undefined, ReservationStatus>;
  transactionId: number | null;
  createdAt: GeneratedTimestamp;
  updatedAt: GeneratedTimestamp;
}

/** One entry of a local authorization list: the token's info as sent (absent = removed). */
export interface LocalListEntry {
  idToken: string;
  /** 2.0.1 IdTokenEnumType */
  type: string;
  info?: { status: IdTokenStatus; expiresAt?: string; groupIdToken?: string };
}

/** The local list a station holds as far as the CSMS knows (migration 0004). */
export interface LocalAuthListsTable {
  stationId: string;
  version: ColumnType<number, number | undefined, number>;
  lastSentVersion: ColumnType<number, number | undefined, number>;
  entries: Json<LocalListEntry[]>;
  lastStatus: string | null;
  syncedAt: Timestamp | null;
  updatedAt: GeneratedTimestamp;
}

/** 2.0.1 variable monitors (migration 0008): set by us or reported by the station. */
export interface VariableMonitorsTable {
  id: Id;
  stationId: string;
  monitorId: number | null;
  component: string;
  componentInstance: ColumnType<string, string | undefined, string>;
  evseId: number | null;
  connectorId: number | null;
  variable: string;
  variableInstance: ColumnType<string, string | undefined, string>;
  type: string;
  value: number;
  severity: number;
  transaction: ColumnType<boolean, boolean | undefined, boolean>;
  status: string;
  statusReason: string | null;
  updatedAt: GeneratedTimestamp;
}

/** 2.0.1 NotifyEvent events (migration 0008). */
export interface DeviceEventsTable {
  id: Id;
  stationId: string;
  eventId: number;
  occurredAt: Timestamp;
  trigger: string;
  cause: number | null;
  actualValue: string;
  techCode: string | null;
  techInfo: string | null;
  cleared: boolean;
  transactionId: string | null;
  component: string;
  componentInstance: string;
  evseId: number | null;
  connectorId: number | null;
  variable: string;
  variableInstance: string;
  variableMonitoringId: number | null;
  notificationType: string;
  generatedAt: Timestamp;
  seqNo: number;
  receivedAt: GeneratedTimestamp;
}

/** 2.0.1 NotifyCustomerInformation parts (migration 0008). Personal data. */
export interface CustomerInformationPartsTable {
  stationId: string;
  requestId: number;
  seqNo: number;
  tbc: boolean;
  data: string;
  generatedAt: Timestamp;
  receivedAt: GeneratedTimestamp;
}

/** 2.0.1 display messages (migration 0008). */
export interface DisplayMessagesTable {
  stationId: string;
  messageId: number;
  priority: string;
  state: string | null;
  startAt: Timestamp | null;
  endAt: Timestamp | null;
  transactionId: string | null;
  content: string;
  format: string;
  language: string | null;
  display: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  status: string | null;
  reportedAt: Timestamp | null;
  updatedAt: GeneratedTimestamp;
}

/** Charging profiles per station/EVSE (see migration 0005). */
export type ChargingProfileStatus = 'active' | 'rejected' | 'reported';
export interface ChargingProfilesTable {
  id: Id;
  stationId: string;
  evseId: number;
  profileId: number;
  stackLevel: number;
  purpose: string;
  status: ChargingProfileStatus;
  limitSource: ColumnType<string, string | undefined, string>;
  transactionRef: string | null;
  /** the neutral ChargingProfile */
  profile: Json<Record<string, unknown>>;
  commandId: number | null;
  updatedAt: GeneratedTimestamp;
}

/** External charging limits a 2.0.1 station notified (NotifyChargingLimit), per EVSE and source. */
export interface ChargingLimitsTable {
  stationId: string;
  evseId: number;
  source: string;
  isGridCritical: boolean | null;
  schedules: Json<unknown[]>;
  notifiedAt: GeneratedTimestamp;
}

/** The EV's last NotifyEVChargingNeeds per EVSE. */
export interface EvChargingNeedsTable {
  stationId: string;
  evseId: number;
  requestedEnergyTransfer: string;
  energyAmountWh: number | null;
  departureTime: Timestamp | null;
  maxScheduleTuples: number | null;
  acParameters: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  dcParameters: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  reportedAt: GeneratedTimestamp;
}

/** The EV's last NotifyEVChargingSchedule per EVSE. */
export interface EvChargingSchedulesTable {
  stationId: string;
  evseId: number;
  timeBase: Timestamp;
  schedule: Json<Record<string, unknown>>;
  reportedAt: GeneratedTimestamp;
}

/** Prices are exact decimal strings in the tariff's currency. */
export interface TariffsTable {
  id: Id;
  name: string;
  currency: string;
  /** the flat prices of tariffs created before versions (migration 0021: null for tariffs defined by elements) */
  pricePerKwh: string | null;
  pricePerMinute: string | null;
  startFee: string | null;
  /** of the latest version (0021), for listings; pricing reads the version */
  vatRate: string;
  /** V2G remuneration per exported kWh, net (migration 0018); null = export not credited */
  v2gPricePerKwh: ColumnType<string | null, string | null | undefined, string | null>;
  isDefault: Generated<boolean>;
  createdAt: GeneratedTimestamp;
  updatedAt: GeneratedTimestamp;
}

/** Versions of a tariff (migration 0021): a session is priced by the one valid when it started. */
export interface TariffVersionsTable {
  id: Id;
  tariffId: number;
  version: number;
  validFrom: Timestamp;
  definition: Json<TariffDefinition>;
  createdAt: GeneratedTimestamp;
}

export interface StationTariffsTable {
  stationId: string;
  tariffId: number;
}

/** Station password rotations, an audit trail (migration 0012). */
export interface PasswordRotationsTable {
  id: Id;
  stationId: string;
  status: string;
  requestedBy: string;
  sealedPassword: string | null;
  commandId: number | null;
  reason: string | null;
  requestedAt: GeneratedTimestamp;
  updatedAt: GeneratedTimestamp;
}

export interface StationGroupsTable {
  id: string;
  name: string;
  createdAt: GeneratedTimestamp;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  displayName: string | null;
  source: ColumnType<string, string | undefined, string>;
  roles: GeneratedJson<string[]>;
  /** null = every station group */
  stationGroups: ColumnType<string[] | null, string | null | undefined, string | null>;
  passwordHash: string | null;
  mustChangePassword: ColumnType<boolean, boolean | undefined, boolean>;
  passwordChangedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  totpSecret: ColumnType<string | null, string | null | undefined, string | null>;
  totpEnabled: ColumnType<boolean, boolean | undefined, boolean>;
  totpLastStep: ColumnType<number | null, number | null | undefined, number | null>;
  /** SHA-256 hashes of unused recovery codes */
  recoveryCodes: GeneratedJson<string[]>;
  failedLogins: ColumnType<number, number | undefined, number>;
  lockedUntil: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  disabled: ColumnType<boolean, boolean | undefined, boolean>;
  createdAt: GeneratedTimestamp;
  updatedAt: GeneratedTimestamp;
  /** a customer's portal account (role `customer`, migration 0020) */
  customerId: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface ApiSessionsTable {
  /** SHA-256 (hex) of the session token */
  id: string;
  userId: number;
  csrfToken: string;
  mfaPassed: ColumnType<boolean, boolean | undefined, boolean>;
  sourceIp: string | null;
  createdAt: GeneratedTimestamp;
  lastSeenAt: GeneratedTimestamp;
  expiresAt: Timestamp;
  revokedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface AuditLogTable {
  id: Id;
  at: GeneratedTimestamp;
  actor: string;
  actorKind: string;
  roles: GeneratedJson<string[]>;
  action: string;
  target: string | null;
  result: string;
  sourceIp: string | null;
  details: GeneratedJson<Record<string, unknown>>;
}

export interface ApiKeysTable {
  id: Generated<number>;
  name: string;
  /** SHA-256 (hex) of the key */
  tokenHash: string;
  /** the key's first characters, for display */
  prefix: string;
  role: string;
  /** null = every station group */
  stationGroups: ColumnType<string[] | null, string | null | undefined, string | null>;
  createdBy: string;
  createdAt: GeneratedTimestamp;
  expiresAt: Timestamp;
  lastUsedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  revokedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  rotatedFrom: ColumnType<number | null, number | null | undefined, number | null>;
  replacedBy: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface WebhookSubscriptionsTable {
  id: string;
  owner: string;
  ownerKind: string;
  ownerRoles: ColumnType<string[], string, string>;
  /** null = every station group */
  ownerGroups: ColumnType<string[] | null, string | null, string | null>;
  url: string;
  types: ColumnType<string[], string, string>;
  secretSealed: string;
  createdAt: GeneratedTimestamp;
  lastAttemptAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  lastSuccessAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  lastStatus: ColumnType<number | null, number | null | undefined, number | null>;
  lastError: ColumnType<string | null, string | null | undefined, string | null>;
  consecutiveFailures: ColumnType<number, number | undefined, number>;
  delivered: ColumnType<number, number | undefined, number>;
  failed: ColumnType<number, number | undefined, number>;
  dropped: ColumnType<number, number | undefined, number>;
}

export interface Database {
  stations: StationsTable;
  passwordRotations: PasswordRotationsTable;
  connectors: ConnectorsTable;
  statusHistory: StatusHistoryTable;
  idTokens: IdTokensTable;
  transactions: TransactionsTable;
  meterValues: MeterValuesTable;
  securityEvents: SecurityEventsTable;
  securityLogHead: SecurityLogHeadTable;
  securityLogCheckpoints: SecurityLogCheckpointsTable;
  securityLogSinkCursors: SecurityLogSinkCursorsTable;
  deviceVariables: DeviceVariablesTable;
  stationCommands: StationCommandsTable;
  stationCommandUpdates: StationCommandUpdatesTable;
  chargingProfiles: ChargingProfilesTable;
  chargingLimits: ChargingLimitsTable;
  evChargingNeeds: EvChargingNeedsTable;
  evChargingSchedules: EvChargingSchedulesTable;
  tariffs: TariffsTable;
  stationTariffs: StationTariffsTable;
  tariffVersions: TariffVersionsTable;
  variableMonitors: VariableMonitorsTable;
  deviceEvents: DeviceEventsTable;
  customerInformationParts: CustomerInformationPartsTable;
  displayMessages: DisplayMessagesTable;
  reservations: ReservationsTable;
  localAuthLists: LocalAuthListsTable;
  certificateRequests: CertificateRequestsTable;
  installedCertificates: InstalledCertificatesTable;
  networkProfiles: NetworkProfilesTable;
  iso15118Requests: Iso15118RequestsTable;
  firmwareImages: FirmwareImagesTable;
  firmwareCampaigns: FirmwareCampaignsTable;
  firmwareCampaignStations: FirmwareCampaignStationsTable;
  fileTransfers: FileTransfersTable;
  stationFiles: StationFilesTable;
  iso15118PkiCertificates: Iso15118PkiCertificatesTable;
  pkiAuthorities: PkiAuthoritiesTable;
  issuedCertificates: IssuedCertificatesTable;
  stationGroups: StationGroupsTable;
  users: UsersTable;
  apiSessions: ApiSessionsTable;
  auditLog: AuditLogTable;
  apiKeys: ApiKeysTable;
  webhookSubscriptions: WebhookSubscriptionsTable;
  cdrs: CdrsTable;
  cdrTariffSnapshots: CdrTariffSnapshotsTable;
  locations: LocationsTable;
  evses: EvsesTable;
  evseConnectors: EvseConnectorsTable;
  dataKeys: DataKeysTable;
  customers: CustomersTable;
  customerConsentEvents: CustomerConsentEventsTable;
  invoiceCounters: InvoiceCountersTable;
  invoices: InvoicesTable;
  invoiceLines: InvoiceLinesTable;
  retentionRuns: RetentionRunsTable;
  blockListEntries: BlockListEntriesTable;
  idsAlerts: IdsAlertsTable;
}

/** One retention pass over one data class (migration 0024). */
export interface RetentionRunsTable {
  id: Generated<number>;
  dataClass: string;
  cutoff: Timestamp;
  deleted: number;
  complete: boolean;
  ranAt: GeneratedTimestamp;
}
export type RetentionRun = Selectable<RetentionRunsTable>;
export type WebhookSubscriptionRow = Selectable<WebhookSubscriptionsTable>;
export type UserRow = Selectable<UsersTable>;
export type ApiSessionRow = Selectable<ApiSessionsTable>;
export type AuditRecord = Selectable<AuditLogTable>;
export type StationGroup = Selectable<StationGroupsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type ChargingProfileRow = Selectable<ChargingProfilesTable>;
export type ChargingLimitRow = Selectable<ChargingLimitsTable>;
export type EvChargingNeedsRow = Selectable<EvChargingNeedsTable>;
export type EvChargingScheduleRow = Selectable<EvChargingSchedulesTable>;
export type TariffRow = Selectable<TariffsTable>;
export type TariffVersionRow = Selectable<TariffVersionsTable>;

export type Station = Selectable<StationsTable>;
export type NewStation = Insertable<StationsTable>;
export type Connector = Selectable<ConnectorsTable>;
export type StatusHistoryEntry = Selectable<StatusHistoryTable>;
export type IdTokenRecord = Selectable<IdTokensTable>;
export type Transaction = Selectable<TransactionsTable>;
export type TransactionUpdate = Updateable<TransactionsTable>;
export type MeterValue = Selectable<MeterValuesTable>;
export type SecurityEvent = Selectable<SecurityEventsTable>;
export type DeviceVariable = Selectable<DeviceVariablesTable>;
export type StationCommandRow = Selectable<StationCommandsTable>;
export type StationCommandUpdate = Selectable<StationCommandUpdatesTable>;
export type VariableMonitor = Selectable<VariableMonitorsTable>;
export type DeviceEvent = Selectable<DeviceEventsTable>;
export type CustomerInformationPart = Selectable<CustomerInformationPartsTable>;
export type DisplayMessageRow = Selectable<DisplayMessagesTable>;
export type Reservation = Selectable<ReservationsTable>;
export type LocalAuthList = Selectable<LocalAuthListsTable>;

export type SecurityEventOrigin = 'csms' | 'station';

/** A CSR a station sent with SignCertificate (see migration 0007). */
export interface CertificateRequestsTable {
  id: Id;
  stationId: string;
  certificateType: string;
  csr: string;
  status: string;
  reason: string | null;
  commandId: number | null;
  createdAt: GeneratedTimestamp;
  updatedAt: GeneratedTimestamp;
}

/** The certificateHashData of a certificate a station reported (or was told to install). */
export interface CertificateHashData {
  hashAlgorithm: string;
  issuerNameHash: string;
  issuerKeyHash: string;
  serialNumber: string;
}

export interface InstalledCertificatesTable extends CertificateHashData {
  stationId: string;
  certificateType: string;
  childCertificates: ColumnType<CertificateHashData[] | null, string | null | undefined, string | null>;
  reportedAt: GeneratedTimestamp;
}

export interface NetworkProfilesTable {
  stationId: string;
  configurationSlot: number;
  /** redacted: no VPN password/key, APN password or SIM PIN */
  connectionData: Json<Record<string, unknown>>;
  status: string;
  commandId: number | null;
  updatedAt: GeneratedTimestamp;
}

export interface Iso15118RequestsTable {
  id: Id;
  stationId: string;
  action: string;
  request: Json<Record<string, unknown>>;
  status: string;
  reason: string | null;
  createdAt: GeneratedTimestamp;
}

export type CertificateRequest = Selectable<CertificateRequestsTable>;
export type InstalledCertificate = Selectable<InstalledCertificatesTable>;
export type NetworkProfile = Selectable<NetworkProfilesTable>;
export type Iso15118Request = Selectable<Iso15118RequestsTable>;
export type FirmwareImage = Selectable<FirmwareImagesTable>;
export type FileTransfer = Selectable<FileTransfersTable>;
export type StationFile = Selectable<StationFilesTable>;

export type TransferPurpose = 'upload' | 'download';
/** what a transfer carries: a 1.6 diagnostics file, a 2.0.1/1.6-security log, a firmware image */
export type FileKind = 'diagnostics' | 'securityLog' | 'firmware';

/** Firmware images registered by the operator (see migration 0006). */
export interface FirmwareImagesTable {
  id: Id;
  name: string;
  version: string | null;
  storageName: string;
  size: number;
  sha256: string;
  md5: string;
  signature: string | null;
  signingCertificate: string | null;
  createdAt: GeneratedTimestamp;
}

/** One expiring transfer URL; the token itself is never stored. */
export interface FileTransfersTable {
  id: Id;
  tokenHash: string;
  stationId: string;
  purpose: TransferPurpose;
  fileKind: FileKind;
  firmwareId: number | null;
  expiresAt: Timestamp;
  usedAt: Timestamp | null;
  createdAt: GeneratedTimestamp;
}

/** Files stations uploaded (logs, diagnostics). */
export interface StationFilesTable {
  id: Id;
  stationId: string;
  transferId: number;
  fileKind: FileKind;
  originalName: string | null;
  storageName: string;
  contentType: string | null;
  size: number;
  sha256: string;
  receivedAt: GeneratedTimestamp;
}
export type PasswordRotation = Selectable<PasswordRotationsTable>;

/** A certificate of the local ISO 15118 test PKI (see migration 0011). */
export interface Iso15118PkiCertificatesTable {
  id: Id;
  role: Iso15118PkiRole;
  issuerId: number | null;
  subject: string;
  serialNumber: string;
  /** PEM */
  certificate: string;
  /** sealed PKCS#8 (AES-256-GCM), never plaintext */
  privateKey: string | null;
  notAfter: Timestamp;
  revokedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  revocationReason: number | null;
  createdAt: GeneratedTimestamp;
}

export type Iso15118PkiRole = 'v2gRoot' | 'cpoSubCa1' | 'cpoSubCa2' | 'moRoot' | 'moSubCa' | 'ocspSigner' | 'secc' | 'contract';
export type Iso15118PkiCertificate = Selectable<Iso15118PkiCertificatesTable>;

export type PkiRole = 'root' | 'issuing';

/** The CPO root and issuing CA (see migration 0010); the key is never stored in clear. */
export interface PkiAuthoritiesTable {
  role: PkiRole;
  certificate: string;
  /** key-vault blob (AES-256-GCM); null for an imported root kept offline */
  encryptedKey: string | null;
  createdAt: GeneratedTimestamp;
}

/** Every certificate the issuing CA signed, with its revocation. */
export interface IssuedCertificatesTable {
  serialNumber: string;
  stationId: string;
  certificateType: string;
  subject: string;
  issuer: string;
  notBefore: Timestamp;
  notAfter: Timestamp;
  fingerprint: string;
  pem: string;
  revokedAt: Timestamp | null;
  revocationReason: string | null;
  renewalRequestedAt: Timestamp | null;
  createdAt: GeneratedTimestamp;
}

export type PkiAuthority = Selectable<PkiAuthoritiesTable>;
export type IssuedCertificate = Selectable<IssuedCertificatesTable>;

/** The tariff a transaction started under, as priced (migration 0018). */
export interface CdrTariffSnapshot {
  id: number;
  name: string;
  currency: string;
  vatRate: string;
  /** flat prices: the whole tariff in snapshots taken before migration 0021 */
  pricePerKwh?: string | null;
  pricePerMinute?: string | null;
  startFee?: string | null;
  v2gPricePerKwh?: string | null;
  /** since 0021: the tariff version the session started under, in full */
  version?: number;
  validFrom?: string;
  definition?: TariffDefinition;
}

export interface CdrTariffSnapshotsTable {
  transactionId: number;
  /** JSON null: no tariff applied when the transaction started */
  tariff: Json<CdrTariffSnapshot | null>;
  validFrom: Timestamp;
}

/** One OCPI CdrDimension. */
export interface CdrDimension {
  type: 'ENERGY' | 'ENERGY_EXPORT' | 'TIME' | 'PARKING_TIME';
  volume: number;
}

export interface CdrChargingPeriod {
  startDateTime: string;
  dimensions: CdrDimension[];
}

/** Charge detail records, immutable (a trigger refuses UPDATE/DELETE; migration 0018). */
export interface CdrsTable {
  id: Id;
  transactionId: number | null;
  creditOf: number | null;
  creditReason: string | null;
  stationId: string;
  evseId: number | null;
  connectorId: number | null;
  sessionId: string;
  protocol: string;
  startDateTime: Timestamp;
  endDateTime: Timestamp;
  tokenUid: string | null;
  tokenType: string;
  authMethod: string;
  currency: string | null;
  tariff: ColumnType<CdrTariffSnapshot | null, string | null, never>;
  chargingPeriods: Json<CdrChargingPeriod[]>;
  energyImportWh: number;
  energyExportWh: number;
  totalTimeMs: number;
  parkingTimeMs: number;
  costExclVatMinor: number;
  costInclVatMinor: number;
  exportCreditExclVatMinor: number | null;
  exportCreditInclVatMinor: number | null;
  issuedAt: GeneratedTimestamp;
  /** the customer billed (migration 0020), from the token at issue */
  customerId: ColumnType<number | null, number | null | undefined, never>;
  /** OCPI 2.2.1 CdrLocation at issue (migration 0023); null: the station stood at no location */
  cdrLocation: ColumnType<OcpiCdrLocation | null, string | null | undefined, never>;
}
/** OCPI 2.2.1 CdrLocation, snake_case as published. */
export interface OcpiCdrLocation {
  id: string;
  name?: string;
  address: string;
  city: string;
  postal_code?: string;
  state?: string;
  country: string;
  coordinates: { latitude: string; longitude: string };
  /** EVSE and connector fields (required by OCPI) are absent when the location model does not define them */
  evse_uid?: string;
  evse_id?: string;
  connector_id?: string;
  connector_standard?: string;
  connector_format?: string;
  connector_power_type?: string;
}
export type CdrRow = Selectable<CdrsTable>;
export type NewCdr = Insertable<CdrsTable>;
/** OCPI Hours: regular weekly hours or 24/7, with exceptional openings and closings. */
export interface OpeningTimes {
  twentyfourseven: boolean;
  regularHours?: { weekday: number; periodBegin: string; periodEnd: string }[];
  exceptionalOpenings?: { periodBegin: string; periodEnd: string }[];
  exceptionalClosings?: { periodBegin: string; periodEnd: string }[];
}

/** A site stations stand at (migration 0017), in the shape OCPI 2.2.1 publishes. */
export interface LocationsTable {
  id: string;
  groupId: string | null;
  name: string | null;
  address: string;
  city: string;
  postalCode: string | null;
  state: string | null;
  /** ISO 3166-1 alpha-3 */
  country: string;
  latitude: number;
  longitude: number;
  /** IANA time zone */
  timeZone: string;
  openingTimes: ColumnType<OpeningTimes | null, string | null, string | null>;
  parkingType: string | null;
  operatorName: string | null;
  ownerName: string | null;
  facilities: GeneratedJson<string[]>;
  publish: ColumnType<boolean, boolean | undefined, boolean>;
  createdAt: GeneratedTimestamp;
  updatedAt: GeneratedTimestamp;
}

/** An EVSE of a station: OCPP evse id and OCPI uid. */
export interface EvsesTable {
  stationId: string;
  evseId: number;
  uid: string;
  emi3Id: string | null;
  physicalReference: string | null;
  floorLevel: string | null;
  capabilities: GeneratedJson<string[]>;
  updatedAt: GeneratedTimestamp;
}

/** What a connector of an EVSE is (OCPI Connector); its live status is in `connectors`. */
export interface EvseConnectorsTable {
  stationId: string;
  evseId: number;
  connectorId: number;
  standard: string;
  format: string;
  powerType: string;
  maxVoltage: number;
  maxAmperage: number;
  maxElectricPower: number | null;
  updatedAt: GeneratedTimestamp;
}

export type LocationRow = Selectable<LocationsTable>;
export type EvseRow = Selectable<EvsesTable>;
export type EvseConnectorRow = Selectable<EvseConnectorsTable>;

/** The last invoice number handed out per year (migration 0022). */
export interface InvoiceCountersTable {
  year: number;
  lastNumber: number;
}

export type InvoiceStatus = 'draft' | 'issued' | 'paid' | 'void';
/** VAT per rate: the base (excl. VAT) and the VAT on it, in minor units. */
export interface VatLine {
  rate: string;
  baseMinor: number;
  vatMinor: number;
}

/** An invoice (migration 0022): immutable in the database once issued, except status and erasure. */
export interface InvoicesTable {
  id: Id;
  customerId: number;
  customerReference: string;
  period: string;
  periodStart: Timestamp;
  periodEnd: Timestamp;
  currency: string;
  status: ColumnType<InvoiceStatus, InvoiceStatus | undefined, InvoiceStatus>;
  number: ColumnType<string | null, string | null | undefined, string | null>;
  numberYear: ColumnType<number | null, number | null | undefined, number | null>;
  numberSeq: ColumnType<number | null, number | null | undefined, number | null>;
  totalExclVatMinor: number;
  totalInclVatMinor: number;
  vatBreakdown: Json<VatLine[]>;
  energyImportWh: number;
  energyExportWh: number;
  v2gCreditExclVatMinor: number;
  v2gCreditInclVatMinor: number;
  billingSnapshotEncrypted: ColumnType<string | null, string | null | undefined, string | null>;
  billingErasedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  issuedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  paidAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  voidedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
  voidReason: ColumnType<string | null, string | null | undefined, string | null>;
  createdAt: GeneratedTimestamp;
  updatedAt: GeneratedTimestamp;
}
export type InvoiceRow = Selectable<InvoicesTable>;
export type NewInvoice = Insertable<InvoicesTable>;

/** A CDR on an invoice; the primary key keeps a CDR on one invoice at most. */
export interface InvoiceLinesTable {
  invoiceId: number;
  cdrId: number;
}

/** IP / CIDR / station-identity block and allow list entries (issue 7, migration 0028). */
export interface BlockListEntriesTable {
  id: Id;
  list: 'block' | 'allow';
  kind: 'ip' | 'cidr' | 'identity';
  value: string;
  reason: string;
  createdBy: string;
  createdAt: GeneratedTimestamp;
  /** null = until removed */
  expiresAt: Date | null;
}
export type BlockListEntry = Selectable<BlockListEntriesTable>;
export type IdsAlertStatus = 'open' | 'acknowledged' | 'closed';

/** An intrusion detection alert, deduplicated per rule and station/source (migration 0029). */
export interface IdsAlertsTable {
  id: Id;
  class: string;
  rule: string;
  severity: Severity;
  stationId: string | null;
  sourceIp: string | null;
  dedupKey: string;
  evidence: GeneratedJson<Record<string, unknown>>;
  response: GeneratedJson<Record<string, unknown>>;
  firstSeen: GeneratedTimestamp;
  lastSeen: GeneratedTimestamp;
  count: ColumnType<number, number | undefined, number>;
  status: ColumnType<IdsAlertStatus, IdsAlertStatus | undefined, IdsAlertStatus>;
  changedBy: ColumnType<string | null, string | null | undefined, string | null>;
  changedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export type IdsAlert = Selectable<IdsAlertsTable>;

export type CampaignState = 'draft' | 'running' | 'paused' | 'completed' | 'aborted' | 'halted';
export type CampaignStationState = 'pending' | 'active' | 'succeeded' | 'failed' | 'skipped';

/** A firmware rollout to many stations (migration 0036). */
export interface FirmwareCampaignsTable {
  id: Id;
  name: string;
  firmwareId: number;
  groupId: string | null;
  state: ColumnType<CampaignState, CampaignState | undefined, CampaignState>;
  concurrency: number;
  failureThreshold: number;
  thresholdKind: 'count' | 'percent';
  stationTimeoutS: number;
  windowStart: Timestamp | null;
  windowEnd: Timestamp | null;
  haltReason: string | null;
  createdBy: string;
  createdAt: GeneratedTimestamp;
  startedAt: Timestamp | null;
  finishedAt: Timestamp | null;
}

/** One station of a campaign and where its update stands. */
export interface FirmwareCampaignStationsTable {
  campaignId: number;
  stationId: string;
  state: ColumnType<CampaignStationState, CampaignStationState | undefined, CampaignStationState>;
  status: string | null;
  commandId: number | null;
  startedAt: Timestamp | null;
  lastUpdateAt: Timestamp | null;
  finishedAt: Timestamp | null;
}
export type FirmwareCampaign = Selectable<FirmwareCampaignsTable>;
export type FirmwareCampaignStation = Selectable<FirmwareCampaignStationsTable>;
