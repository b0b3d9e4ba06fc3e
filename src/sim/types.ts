import type { Logger } from '../log/logger.js';

/** OCPP version a simulated station speaks. */
export type SimProtocol = '1.6' | '2.0.1';

/** Transaction id: an integer chosen by the CSMS (1.6) or a string chosen by the station (2.0.1). */
export type TxnId = number | string;

/**
 * Connector status in either vocabulary. 1.6's charging detail (Preparing, Charging, …) becomes
 * `Occupied` on 2.0.1, and 2.0.1's `Occupied` becomes `Preparing` on 1.6, so fleet code can stay
 * version-neutral.
 */
export type ConnectorStatus =
  | 'Available' | 'Preparing' | 'Charging' | 'SuspendedEVSE' | 'SuspendedEV' | 'Finishing'
  | 'Reserved' | 'Unavailable' | 'Faulted' | 'Occupied';

/** Why a session ends, in either vocabulary; each dialect maps it onto its own enum. */
export type StopReason =
  | 'DeAuthorized' | 'EmergencyStop' | 'EVDisconnected' | 'HardReset' | 'Local' | 'Other' | 'PowerLoss'
  | 'Reboot' | 'Remote' | 'SoftReset' | 'UnlockCommand' | 'EnergyLimitReached' | 'ImmediateReset'
  | 'StoppedByEV' | 'TimeLimitReached' | 'Timeout';

/** 2.0.1 boot reasons the simulator produces (1.6 has no reason field). */
export type BootReason = 'PowerUp' | 'RemoteReset' | 'Triggered';

/** How the station misbehaves, for negative-path tests of the CSMS. */
export interface Behaviour {
  /** CSMS actions answered with their negative form (Rejected, UnlockFailed, …) */
  reject?: ReadonlySet<string>;
  /** never answer any CSMS call, so the CSMS's call times out */
  silent?: boolean;
  /** false: never send heartbeats, whatever the boot response says */
  heartbeats?: boolean;
  /** pause between closing and reconnecting after a Reset (ms, default 500) */
  rebootDelayMs?: number;
  /** reconnect (without a new boot, as the specifications ask) after the CSMS drops the socket */
  reconnect?: boolean;
  /** false: no smart charging (1.6 answers NotSupported, 2.0.1 a NotSupported CALLERROR) */
  smartCharging?: boolean;
  /** CSMS actions answered with a NotSupported CALLERROR, as a station without that feature does */
  unsupported?: ReadonlySet<string>;
  /** how a firmware update fails; unset = it installs and the station reboots */
  firmwareOutcome?: 'DownloadFailed' | 'InstallationFailed' | 'InvalidSignature';
  /** log uploads fail without reaching the server (as with an unreachable one) */
  uploadFails?: boolean;
  /** how logs are uploaded: raw PUT below the location (default) or multipart POST to it */
  uploadMethod?: 'PUT' | 'POST';
}

export interface StationOptions {
  /** CSMS endpoint without the identity, e.g. ws://127.0.0.1:9000/ocpp */
  url: string;
  identity: string;
  /** HTTP Basic password (security profile 1/2); omitted = no Authorization header */
  password?: string;
  /** wss:// (security profiles 2/3): trust and client certificate */
  tls?: StationTls;
  /** source address to connect from (loopback aliases 127.x.y.z let a fleet look like many sites) */
  localAddress?: string;
  protocol: SimProtocol;
  /** connectors (1.6) or EVSEs with one connector each (2.0.1); default 2 */
  connectors?: number;
  vendor?: string;
  model?: string;
  serial?: string;
  firmware?: string;
  /** meter sampling interval of running sessions (ms, default 60 000; 0 = no periodic values) */
  meterIntervalMs?: number;
  /** how long one of our calls waits for the CSMS's answer (ms, default 30 000) */
  callTimeoutMs?: number;
  /** charging power of sessions started remotely (W, default 11 000) */
  powerW?: number;
  behaviour?: Behaviour;
  log?: Logger;
  /** told about every call the station makes: for fleet statistics */
  onCall?: (action: string, ms: number, ok: boolean) => void;
}

export interface BootResult {
  status: 'Accepted' | 'Pending' | 'Rejected';
  /** seconds: heartbeat interval when Accepted, retry interval otherwise */
  interval: number;
}

export interface SessionStart {
  connector: number;
  idTag: string;
  /** register at the start (Wh); default the connector's current register, never lower */
  meterStartWh?: number;
  /** charge at this power (W; negative = discharge, V2X) and report it every interval */
  powerW?: number;
  /** sampling interval when powerW is given (ms; default the station's meterIntervalMs) */
  intervalMs?: number;
  /** send Authorize first (default true) */
  authorize?: boolean;
}

export interface RunSessionOptions {
  durationMs: number;
  /** default: the first free connector */
  connector?: number;
  /** default: a fresh random RFID-like tag */
  idTag?: string;
  /** default: the station's meterIntervalMs */
  intervalMs?: number;
  /** default: the station's powerW; negative discharges (V2X) */
  powerW?: number;
  reason?: StopReason;
  /** ends the session early (still with a proper stop message) */
  signal?: AbortSignal;
}

export interface SessionSummary {
  transactionId: TxnId;
  connector: number;
  meterStartWh: number;
  meterStopWh: number;
  exportWh: number;
  durationMs: number;
}

/** A refused WebSocket upgrade (`status` = HTTP status) or a failed handshake. */
export class ConnectError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'ConnectError';
  }
}

/** The CSMS did not authorize a session; `status` is its authorization status. */
export class SessionRefused extends Error {
  constructor(readonly status: string) {
    super(`session refused: ${status}`);
    this.name = 'SessionRefused';
  }
}

/** TLS of a simulated station: the CSMS's root (profile 2) and, for mutual TLS (profile 3), its own certificate and key. */
export interface StationTls {
  /** PEM root(s) the CSMS certificate must chain to; default: the system's */
  ca?: string;
  /** PEM client certificate (chain) and its key, both or neither */
  cert?: string;
  key?: string;
}
