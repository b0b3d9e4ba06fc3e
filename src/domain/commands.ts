import type { ChargingLimitSource, ChargingProfile, ChargingRateUnit, ProfileCriteria } from './smart-charging/profile.js';

import type { LocalListEntry } from '../store/schema.js';

/**
 * Version-neutral commands the platform sends to stations. Each OCPP adapter translates them
 * into its own action and payload; a command a version has no equivalent for fails with
 * CallFailed('NotSupported').
 */
export type StationCommand =
  | { kind: 'remoteStart'; idToken: string; evseId?: number; remoteStartId?: number }
  | { kind: 'remoteStop'; transactionRef: string }
  | { kind: 'reset'; mode: 'hard' | 'soft'; evseId?: number }
  | { kind: 'changeAvailability'; evseId: number; connectorId?: number; available: boolean }
  | { kind: 'unlockConnector'; evseId: number; connectorId: number }
  | { kind: 'clearCache' }
  | { kind: 'dataTransfer'; vendorId: string; messageId?: string; data?: string }
  | { kind: 'triggerMessage'; message: string; evseId?: number }
  /** 1.6 configuration keys */
  | { kind: 'getConfiguration'; keys?: string[] }
  | { kind: 'changeConfiguration'; key: string; value: string }
  /** 2.0.1 device model */
  | { kind: 'getVariables'; variables: VariableRef[] }
  | { kind: 'setVariables'; variables: Array<VariableRef & { value: string }> }
  | { kind: 'getBaseReport'; reportBase: 'ConfigurationInventory' | 'FullInventory' | 'SummaryInventory'; requestId?: number }
  /** reservations (1.6 Reservation profile, 2.0.1 block H); no evseId / 0 = any EVSE; expiresAt ISO 8601 */
  | { kind: 'reserveNow'; reservationId?: number; idToken: string; tokenType?: string; groupIdToken?: string; expiresAt: string; evseId?: number; connectorType?: string }
  | { kind: 'cancelReservation'; reservationId: number }
  /** local authorization list (1.6 Local Auth List Management, 2.0.1 block D); entries without info are removals */
  | { kind: 'sendLocalList'; version: number; updateType: 'Full' | 'Differential'; entries: LocalListEntry[] }
  | { kind: 'getLocalListVersion' }
  /** 1.6 ExtendedTriggerMessage (security whitepaper); 2.0.1 TriggerMessage, which covers the same messages */
  | { kind: 'extendedTriggerMessage'; message: string; evseId?: number }
  /** 2.0.1 GetTransactionStatus: the answer carries ongoingIndicator and messagesInQueue */
  | { kind: 'getTransactionStatus'; transactionRef?: string }
  /** certificate management (1.6 Security Whitepaper, 2.0.1 blocks A and M) */
  | { kind: 'certificateSigned'; certificateChain: string; certificateType?: SignedCertificateType }
  | { kind: 'installCertificate'; certificateType: InstallCertificateType; certificate: string }
  | { kind: 'deleteCertificate'; certificateHashData: CertificateHashDataRef }
  /** 1.6 asks for exactly one type; 2.0.1 for several, or all when absent */
  | { kind: 'getInstalledCertificateIds'; certificateTypes?: InstalledCertificateType[] }
  /** 2.0.1 only; the journal keeps connectionData without its secrets (see journalRedaction) */
  | { kind: 'setNetworkProfile'; configurationSlot: number; connectionData: NetworkConnectionData }
  /**
   * Firmware update from `location` (domain: FirmwareService mints it). With signature and
   * signingCertificate it is a secure update: 1.6 SignedUpdateFirmware, 2.0.1 L01; without,
   * 1.6 UpdateFirmware / 2.0.1 L02.
   */
  | { kind: 'updateFirmware'; location: string; retrieveAt?: string; installAt?: string; retries?: number; retryInterval?: number; signature?: string; signingCertificate?: string; requestId?: number }
  /** Log upload to `location`: 1.6 GetDiagnostics (diagnostics) or GetLog (security); 2.0.1 GetLog. */
  | { kind: 'getLog'; logType: 'diagnostics' | 'security'; location: string; from?: string; to?: string; retries?: number; retryInterval?: number; requestId?: number }
  /** 2.0.1 L03/L04, for local controllers: serve an image (MD5 checksum) locally, or stop. */
  | { kind: 'publishFirmware'; location: string; checksum: string; retries?: number; retryInterval?: number; requestId?: number }
  | { kind: 'unpublishFirmware'; checksum: string }
  /** 2.0.1 custom report: components matching all criteria and, if given, one of the listed components/variables */
  | { kind: 'getReport'; componentCriteria?: ComponentCriterion[]; components?: ComponentVariableRef[]; requestId?: number }
  /** 2.0.1 monitoring (block N) */
  | { kind: 'setMonitoringBase'; base: 'All' | 'FactoryDefault' | 'HardWiredOnly' }
  | { kind: 'setMonitoringLevel'; severity: number }
  | { kind: 'setVariableMonitoring'; monitors: MonitorSpec[] }
  | { kind: 'clearVariableMonitoring'; ids: number[] }
  | { kind: 'getMonitoringReport'; criteria?: MonitoringCriterion[]; components?: ComponentVariableRef[]; requestId?: number }
  /** 2.0.1 customer information: report and/or clear what the station holds about one customer */
  | { kind: 'customerInformation'; report: boolean; clear: boolean; customer: CustomerRef; requestId?: number }
  /** 2.0.1 display messages (block O) */
  | { kind: 'setDisplayMessage'; message: DisplayMessage }
  | { kind: 'getDisplayMessages'; ids?: number[]; priority?: DisplayMessage['priority']; state?: DisplayMessage['state']; requestId?: number }
  | { kind: 'clearDisplayMessage'; id: number }
  /** smart charging (1.6 Smart Charging profile, 2.0.1 block K); evseId 0 = the whole station */
  | { kind: 'setChargingProfile'; evseId: number; profile: ChargingProfile }
  | ({ kind: 'clearChargingProfile' } & ProfileCriteria)
  | { kind: 'getCompositeSchedule'; evseId: number; duration: number; chargingRateUnit?: ChargingRateUnit }
  /** 2.0.1 only: the station answers with ReportChargingProfiles quoting requestId */
  | ({ kind: 'getChargingProfiles'; requestId?: number; profileIds?: number[]; sources?: ChargingLimitSource[] } & Omit<ProfileCriteria, 'profileId'>)
  /** 2.0.1 only (block I): the running cost of a transaction, in the tariff's currency */
  | { kind: 'costUpdated'; transactionRef: string; totalCost: number };

export interface VariableRef {
  component: string;
  variable: string;
  evseId?: number;
  connectorId?: number;
  instance?: string;
  attributeType?: 'Actual' | 'Target' | 'MinSet' | 'MaxSet';
}

export type ComponentCriterion = 'Active' | 'Available' | 'Enabled' | 'Problem';
export type MonitoringCriterion = 'ThresholdMonitoring' | 'DeltaMonitoring' | 'PeriodicMonitoring';
export type MonitorType = 'UpperThreshold' | 'LowerThreshold' | 'Delta' | 'Periodic' | 'PeriodicClockAligned';

/** A component, or one variable of it when `variable` is given (2.0.1 ComponentVariableType). */
export interface ComponentVariableRef {
  component: string;
  componentInstance?: string;
  evseId?: number;
  connectorId?: number;
  variable?: string;
  variableInstance?: string;
}

/** A monitor to set on a variable; `id` replaces an existing monitor of the station. */
export interface MonitorSpec extends ComponentVariableRef {
  variable: string;
  id?: number;
  type: MonitorType;
  /** threshold or delta; seconds for the periodic types */
  value: number;
  /** 0 (Danger) .. 9 (Debug) */
  severity: number;
  /** only active during a transaction */
  transaction?: boolean;
}

/** Exactly one way to name the customer (2.0.1 N09). */
export type CustomerRef =
  | { idToken: string; type: string }
  | { customerIdentifier: string }
  | { certificate: { hashAlgorithm: 'SHA256' | 'SHA384' | 'SHA512'; issuerNameHash: string; issuerKeyHash: string; serialNumber: string } };

export interface DisplayMessage {
  id: number;
  priority: 'AlwaysFront' | 'InFront' | 'NormalCycle';
  state?: 'Charging' | 'Faulted' | 'Idle' | 'Unavailable';
  startAt?: string;
  endAt?: string;
  transactionRef?: string;
  content: string;
  format: 'ASCII' | 'HTML' | 'URI' | 'UTF8';
  language?: string;
  /** the display component, when the station has several */
  display?: { name: string; instance?: string; evseId?: number; connectorId?: number };
}

export type CommandKind = StationCommand['kind'];

/** The certificates a station asks to have signed (1.6 knows only the first). */
export type SignedCertificateType = 'ChargingStationCertificate' | 'V2GCertificate';
/** Root certificates the CSMS installs, named as in 2.0.1; 1.6 knows CSMSRootCertificate as CentralSystemRootCertificate. */
export type InstallCertificateType = 'V2GRootCertificate' | 'MORootCertificate' | 'CSMSRootCertificate' | 'ManufacturerRootCertificate';
export type InstalledCertificateType = InstallCertificateType | 'V2GCertificateChain';

export interface CertificateHashDataRef {
  hashAlgorithm: 'SHA256' | 'SHA384' | 'SHA512';
  issuerNameHash: string;
  issuerKeyHash: string;
  serialNumber: string;
}

/** 2.0.1 NetworkConnectionProfileType. */
export interface NetworkConnectionData {
  ocppVersion: 'OCPP12' | 'OCPP15' | 'OCPP16' | 'OCPP20';
  ocppTransport: 'JSON' | 'SOAP';
  ocppCsmsUrl: string;
  messageTimeout: number;
  securityProfile: number;
  ocppInterface: 'Wired0' | 'Wired1' | 'Wired2' | 'Wired3' | 'Wireless0' | 'Wireless1' | 'Wireless2' | 'Wireless3';
  apn?: { apn: string; apnUserName?: string; apnPassword?: string; simPin?: number; preferredNetwork?: string; useOnlyPreferredNetwork?: boolean; apnAuthentication: 'CHAP' | 'NONE' | 'PAP' | 'AUTO' };
  vpn?: { server: string; user: string; group?: string; password: string; key: string; type: 'IKEv2' | 'IPSec' | 'L2TP' | 'PPTP' };
}

/** The secrets of a network profile (VPN password and key, APN password, SIM PIN), masked. */
export function redactConnectionData(d: NetworkConnectionData): Record<string, unknown> {
  const { apn, vpn, ...rest } = d;
  return {
    ...rest,
    ...(apn && { apn: { ...apn, ...(apn.apnPassword !== undefined && { apnPassword: REDACTED }), ...(apn.simPin !== undefined && { simPin: REDACTED }) } }),
    ...(vpn && { vpn: { ...vpn, password: REDACTED, key: REDACTED } }),
  };
}
const REDACTED = '[redacted]';

/** A transfer URL without its token (see TransferService): the token is a bearer secret stored only hashed. */
const hideTransferToken = (url: string): string => url.replace(/(\/transfers\/[^/]+\/)[A-Za-z0-9_-]{43}(?=\/|$)/, '$1REDACTED');

/** Write-only credentials a station holds: their values are never stored, only that they were set. */
const secretVariables: ReadonlySet<string> = new Set(['SecurityCtrlr.BasicAuthPassword', 'OCPP16Configuration.AuthorizationKey']);
export const isSecretVariable = (component: string, variable: string): boolean => secretVariables.has(`${component}.${variable}`);
export const REDACTED_VALUE = REDACTED;

/** Commands that carry secrets, and what the journal stores instead of them; the station still gets the whole command. */
export const journalRedaction: { readonly [K in CommandKind]?: (c: Extract<StationCommand, { kind: K }>) => Record<string, unknown> } = {
  setNetworkProfile: (c) => ({ ...c, connectionData: redactConnectionData(c.connectionData) }),
  setVariables: (c) => ({ ...c, variables: c.variables.map((v) => (isSecretVariable(v.component, v.variable) ? { ...v, value: REDACTED } : v)) }),
  changeConfiguration: (c) => (isSecretVariable('OCPP16Configuration', c.key) ? { ...c, value: REDACTED } : c),
  updateFirmware: (c) => ({ ...c, location: hideTransferToken(c.location) }),
  getLog: (c) => ({ ...c, location: hideTransferToken(c.location) }),
  publishFirmware: (c) => ({ ...c, location: hideTransferToken(c.location) }),
};

/** A command as the journal may store it. */
export function journalView(c: StationCommand): Record<string, unknown> {
  const redact = journalRedaction[c.kind] as ((c: StationCommand) => Record<string, unknown>) | undefined;
  return redact ? redact(c) : (c as unknown as Record<string, unknown>);
}

/**
 * Commands whose later notifications quote an id the platform chooses, and the field that
 * carries it; the command journal fills it (with the journal row id) when the caller did not.
 */
export const correlatedBy: { readonly [K in CommandKind]?: string } = {
  remoteStart: 'remoteStartId',
  getBaseReport: 'requestId',
  reserveNow: 'reservationId',
  cancelReservation: 'reservationId',
  updateFirmware: 'requestId',
  getLog: 'requestId',
  publishFirmware: 'requestId',
  getReport: 'requestId',
  getMonitoringReport: 'requestId',
  customerInformation: 'requestId',
  getDisplayMessages: 'requestId',
  getChargingProfiles: 'requestId',
};

/** A station's answer: its status word and the whole validated response payload. */
export interface CommandResult {
  action: string;
  status: string;
  response: Record<string, unknown>;
}
