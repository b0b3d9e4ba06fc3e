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
  | { kind: 'getTransactionStatus'; transactionRef?: string };

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
  reserveNow: 'reservationId',
  cancelReservation: 'reservationId',
};

/** A station's answer: its status word and the whole validated response payload. */
export interface CommandResult {
  action: string;
  status: string;
  response: Record<string, unknown>;
}
