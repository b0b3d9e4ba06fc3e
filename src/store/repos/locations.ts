import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import { DuplicateError, InUseError, isForeignKeyViolation, isUniqueViolation } from '../errors.js';
import type { Connector, Database, EvseConnectorRow, EvseRow, LocationRow, OpeningTimes } from '../schema.js';

export interface LocationInput {
  groupId: string | null;
  name: string | null;
  address: string;
  city: string;
  postalCode: string | null;
  state: string | null;
  country: string;
  latitude: number;
  longitude: number;
  timeZone: string;
  openingTimes: OpeningTimes | null;
  parkingType: string | null;
  operatorName: string | null;
  ownerName: string | null;
  facilities: string[];
  publish: boolean;
}

export interface LocationQuery {
  /** only locations in these groups; null = no restriction */
  groups: readonly string[] | null;
  groupId?: string;
  publish?: boolean;
  /** centre of a distance search: adds distanceM and sorts by it unless `sort` is given */
  near?: { lat: number; lon: number };
  /** with `near`: only locations within this many metres */
  radiusM?: number;
  /** prefilter box (from a radius or given by the caller); minLon > maxLon wraps the antimeridian */
  bbox?: { minLat: number; minLon: number; maxLat: number; maxLon: number };
  /** OCPP statuses that make a connector available / keep its EVSE busy (see domain/locations/status.ts) */
  available?: { available: readonly string[]; busy: readonly string[]; stationDown: readonly string[] };
  sort?: 'id' | 'name' | 'city' | 'createdAt' | 'updatedAt';
  order?: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export type LocationHit = LocationRow & { distanceM: number | null };

export interface EvseInput {
  uid: string;
  emi3Id: string | null;
  physicalReference: string | null;
  floorLevel: string | null;
  capabilities: string[];
  connectors: Omit<EvseConnectorRow, 'stationId' | 'evseId' | 'updatedAt'>[];
}

/** What stands at a location: its stations' EVSE definitions, connector definitions and live statuses. */
export interface LocationEquipment {
  stationIds: string[];
  evses: EvseRow[];
  connectors: EvseConnectorRow[];
  live: Connector[];
  /** stations taken out of service (migration 0023): their EVSEs show as REMOVED */
  decommissioned?: string[];
}

const EARTH_RADIUS_M = 6_371_008.8;

/** Haversine distance in metres from a point to the location row (same formula as domain/locations/geo.ts). */
const distanceSql = (p: { lat: number; lon: number }) => sql<number>`(2 * ${EARTH_RADIUS_M}::float8 * asin(least(1::float8, sqrt(
  power(sin(radians(locations.latitude - ${p.lat}::float8) / 2), 2)
  + cos(radians(${p.lat}::float8)) * cos(radians(locations.latitude)) * power(sin(radians(locations.longitude - ${p.lon}::float8) / 2), 2)))))`;

const list = (values: readonly string[]) => (values.length ? sql.join(values.map((v) => sql`${v}`)) : sql`null`);

/** Locations, the stations attached to them, and the EVSE and connector definitions of those stations. */
export class LocationRepo {
  constructor(private readonly db: Kysely<Database>) {}

  #values(l: Partial<LocationInput>) {
    const { openingTimes, facilities, ...rest } = l;
    return {
      ...rest,
      ...(openingTimes !== undefined && { openingTimes: openingTimes && JSON.stringify(openingTimes) }),
      ...(facilities !== undefined && { facilities: JSON.stringify(facilities) }),
    };
  }

  create(id: string, l: LocationInput): Promise<LocationRow> {
    return this.db.insertInto('locations').values({ id, ...l, openingTimes: l.openingTimes && JSON.stringify(l.openingTimes), facilities: JSON.stringify(l.facilities) }).returningAll().executeTakeFirstOrThrow();
  }

  get(id: string): Promise<LocationRow | undefined> {
    return this.db.selectFrom('locations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  update(id: string, patch: Partial<LocationInput>): Promise<LocationRow | undefined> {
    return this.db.updateTable('locations').set({ ...this.#values(patch), updatedAt: sql<Date>`now()` }).where('id', '=', id).returningAll().executeTakeFirst();
  }

  /**
   * Deletes a location. Stations moved to another group since they were attached no longer stand
   * there for anyone (see `equipment`) and are let go.
   * @throws InUseError while stations of its group are attached: detaching them is an explicit step.
   */
  async remove(id: string): Promise<boolean> {
    try {
      return await this.db.transaction().execute(async (tx) => {
        await sql`update stations set location_id = null where location_id = ${id}
          and group_id is distinct from (select group_id from locations where id = ${id})`.execute(tx);
        const r = await tx.deleteFrom('locations').where('id', '=', id).executeTakeFirst();
        return r.numDeletedRows > 0n;
      });
    } catch (err) {
      if (isForeignKeyViolation(err)) throw new InUseError('location', id, err);
      throw err;
    }
  }

  /** A page of locations within `groups`, filtered geographically and by availability, with the total. */
  async search(q: LocationQuery): Promise<{ items: LocationHit[]; total: number }> {
    const conditions: Expression<SqlBool>[] = [];
    if (q.groups) conditions.push(q.groups.length ? sql<SqlBool>`locations.group_id in (${list(q.groups)})` : sql<SqlBool>`false`);
    if (q.groupId !== undefined) conditions.push(sql<SqlBool>`locations.group_id = ${q.groupId}`);
    if (q.publish !== undefined) conditions.push(sql<SqlBool>`locations.publish = ${q.publish}`);
    if (q.bbox) {
      const b = q.bbox;
      conditions.push(sql<SqlBool>`locations.latitude between ${b.minLat}::float8 and ${b.maxLat}::float8`);
      conditions.push(b.minLon <= b.maxLon
        ? sql<SqlBool>`locations.longitude between ${b.minLon}::float8 and ${b.maxLon}::float8`
        : sql<SqlBool>`(locations.longitude >= ${b.minLon}::float8 or locations.longitude <= ${b.maxLon}::float8)`);
    }
    const distance = q.near && distanceSql(q.near);
    if (distance && q.radiusM !== undefined) conditions.push(sql<SqlBool>`${distance} <= ${q.radiusM}::float8`);
    if (q.available) {
      // an EVSE is available when a connector is and none keeps it busy (the precedence of status.ts)
      conditions.push(sql<SqlBool>`exists (
        select 1 from stations s join evses e on e.station_id = s.id
        where s.location_id = locations.id and s.group_id is not distinct from locations.group_id and s.decommissioned_at is null
          and exists (select 1 from connectors c where c.station_id = e.station_id and c.evse_id = e.evse_id and c.status in (${list(q.available.available)}))
          and not exists (select 1 from connectors c where c.station_id = e.station_id and c.evse_id = e.evse_id and c.status in (${list(q.available.busy)}))
          and not exists (select 1 from connectors c where c.station_id = e.station_id and c.evse_id = 0 and c.status in (${list(q.available.stationDown)})))`);
    }
    const where = conditions.length ? sql.join(conditions, sql` and `) : sql`true`;
    const order = q.order === 'desc' ? sql`desc` : sql`asc`;
    const column = q.sort ? sql.ref(`locations.${q.sort}`) : undefined;
    const orderBy = column ? sql`${column} ${order}, locations.id` : distance ? sql`${distance} ${order}, locations.id` : sql`locations.id ${order}`;
    const [items, count] = await Promise.all([
      sql<LocationHit>`select locations.*, ${distance ?? sql`null::float8`} as distance_m from locations where ${where} order by ${orderBy} limit ${q.limit} offset ${q.offset}`.execute(this.db),
      sql<{ n: string }>`select count(*) as n from locations where ${where}`.execute(this.db),
    ]);
    return { items: items.rows, total: Number(count.rows[0]?.n ?? 0) };
  }

  /** Attaches a station to a location (null: detaches it); false when the station does not exist. */
  async attach(stationId: string, locationId: string | null): Promise<boolean> {
    const r = await this.db.updateTable('stations').set({ locationId }).where('id', '=', stationId).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async stationLocation(stationId: string): Promise<{ locationId: string | null; groupId: string | null } | undefined> {
    return this.db.selectFrom('stations').select(['locationId', 'groupId']).where('id', '=', stationId).executeTakeFirst();
  }

  /**
   * Only stations of the location's own group count: one moved to another group after it was
   * attached must not show through the location to the old group's users.
   */
  async equipment(locationId: string): Promise<LocationEquipment> {
    const stations = (await sql<{ id: string; decommissionedAt: Date | null }>`select s.id, s.decommissioned_at from stations s join locations l on l.id = s.location_id
      where l.id = ${locationId} and s.group_id is not distinct from l.group_id order by s.id`.execute(this.db)).rows;
    const stationIds = stations.map((s) => s.id);
    const decommissioned = stations.filter((s) => s.decommissionedAt !== null).map((s) => s.id);
    if (!stationIds.length) return { stationIds, evses: [], connectors: [], live: [], decommissioned };
    const [evses, connectors, live] = await Promise.all([
      this.db.selectFrom('evses').selectAll().where('stationId', 'in', stationIds).orderBy('stationId').orderBy('evseId').execute(),
      this.db.selectFrom('evseConnectors').selectAll().where('stationId', 'in', stationIds).orderBy('stationId').orderBy('evseId').orderBy('connectorId').execute(),
      this.db.selectFrom('connectors').selectAll().where('stationId', 'in', stationIds).execute(),
    ]);
    return { stationIds, evses, connectors, live, decommissioned };
  }

  /**
   * What each EVSE of a station can deliver (W): the largest of its connectors' max_electric_power,
   * else voltage × amperage (× 3 phases for AC_3_PHASE, OCPI's voltage being line to neutral).
   */
  async evseRatings(stationId: string): Promise<Map<number, number>> {
    const rows = await this.db.selectFrom('evseConnectors').select(['evseId', 'powerType', 'maxVoltage', 'maxAmperage', 'maxElectricPower']).where('stationId', '=', stationId).execute();
    const ratings = new Map<number, number>();
    for (const c of rows) {
      const w = c.maxElectricPower ?? c.maxVoltage * c.maxAmperage * (c.powerType === 'AC_3_PHASE' ? 3 : 1);
      if (w > 0) ratings.set(c.evseId, Math.max(ratings.get(c.evseId) ?? 0, w));
    }
    return ratings;
  }

  getEvse(stationId: string, evseId: number): Promise<EvseRow | undefined> {
    return this.db.selectFrom('evses').selectAll().where('stationId', '=', stationId).where('evseId', '=', evseId).executeTakeFirst();
  }

  /**
   * Creates or replaces an EVSE definition with its connectors, in one transaction: connectors
   * left out of `e.connectors` are gone afterwards.
   * @throws DuplicateError when another EVSE holds the uid
   */
  async putEvse(stationId: string, evseId: number, e: EvseInput): Promise<{ evse: EvseRow; connectors: EvseConnectorRow[] }> {
    try {
      return await this.db.transaction().execute(async (tx) => {
        const row = { uid: e.uid, emi3Id: e.emi3Id, physicalReference: e.physicalReference, floorLevel: e.floorLevel, capabilities: JSON.stringify(e.capabilities) };
        const evse = await tx.insertInto('evses').values({ stationId, evseId, ...row })
          .onConflict((oc) => oc.columns(['stationId', 'evseId']).doUpdateSet({ ...row, updatedAt: sql<Date>`now()` }))
          .returningAll().executeTakeFirstOrThrow();
        await tx.deleteFrom('evseConnectors').where('stationId', '=', stationId).where('evseId', '=', evseId).execute();
        const connectors = e.connectors.length
          ? await tx.insertInto('evseConnectors').values(e.connectors.map((c) => ({ ...c, stationId, evseId }))).returningAll().execute()
          : [];
        return { evse, connectors: connectors.sort((a, b) => a.connectorId - b.connectorId) };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('evse', e.uid, err);
      throw err;
    }
  }

  async removeEvse(stationId: string, evseId: number): Promise<boolean> {
    const r = await this.db.deleteFrom('evses').where('stationId', '=', stationId).where('evseId', '=', evseId).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }
}
