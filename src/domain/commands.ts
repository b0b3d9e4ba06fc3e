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
  | { kind: 'clearDisplayMessage'; id: number };

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

/**
 * Commands whose later notifications quote an id the platform chooses, and the field that
 * carries it; the command journal fills it (with the journal row id) when the caller did not.
 */
export const correlatedBy: { readonly [K in CommandKind]?: string } = {
  remoteStart: 'remoteStartId',
  getBaseReport: 'requestId',
  getReport: 'requestId',
  getMonitoringReport: 'requestId',
  customerInformation: 'requestId',
  getDisplayMessages: 'requestId',
};

/** A station's answer: its status word and the whole validated response payload. */
export interface CommandResult {
  action: string;
  status: string;
  response: Record<string, unknown>;
}
