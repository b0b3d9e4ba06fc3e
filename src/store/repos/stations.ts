import { sql, type Kysely } from 'kysely';
import { DuplicateError, InUseError, isForeignKeyViolation, isUniqueViolation } from '../errors.js';
import type { Database, RegistrationStatus, Station } from '../schema.js';
import type { Page } from './page.js';

export interface NewStationInput {
  id: string;
  /** Keyed hash of the password (see the auth module); null for certificate-only stations. */
  passwordHash: string | null;
  securityProfile?: number;
  registrationStatus?: RegistrationStatus;
}

export interface BootInfo {
  protocol: string;
  vendor: string;
  model: string;
  serialNumber?: string | null;
  firmwareVersion?: string | null;
  iccid?: string | null;
  imsi?: string | null;
  meterType?: string | null;
  meterSerialNumber?: string | null;
  at: Date;
}

export interface StationQuery {
  limit: number;
  offset: number;
  /** only stations in these groups; null = no restriction */
  groups: readonly string[] | null;
  groupId?: string;
  registrationStatus?: RegistrationStatus;
  idPrefix?: string;
  /** true: only decommissioned stations; false: only those in service */
  decommissioned?: boolean;
  sort?: 'id' | 'lastSeenAt' | 'createdAt';
  order?: 'asc' | 'desc';
}

export class StationRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** @throws DuplicateError when a station with this id exists. */
  async create(input: NewStationInput): Promise<Station> {
    try {
      return await this.db
        .insertInto('stations')
        .values({
          id: input.id,
          passwordHash: input.passwordHash,
          securityProfile: input.securityProfile,
          registrationStatus: input.registrationStatus,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('station', input.id, err);
      throw err;
    }
  }

  async get(id: string): Promise<Station | undefined> {
    return this.db.selectFrom('stations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(page: Page): Promise<Station[]> {
    return this.db
      .selectFrom('stations')
      .selectAll()
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset ?? 0)
      .execute();
  }

  /** A page of stations within `groups` (null = all), filtered and sorted, with the total count. */
  async search(q: StationQuery): Promise<{ items: Station[]; total: number }> {
    let base = this.db.selectFrom('stations');
    if (q.groups) base = q.groups.length ? base.where('groupId', 'in', q.groups) : base.where(sql<boolean>`false`);
    if (q.registrationStatus) base = base.where('registrationStatus', '=', q.registrationStatus);
    if (q.groupId !== undefined) base = base.where('groupId', '=', q.groupId);
    if (q.decommissioned !== undefined) base = base.where('decommissionedAt', q.decommissioned ? 'is not' : 'is', null);
    if (q.idPrefix) base = base.where('id', 'like', `${q.idPrefix.replace(/[\\%_]/g, '\\$&')}%`);
    const [items, count] = await Promise.all([
      base.selectAll().orderBy(q.sort ?? 'id', q.order ?? 'asc').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(count.n) };
  }

  /**
   * Deletes the station and its connector states.
   * @throws InUseError when transactions still refer to it.
   */
  async remove(id: string): Promise<boolean> {
    try {
      const r = await this.db.deleteFrom('stations').where('id', '=', id).executeTakeFirst();
      return r.numDeletedRows > 0n;
    } catch (err) {
      if (isForeignKeyViolation(err)) throw new InUseError('station', id, err);
      throw err;
    }
  }

  /**
   * Stores what a BootNotification reported and returns the station's registration status
   * (set by the operator), in one statement; undefined for an unknown station.
   */
  async recordBoot(id: string, boot: BootInfo): Promise<RegistrationStatus | undefined> {
    const r = await this.db
      .updateTable('stations')
      .set((eb) => ({
        protocol: boot.protocol,
        vendor: boot.vendor,
        model: boot.model,
        serialNumber: boot.serialNumber ?? null,
        firmwareVersion: boot.firmwareVersion ?? null,
        iccid: boot.iccid ?? null,
        imsi: boot.imsi ?? null,
        meterType: boot.meterType ?? null,
        meterSerialNumber: boot.meterSerialNumber ?? null,
        lastBootAt: boot.at,
        lastSeenAt: boot.at,
        updatedAt: eb.fn<Date>('now'),
      }))
      .where('id', '=', id)
      .returning('registrationStatus')
      .executeTakeFirst();
    return r?.registrationStatus;
  }

  /**
   * Marks many stations as seen in one statement (callers batch heartbeats).
   * Never moves last_seen_at backwards; returns how many rows changed.
   */
  async touch(ids: readonly string[], at: Date): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await this.db
      .updateTable('stations')
      .set({ lastSeenAt: at })
      // = any($1) keeps it one array parameter however many ids there are.
      .where((eb) =>
        eb.and([
          eb('id', '=', eb.fn.any(eb.val(ids))),
          eb.or([eb('lastSeenAt', 'is', null), eb('lastSeenAt', '<', at)]),
        ]),
      )
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** The profile the station was told to move to (null: none pending). */
  async setSecurityProfileTarget(id: string, target: number | null): Promise<void> {
    await this.db.updateTable('stations').set((eb) => ({ securityProfileTarget: target, updatedAt: eb.fn<Date>('now') })).where('id', '=', id).execute();
  }

  /** The station connected with its target profile (or better): that becomes its configured (minimum) profile. */
  async completeSecurityProfileUpgrade(id: string, reached: number): Promise<boolean> {
    const r = await this.db.updateTable('stations')
      .set((eb) => ({ securityProfile: sql<number>`security_profile_target`, securityProfileTarget: null, updatedAt: eb.fn<Date>('now') }))
      .where('id', '=', id).where('securityProfileTarget', '<=', reached).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async setPasswordHash(id: string, passwordHash: string | null): Promise<boolean> {
    const r = await this.db
      .updateTable('stations')
      .set((eb) => ({ passwordHash, updatedAt: eb.fn<Date>('now') }))
      .where('id', '=', id)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async setRegistrationStatus(id: string, registrationStatus: RegistrationStatus): Promise<boolean> {
    const r = await this.db
      .updateTable('stations')
      .set((eb) => ({ registrationStatus, updatedAt: eb.fn<Date>('now') }))
      .where('id', '=', id)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }
}
