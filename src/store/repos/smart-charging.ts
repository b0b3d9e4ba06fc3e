import { sql, type Kysely } from 'kysely';
import type {
  ChargingLimitRow, ChargingProfileRow, ChargingProfileStatus, Database, EvChargingNeedsRow, EvChargingScheduleRow,
} from '../schema.js';

export interface ProfileInput {
  stationId: string;
  evseId: number;
  profileId: number;
  stackLevel: number;
  purpose: string;
  status: ChargingProfileStatus;
  limitSource?: string;
  transactionRef: string | null;
  profile: Record<string, unknown>;
  commandId: number | null;
}

export interface ChargingLimitInput {
  stationId: string;
  evseId: number;
  source: string;
  isGridCritical: boolean | null;
  schedules: unknown[];
}

export interface EvChargingNeedsInput {
  stationId: string;
  evseId: number;
  requestedEnergyTransfer: string;
  energyAmountWh: number | null;
  departureTime: Date | null;
  maxScheduleTuples: number | null;
  acParameters: Record<string, unknown> | null;
  dcParameters: Record<string, unknown> | null;
}

const json = (v: unknown): string | null => (v === null ? null : JSON.stringify(v));

/** Charging profiles, external limits and the EV's needs and schedule, per station and EVSE. */
export class SmartChargingRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Stores a profile we set (active or rejected) or one a station reported. A station keeps one
   * profile per id, so a set profile replaces the same id's set row, and a reported one the same
   * id's reported row on that EVSE.
   */
  async saveProfile(p: ProfileInput): Promise<ChargingProfileRow> {
    return this.db.transaction().execute(async (trx) => {
      let del = trx.deleteFrom('chargingProfiles').where('stationId', '=', p.stationId).where('profileId', '=', p.profileId);
      del = p.status === 'reported' ? del.where('status', '=', 'reported').where('evseId', '=', p.evseId) : del.where('status', 'in', ['active', 'rejected']);
      await del.execute();
      return trx.insertInto('chargingProfiles').values({ ...p, profile: JSON.stringify(p.profile) }).returningAll().executeTakeFirstOrThrow();
    });
  }

  listProfiles(stationId: string, filter: { status?: ChargingProfileStatus; evseId?: number } = {}): Promise<ChargingProfileRow[]> {
    let q = this.db.selectFrom('chargingProfiles').selectAll().where('stationId', '=', stationId);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.evseId !== undefined) q = q.where('evseId', '=', filter.evseId);
    return q.orderBy('evseId').orderBy('purpose').orderBy('stackLevel').orderBy('id').execute();
  }

  async deleteProfiles(ids: readonly number[]): Promise<void> {
    if (ids.length > 0) await this.db.deleteFrom('chargingProfiles').where('id', 'in', ids).execute();
  }

  async upsertLimit(l: ChargingLimitInput): Promise<void> {
    await this.db.insertInto('chargingLimits').values({ ...l, schedules: JSON.stringify(l.schedules) })
      .onConflict((oc) => oc.constraint('charging_limits_pk').doUpdateSet((eb) => ({
        isGridCritical: eb.ref('excluded.isGridCritical'), schedules: eb.ref('excluded.schedules'), notifiedAt: sql<Date>`now()`,
      })))
      .execute();
  }

  /** Removes a source's limits; on one EVSE when given, else on all of the station's. */
  async clearLimit(stationId: string, source: string, evseId?: number): Promise<number> {
    let q = this.db.deleteFrom('chargingLimits').where('stationId', '=', stationId).where('source', '=', source);
    if (evseId !== undefined) q = q.where('evseId', '=', evseId);
    const r = await q.executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  listLimits(stationId: string): Promise<ChargingLimitRow[]> {
    return this.db.selectFrom('chargingLimits').selectAll().where('stationId', '=', stationId).orderBy('evseId').orderBy('source').execute();
  }

  async upsertNeeds(n: EvChargingNeedsInput): Promise<void> {
    await this.db.insertInto('evChargingNeeds').values({ ...n, acParameters: json(n.acParameters), dcParameters: json(n.dcParameters) })
      .onConflict((oc) => oc.constraint('ev_charging_needs_pk').doUpdateSet((eb) => ({
        requestedEnergyTransfer: eb.ref('excluded.requestedEnergyTransfer'), energyAmountWh: eb.ref('excluded.energyAmountWh'),
        departureTime: eb.ref('excluded.departureTime'), maxScheduleTuples: eb.ref('excluded.maxScheduleTuples'),
        acParameters: eb.ref('excluded.acParameters'), dcParameters: eb.ref('excluded.dcParameters'), reportedAt: sql<Date>`now()`,
      })))
      .execute();
  }

  listNeeds(stationId: string): Promise<EvChargingNeedsRow[]> {
    return this.db.selectFrom('evChargingNeeds').selectAll().where('stationId', '=', stationId).orderBy('evseId').execute();
  }

  async upsertEvSchedule(stationId: string, evseId: number, timeBase: Date, schedule: Record<string, unknown>): Promise<void> {
    await this.db.insertInto('evChargingSchedules').values({ stationId, evseId, timeBase, schedule: JSON.stringify(schedule) })
      .onConflict((oc) => oc.constraint('ev_charging_schedules_pk').doUpdateSet((eb) => ({
        timeBase: eb.ref('excluded.timeBase'), schedule: eb.ref('excluded.schedule'), reportedAt: sql<Date>`now()`,
      })))
      .execute();
  }

  listEvSchedules(stationId: string): Promise<EvChargingScheduleRow[]> {
    return this.db.selectFrom('evChargingSchedules').selectAll().where('stationId', '=', stationId).orderBy('evseId').execute();
  }
}
