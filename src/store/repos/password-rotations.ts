import { sql, type Kysely } from 'kysely';
import type { Database, PasswordRotation } from '../schema.js';

const open = ['Requested', 'Sent'];

/** Station password rotations: the pending hash on the station row and the audit trail beside it. */
export class PasswordRotationRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Starts a rotation; an earlier unfinished one is superseded (its password wiped). */
  async request(stationId: string, requestedBy: string, pendingHash: string, sealedPassword: string): Promise<PasswordRotation> {
    return this.db.transaction().execute(async (trx) => {
      await trx.updateTable('passwordRotations').set({ status: 'Superseded', sealedPassword: null, updatedAt: sql<Date>`now()` })
        .where('stationId', '=', stationId).where('status', 'in', open).execute();
      await trx.updateTable('stations').set({ pendingPasswordHash: pendingHash, updatedAt: sql<Date>`now()` }).where('id', '=', stationId).execute();
      return trx.insertInto('passwordRotations').values({ stationId, status: 'Requested', requestedBy, sealedPassword, commandId: null, reason: null })
        .returningAll().executeTakeFirstOrThrow();
    });
  }

  /** The rotation waiting to be sent to the station, if any. */
  waiting(stationId: string): Promise<PasswordRotation | undefined> {
    return this.db.selectFrom('passwordRotations').selectAll().where('stationId', '=', stationId).where('status', '=', 'Requested')
      .orderBy('id', 'desc').limit(1).executeTakeFirst();
  }

  /** The station accepted the new password: the sealed copy is no longer needed. */
  async sent(id: number, commandId: number): Promise<void> {
    await this.db.updateTable('passwordRotations').set({ status: 'Sent', commandId, sealedPassword: null, updatedAt: sql<Date>`now()` }).where('id', '=', id).execute();
  }

  /** The station refused (or could not be reached): the rotation ends and the pending password is dropped. */
  async failed(id: number, status: 'Rejected' | 'Failed', reason: string, commandId?: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('passwordRotations').set({ status, reason, commandId: commandId ?? null, sealedPassword: null, updatedAt: sql<Date>`now()` })
        .where('id', '=', id).returning('stationId').executeTakeFirst();
      if (r) await trx.updateTable('stations').set({ pendingPasswordHash: null }).where('id', '=', r.stationId).execute();
    });
  }

  /** The station authenticated with the new password: it becomes the only one, the old one is retired. */
  async complete(stationId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const s = await trx.updateTable('stations')
        .set((eb) => ({ passwordHash: eb.ref('pendingPasswordHash'), pendingPasswordHash: null, updatedAt: sql<Date>`now()` }))
        .where('id', '=', stationId).where('pendingPasswordHash', 'is not', null).executeTakeFirst();
      if (s.numUpdatedRows === 0n) return false;
      await trx.updateTable('passwordRotations').set({ status: 'Completed', sealedPassword: null, updatedAt: sql<Date>`now()` })
        .where('stationId', '=', stationId).where('status', 'in', open).execute();
      return true;
    });
  }

  /** Stations with a rotation waiting to be sent. */
  async stationsWaiting(limit = 1000): Promise<string[]> {
    const rows = await this.db.selectFrom('passwordRotations').select('stationId').distinct().where('status', '=', 'Requested').limit(limit).execute();
    return rows.map((r) => r.stationId);
  }

  /** Newest first. */
  list(stationId: string, limit = 50): Promise<PasswordRotation[]> {
    return this.db.selectFrom('passwordRotations').selectAll().where('stationId', '=', stationId).orderBy('id', 'desc').limit(limit).execute();
  }
}
