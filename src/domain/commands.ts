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
  | { kind: 'unpublishFirmware'; checksum: string };

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
  updateFirmware: 'requestId',
  getLog: 'requestId',
  publishFirmware: 'requestId',
};

/** A station's answer: its status word and the whole validated response payload. */
export interface CommandResult {
  action: string;
  status: string;
  response: Record<string, unknown>;
}

/** A transfer URL without its token (see TransferService): the token is a bearer secret stored only hashed. */
const hideTransferToken = (url: unknown): unknown =>
  typeof url === 'string' ? url.replace(/(\/transfers\/[^/]+\/)[A-Za-z0-9_-]{43}(?=\/|$)/, '$1REDACTED') : url;

/**
 * How the command journal stores a command whose fields carry secrets; the station still gets
 * the whole command. Kinds not listed are stored verbatim.
 */
export const journalView: { readonly [K in CommandKind]?: (c: Record<string, unknown>) => Record<string, unknown> } = {
  updateFirmware: (c) => ({ ...c, location: hideTransferToken(c.location) }),
  getLog: (c) => ({ ...c, location: hideTransferToken(c.location) }),
  publishFirmware: (c) => ({ ...c, location: hideTransferToken(c.location) }),
};
