import { openReservationStatuses, type Reservation, type ReservationRepo, type ReservationStatus } from '../../store/index.js';
import type { CommandRecord, CommandService } from '../journal/command-service.js';
import type { SecurityLog } from '../security/security-log.js';
import type { TokenService } from '../tokens/token-service.js';

export interface ReserveInput {
  idToken: string;
  /** 2.0.1 IdTokenEnumType; default ISO14443 */
  tokenType?: string;
  /** default: the token's group in the token store */
  groupIdToken?: string;
  expiresAt: Date;
  /** absent or 0 = any EVSE of the station */
  evseId?: number;
  /** 2.0.1 connectorType, e.g. cType2 */
  connectorType?: string;
}

/** What the station answered to ReserveNow and CancelReservation, as reservation statuses. */
const answers: Readonly<Record<string, ReservationStatus>> = {
  Accepted: 'Accepted', Faulted: 'Faulted', Occupied: 'Occupied', Rejected: 'Rejected', Unavailable: 'Unavailable',
};

/**
 * Reservations of both OCPP versions: the row is created first (its id is the reservationId the
 * station quotes back), the command is journalled, and the station's answer and later
 * notifications move the reservation through its statuses. Expiry is applied when reservations
 * are read and by `sweep()`, never by a timer per reservation.
 */
export class ReservationService {
  constructor(
    private readonly repo: ReservationRepo,
    private readonly commands: CommandService,
    private readonly tokens: TokenService,
    private readonly security: SecurityLog,
  ) {}

  /** Reserves; throws RangeError for an expiry not in the future. The station's refusal is in the result. */
  async reserve(stationId: string, r: ReserveInput, now = new Date()): Promise<{ reservation: Reservation; command: CommandRecord }> {
    if (!(r.expiresAt instanceof Date) || Number.isNaN(r.expiresAt.getTime()) || r.expiresAt.getTime() <= now.getTime()) {
      throw new RangeError('a reservation must expire in the future');
    }
    if (r.evseId !== undefined && (!Number.isInteger(r.evseId) || r.evseId < 0)) throw new RangeError('evseId must be a whole number ≥ 0');
    const groupIdToken = r.groupIdToken ?? (await this.tokens.authorize(r.idToken, now)).groupIdToken;
    const evseId = r.evseId ? r.evseId : null;
    const row = await this.repo.create({ stationId, evseId, connectorType: r.connectorType, idToken: r.idToken, groupIdToken, expiresAt: r.expiresAt });
    const command = await this.commands.send(stationId, {
      kind: 'reserveNow', reservationId: row.id, idToken: r.idToken, expiresAt: r.expiresAt.toISOString(),
      ...(r.tokenType !== undefined && { tokenType: r.tokenType }), ...(groupIdToken !== undefined && { groupIdToken }),
      ...(evseId !== null && { evseId }), ...(r.connectorType !== undefined && { connectorType: r.connectorType }),
    });
    const status = answers[command.status] ?? 'Failed';
    const reservation = (await this.repo.transition(stationId, row.id, status, ['Pending'])) ?? row;
    return { reservation, command };
  }

  /** CancelReservation; the reservation becomes Cancelled only when the station accepted. */
  async cancel(stationId: string, reservationId: number): Promise<{ reservation?: Reservation; command: CommandRecord }> {
    const command = await this.commands.send(stationId, { kind: 'cancelReservation', reservationId });
    if (command.status === 'Accepted') {
      await this.repo.transition(stationId, reservationId, 'Cancelled', openReservationStatuses);
      await this.commands.progress(stationId, ['reserveNow'], reservationId, 'Cancelled', { commandId: command.id });
    }
    return { reservation: await this.repo.get(stationId, reservationId), command };
  }

  /** 2.0.1 ReservationStatusUpdate: the station ended the reservation (Expired or Removed). */
  async statusUpdate(stationId: string, reservationId: number, status: 'Expired' | 'Removed'): Promise<void> {
    await this.repo.transition(stationId, reservationId, status, openReservationStatuses);
    await this.commands.progress(stationId, ['reserveNow'], reservationId, status, { by: 'station' });
  }

  /**
   * A transaction started quoting a reservation: the reservation is Used and linked to it. OCPP
   * has the start accepted whatever the reservation; a start that quotes an unknown, ended or
   * other token's reservation is recorded as a security event, because it means a reserved
   * connector was handed to someone else or the message does not come from a sound station.
   */
  async used(stationId: string, u: { reservationId: number; idToken?: string; transactionId: number }, now = new Date()): Promise<void> {
    await this.expire(stationId, now);
    const r = await this.repo.get(stationId, u.reservationId);
    if (r?.status === 'Used' && r.transactionId === u.transactionId) return; // a replayed start
    const mismatch = !r ? 'unknown' : !openReservationStatuses.includes(r.status) ? r.status : u.idToken !== undefined && !(await this.entitled(r, u.idToken, now)) ? 'otherToken' : undefined;
    if (mismatch) {
      await this.security.record({
        stationId, type: 'ReservationMismatch', severity: 'warning',
        details: { reservationId: u.reservationId, transactionId: u.transactionId, problem: mismatch },
      });
    }
    if (!r || !openReservationStatuses.includes(r.status)) return;
    // the station ended the reservation by starting on it, whoever presented the token
    await this.repo.transition(stationId, r.id, 'Used', openReservationStatuses, u.transactionId);
    await this.commands.progress(stationId, ['reserveNow'], r.id, 'Used', { transactionId: u.transactionId });
  }

  async get(stationId: string, reservationId: number, now = new Date()): Promise<Reservation | undefined> {
    await this.expire(stationId, now);
    return this.repo.get(stationId, reservationId);
  }

  /** Newest first, with expired ones already marked. */
  async list(stationId: string, now = new Date()): Promise<Reservation[]> {
    await this.expire(stationId, now);
    return this.repo.list(stationId);
  }

  /** Marks every reservation past its expiry Expired (for a periodic sweep); returns how many. */
  async sweep(now = new Date()): Promise<number> {
    return (await this.expireRows(now)).length;
  }

  private async expire(stationId: string, now: Date): Promise<void> {
    await this.expireRows(now, stationId);
  }

  private async expireRows(now: Date, stationId?: string): Promise<Reservation[]> {
    const expired = await this.repo.expire(now, stationId);
    for (const r of expired) await this.commands.progress(r.stationId, ['reserveNow'], r.id, 'Expired', { by: 'csms' });
    return expired;
  }

  /** The reserved token itself, or one of the same group (1.6 parentIdTag, 2.0.1 groupIdToken). */
  private async entitled(r: Reservation, idToken: string, now: Date): Promise<boolean> {
    // the row holds pseudonyms (migration 0024): compare like with like
    if ((await this.repo.ref(idToken)) === r.idToken) return true;
    if (r.groupIdToken === null) return false;
    const group = (await this.tokens.authorize(idToken, now)).groupIdToken;
    return group !== undefined && (await this.repo.ref(group)) === r.groupIdToken;
  }
}
