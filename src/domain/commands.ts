import type { ChargingLimitSource, ChargingProfile, ChargingRateUnit, ProfileCriteria } from './smart-charging/profile.js';

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

export type CommandKind = StationCommand['kind'];

/**
 * Commands whose later notifications quote an id the platform chooses, and the field that
 * carries it; the command journal fills it (with the journal row id) when the caller did not.
 */
export const correlatedBy: { readonly [K in CommandKind]?: string } = {
  remoteStart: 'remoteStartId',
  getBaseReport: 'requestId',
  getChargingProfiles: 'requestId',
};

/** A station's answer: its status word and the whole validated response payload. */
export interface CommandResult {
  action: string;
  status: string;
  response: Record<string, unknown>;
}
