import type { SecurityEventRepo } from '../store/repos/security-events.js';
import type { SiemExporter } from '../security/siem/exporter.js';
import type { DataSubjectRegistry } from './privacy/data-subject.js';
import type { RetentionService } from './privacy/retention.js';
import type { CustomerService } from './customers/customer-service.js';
import type { CustomerCharging } from './customers/customer-charging.js';
import type { DataSubjectService } from './customers/data-subject-service.js';
import type { IdentityServices } from './identity/index.js';
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
import type { PasswordRotationService } from './stations/password-rotation.js';
import type { SecurityProfileUpgradeService } from './stations/security-profile-upgrade.js';
import type { ReservationService } from './reservations/reservation-service.js';
import type { LocalAuthListService } from './local-auth/local-auth-list-service.js';
import type { CertificateService } from './certificates/certificate-service.js';
import type { TransferService } from './transfers/transfer-service.js';
import type { FirmwareService } from './firmware/firmware-service.js';
import type { FirmwareImageService } from './firmware/image-service.js';
import type { FirmwareCampaignService } from './firmware/campaign-service.js';
import type { LogService } from './logs/log-service.js';
import type { MonitoringService } from './monitoring/monitoring-service.js';
import type { CustomerInformationService } from './customer-information/customer-information-service.js';
import type { DisplayMessageService } from './display-messages/display-message-service.js';
import type { Iso15118Pki } from './pki/iso15118-pki.js';
import type { OcspResponder } from './pki/ocsp.js';
import type { PkiService } from './pki/pki-service.js';
import type { EventHub } from './webhooks/event-hub.js';
import type { WebhookService } from './webhooks/webhook-service.js';
import type { CdrService } from './cdrs/cdr-service.js';
import type { LocationService } from './locations/location-service.js';
import type { StationOpsService } from './stations/station-ops.js';
import type { PrivacyService } from './privacy/privacy-service.js';
import type { InvoiceService } from './invoices/invoice-service.js';
import type { PerimeterBlockList } from '../security/perimeter/block-list.js';
import type { AlertService } from '../security/ids/alerts.js';
import type { OperationsView } from './operations/operations-view.js';

/** The domain as the protocol edges see it. */
export interface DomainServices {
  /** accounts, sessions, station groups and the audit trail (issue 5) */
  identity: IdentityServices;
  /** IP / identity block and allow lists enforced at the perimeter (issue 7, M3) */
  perimeter: PerimeterBlockList;
  /** charging profiles, external limits, EV charging needs (1.6 Smart Charging, 2.0.1 block K) */
  smartCharging: SmartChargingService;
  /** tariffs and transaction cost (2.0.1 block I) */
  tariffs: TariffService;
  /** station Basic-auth password rotation (CR2) */
  passwordRotation: PasswordRotationService;
  /** security profile upgrades 1 → 2 → 3 driven by the platform */
  securityProfileUpgrade: SecurityProfileUpgradeService;
  stations: StationService;
  tokens: TokenService;
  transactions: TransactionService;
  security: SecurityLog;
  /** the security log's hash chain: `ov2x audit verify`, GET /security/log/verify (OP6) */
  securityChain: Pick<SecurityEventRepo, 'verify' | 'list'>;
  /** ships the security log to the configured SIEM sinks (M5) */
  siem: SiemExporter;
  events: DomainEvents;
  dataTransfer: DataTransferRegistry;
  deviceModel: DeviceModelService;
  /** send commands to stations and follow their progress */
  commands: CommandService;
  /** reservations (1.6 Reservation profile, 2.0.1 block H) */
  reservations: ReservationService;
  /** local authorization lists derived from the token store (1.6 Local Auth List Management, 2.0.1 block D) */
  localAuthList: LocalAuthListService;
  /** CSRs, certificate inventory, network profiles, ISO 15118 certificate requests */
  certificates: CertificateService;
  /** expiring transfer URLs, uploaded files, firmware images */
  transfers: TransferService;
  firmware: FirmwareService;
  /** signed images verified at upload (OP8) */
  firmwareImages: FirmwareImageService;
  /** batched rollouts of an image to many stations (OP9) */
  firmwareCampaigns: FirmwareCampaignService;
  logs: LogService;
  /** 2.0.1 monitors and events (block N) */
  monitoring: MonitoringService;
  /** 2.0.1 customer information reports (block N), personal data */
  customerInformation: CustomerInformationService;
  /** 2.0.1 display messages (block O) */
  displayMessages: DisplayMessageService;
  /** the local V2G/MO test PKI of the built-in ISO 15118 provider */
  iso15118Pki: Iso15118Pki;
  /** the OCSP responder served at /pki/ocsp; PKIs it speaks for are passed to its constructor */
  ocsp: OcspResponder;
  /** the CPO root/sub-CA: station certificate signing, registry, renewal, revocation and CRL */
  pki: PkiService;
  /** numbered domain events with a bounded replay buffer (SSE) */
  eventHub: EventHub;
  /** webhook subscriptions; deliveries run in the dispatcher */
  webhooks: WebhookService;
  /** charge detail records issued when transactions end (OCPI 2.2.1 shape, V2X split) */
  cdrs: CdrService;
  /** locations, EVSEs and connector definitions in the OCPI 2.2.1 shape (P5) */
  locations: LocationService;
  /** personal data at rest: field encryption, blind index, pseudonyms (issue 6, G1/G2) */
  privacy: PrivacyService;
  dataSubjects: DataSubjectRegistry;
  /** retention per data class, a timer on every node (issue 6, G4) */
  retention: RetentionService;
  customers: CustomerService;
  /** a customer's tokens and charging history (CRM and customer-facing API) */
  customerCharging: CustomerCharging;
  /** data-subject export and erasure over every registered holder (Art. 15/17/20) */
  dataSubjectRequests: DataSubjectService;
  /** invoices per customer and month from CDRs: drafts, gapless numbering, PDF (issue 6) */
  invoices: InvoiceService;
  /** decommissioning, onboarding state, availability, status history and diagnostics of stations (issue 6) */
  stationOps: StationOpsService;
  /** intrusion detection alerts: stored, deduplicated, triaged (issue 7) */
  idsAlerts: AlertService;
  /** the operator portal's dashboard figures within a caller's scope */
  operations: OperationsView;
}
