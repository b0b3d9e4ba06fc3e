import type { CallHandler } from '../ocpp/rpc/endpoint.js';
import type { OcppVersion } from '../ocpp/protocols.js';
import type { SimVariable } from './settings.js';
import type { SimulatedStation } from './station.js';
import type { BootReason, BootResult, ConnectorStatus, SessionSummary, StopReason, TxnId } from './types.js';

/** A running transaction on one connector; lives only while the transaction does. */
export interface Session {
  /** 0 / '' until the start message is answered */
  id: TxnId;
  connector: number;
  idTag: string;
  /** 2.0.1 IdTokenEnumType of the token */
  tokenType: string;
  remoteStartId?: number;
  /** 2.0.1: seqNo of the last TransactionEvent sent */
  seqNo: number;
  meterStartWh: number;
  startedAt: number;
  /** W; negative = discharging */
  powerW: number;
  /** when energy was last integrated (auto-metering) */
  lastTick: number;
  timer?: NodeJS.Timeout;
  /** 2.0.1 chargingState last reported */
  chargingState?: string;
  /** a periodic sample is still on its way: the next one is skipped rather than queued */
  sampling?: boolean;
  ending?: boolean;
  /** told the outcome when the session ends or is lost */
  onEnd?: (outcome: SessionSummary | Error) => void;
  /** the reservation this session uses, quoted in its start message */
  reservationId?: number;
}

/** A reservation the station holds on one connector (1.6) / EVSE (2.0.1). */
export interface SimReservation {
  id: number;
  idTag: string;
  /** 1.6 parentIdTag / 2.0.1 groupIdToken: tokens of this group may use it too */
  groupIdTag?: string;
  expiresAt: number;
  /** ends the reservation at its expiry */
  timer?: NodeJS.Timeout;
}

export interface ConnectorState {
  /** last status sent, in the station's own vocabulary */
  status: string;
  operative: boolean;
  /** availability to apply when the running session ends (a "Scheduled" change) */
  pendingOperative?: boolean;
  /** energy registers (Wh), only ever increasing */
  importWh: number;
  exportWh: number;
  session?: Session;
  reservation?: SimReservation;
}

/** Everything that differs between OCPP versions: messages sent, and commands answered. */
export interface Dialect {
  readonly subprotocol: OcppVersion;
  readonly handlers: ReadonlyMap<string, CallHandler<SimulatedStation>>;
  /** configuration keys (1.6) or device-model variables (2.0.1), by path (see settingPath) */
  readonly settings: ReadonlyMap<string, SimVariable>;
  boot(st: SimulatedStation, reason: BootReason): Promise<BootResult>;
  heartbeat(st: SimulatedStation): Promise<void>;
  status(st: SimulatedStation, connector: number, status: ConnectorStatus): Promise<void>;
  /** the CSMS's authorization status for the token */
  authorize(st: SimulatedStation, idTag: string, tokenType?: string): Promise<string>;
  /** the whole start sequence; sets `s.id`; throws SessionRefused when the CSMS says no */
  begin(st: SimulatedStation, s: Session, authorize: boolean): Promise<void>;
  /** reports the connector's registers and `s.powerW` */
  meter(st: SimulatedStation, s: Session, trigger: 'Periodic' | 'Trigger'): Promise<void>;
  /** the stop message (and 1.6 Finishing); the station then reports the idle status */
  end(st: SimulatedStation, s: Session, reason: StopReason): Promise<void>;
  /** connector statuses as after a boot: 1.6 includes connector 0 */
  announce(st: SimulatedStation): Promise<void>;
}
