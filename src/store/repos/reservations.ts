import { sql, type Kysely } from 'kysely';
import type { Database, Reservation, ReservationStatus } from '../schema.js';
import { isTokenRef, type TokenRefs } from './token-refs.js';

export interface NewReservationInput {
  stationId: string;
  evseId: number | null;
  connectorType?: string | null;
  idToken: string;
  groupIdToken?: string | null;
  expiresAt: Date;
}

/** Statuses from which a reservation can still be used, cancelled or expire. */
export const openReservationStatuses: readonly ReservationStatus[] = ['Pending', 'Accepted'];

export class ReservationRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private tokenRefs?: TokenRefs;

  /** From here on the token columns store pseudonyms (migration 0024); see TokenRefs. */
  referTokens(refs: TokenRefs): void {
    this.tokenRefs = refs;
  }

  /** what the token columns hold for a UID (its pseudonym once protected) */
  async ref(uid: string): Promise<string>;
  async ref(uid: string | null | undefined): Promise<string | null | undefined>;
  async ref(uid: string | null | undefined): Promise<string | null | undefined> {
    return uid && this.tokenRefs && !isTokenRef(uid) ? this.tokenRefs.ref(uid) : uid;
  }

  async create(r: NewReservationInput): Promise<Reservation> {
    return this.db.insertInto('reservations').values({
      stationId: r.stationId, evseId: r.evseId, connectorType: r.connectorType ?? null, idToken: await this.ref(r.idToken),
      groupIdToken: (await this.ref(r.groupIdToken)) ?? null, expiresAt: r.expiresAt, transactionId: null,
    }).returningAll().executeTakeFirstOrThrow();
  }

  async get(stationId: string, id: number): Promise<Reservation | undefined> {
    return this.db.selectFrom('reservations').selectAll().where('stationId', '=', stationId).where('id', '=', id).executeTakeFirst();
  }

  /** Newest first. */
  async list(stationId: string, limit = 100): Promise<Reservation[]> {
    return this.db.selectFrom('reservations').selectAll().where('stationId', '=', stationId).orderBy('id', 'desc').limit(limit).execute();
  }

  /**
   * Moves a reservation to `status`, only from one of `from` (so a late answer cannot reopen a
   * used or cancelled one). Returns the updated row, or undefined when nothing changed.
   */
  async transition(stationId: string, id: number, status: ReservationStatus, from: readonly ReservationStatus[], transactionId?: number): Promise<Reservation | undefined> {
    return this.db.updateTable('reservations')
      .set({ status, ...(transactionId !== undefined && { transactionId }), updatedAt: sql<Date>`now()` })
      .where('stationId', '=', stationId).where('id', '=', id).where('status', 'in', from)
      .returningAll().executeTakeFirst();
  }

  /** Marks every open reservation past its expiry (of one station, or all) Expired; returns them. */
  async expire(now: Date, stationId?: string): Promise<Reservation[]> {
    let q = this.db.updateTable('reservations')
      .set({ status: 'Expired', updatedAt: sql<Date>`now()` })
      .where('status', 'in', openReservationStatuses).where('expiresAt', '<=', now);
    if (stationId !== undefined) q = q.where('stationId', '=', stationId);
    return q.returningAll().execute();
  }
}
