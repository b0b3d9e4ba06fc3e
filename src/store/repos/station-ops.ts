import { sql, type Kysely } from 'kysely';
import type { Database, IssuedCertificate, Station } from '../schema.js';
import type { LocationInput } from './locations.js';

export interface StatusHistoryQuery {
  stationId: string;
  evseId?: number;
  connectorId?: number;
  /** status time, inclusive */
  from?: Date;
  /** status time, exclusive */
  to?: Date;
  /** newest first unless 'asc' */
  order?: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export interface StatusHistoryRow {
  id: number;
  evseId: number;
  connectorId: number;
  status: string;
  errorCode: string | null;
  info: string | null;
  statusAt: Date;
  receivedAt: Date;
}

/** What the location model says about one connector of a located station (for a CDR's CdrLocation). */
export interface LocatedConnector extends Pick<LocationInput, 'name' | 'address' | 'city' | 'postalCode' | 'state' | 'country' | 'latitude' | 'longitude'> {
  locationId: string;
  evseUid: string | null;
  emi3Id: string | null;
  connectorId: number | null;
  standard: string | null;
  format: string | null;
  powerType: string | null;
}

/** Password rotations a decommissioning ends (the station will never use the new password). */
const openRotations = ['Requested', 'Sent'];

/** Station lifecycle (decommissioning) and the read models of the operations API. */
export class StationOpsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Takes a station out of service in one transaction: stamps it, wipes its password and any
   * pending rotation, drops a pending profile upgrade. Undefined when it does not exist or is
   * already decommissioned (the first decommissioning stays).
   */
  async decommission(id: string, at: Date): Promise<Station | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const station = await trx.updateTable('stations')
        .set({ decommissionedAt: at, passwordHash: null, pendingPasswordHash: null, securityProfileTarget: null, updatedAt: at })
        .where('id', '=', id).where('decommissionedAt', 'is', null)
        .returningAll().executeTakeFirst();
      if (!station) return undefined;
      await trx.updateTable('passwordRotations').set({ status: 'Superseded', reason: 'station decommissioned', sealedPassword: null, updatedAt: at })
        .where('stationId', '=', id).where('status', 'in', openRotations).execute();
      return station;
    });
  }

  /** Puts a decommissioned station back in service with a new password hash; undefined when it is not decommissioned. */
  async recommission(id: string, passwordHash: string, securityProfile?: number): Promise<Station | undefined> {
    return this.db.updateTable('stations')
      .set((eb) => ({ decommissionedAt: null, passwordHash, ...(securityProfile !== undefined && { securityProfile }), updatedAt: eb.fn<Date>('now') }))
      .where('id', '=', id).where('decommissionedAt', 'is not', null)
      .returningAll().executeTakeFirst();
  }

  /** Whether CDRs name the station: they are billing documents, so it is decommissioned rather than deleted. */
  async hasCdrs(stationId: string): Promise<boolean> {
    return (await this.db.selectFrom('cdrs').select('id').where('stationId', '=', stationId).limit(1).executeTakeFirst()) !== undefined;
  }

  /** Serial numbers of the station's certificates from the CPO CA that are not revoked. */
  async unrevokedCertificates(stationId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('issuedCertificates').select('serialNumber')
      .where('stationId', '=', stationId).where('revokedAt', 'is', null).execute();
    return rows.map((r) => r.serialNumber);
  }

  /** The newest unrevoked station (TLS client) certificate the CPO CA issued to it. */
  clientCertificate(stationId: string): Promise<Pick<IssuedCertificate, 'serialNumber' | 'subject' | 'notBefore' | 'notAfter'> | undefined> {
    return this.db.selectFrom('issuedCertificates').select(['serialNumber', 'subject', 'notBefore', 'notAfter'])
      .where('stationId', '=', stationId).where('certificateType', '=', 'ChargingStationCertificate').where('revokedAt', 'is', null)
      .orderBy('notBefore', 'desc').limit(1).executeTakeFirst();
  }

  /** A page of a station's status history with the total, filtered by EVSE/connector and time. */
  async statusHistory(q: StatusHistoryQuery): Promise<{ items: StatusHistoryRow[]; total: number }> {
    let base = this.db.selectFrom('statusHistory').where('stationId', '=', q.stationId);
    if (q.evseId !== undefined) base = base.where('evseId', '=', q.evseId);
    if (q.connectorId !== undefined) base = base.where('connectorId', '=', q.connectorId);
    if (q.from) base = base.where('statusAt', '>=', q.from);
    if (q.to) base = base.where('statusAt', '<', q.to);
    const order = q.order ?? 'desc';
    const [items, count] = await Promise.all([
      base.select(['id', 'evseId', 'connectorId', 'status', 'errorCode', 'info', 'statusAt', 'receivedAt'])
        // the id breaks ties between reports stamped with the same time, in arrival order
        .orderBy('statusAt', order).orderBy('id', order).limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(count.n) };
  }

  /**
   * The newest fault reports: an OCPP 1.6 errorCode other than NoError, or the Faulted status
   * (2.0.1 StatusNotification carries no error code).
   */
  faults(stationId: string, limit: number): Promise<StatusHistoryRow[]> {
    return this.db.selectFrom('statusHistory')
      .select(['id', 'evseId', 'connectorId', 'status', 'errorCode', 'info', 'statusAt', 'receivedAt'])
      .where('stationId', '=', stationId)
      .where((eb) => eb.or([eb('status', '=', 'Faulted'), eb.and([eb('errorCode', 'is not', null), eb('errorCode', '!=', 'NoError')])]))
      .orderBy('statusAt', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  /** Commands the station has not answered yet, oldest first. */
  openCommands(stationId: string, limit: number) {
    return this.db.selectFrom('stationCommands').select(['id', 'kind', 'status', 'progress', 'createdAt'])
      .where('stationId', '=', stationId).where('answeredAt', 'is', null)
      .orderBy('id').limit(limit).execute();
  }

  /** The newest log uploads (diagnostics and security logs). */
  logUploads(stationId: string, limit: number) {
    return this.db.selectFrom('stationFiles').select(['id', 'fileKind', 'originalName', 'size', 'sha256', 'receivedAt'])
      .where('stationId', '=', stationId).where('fileKind', 'in', ['diagnostics', 'securityLog'])
      .orderBy('receivedAt', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  /**
   * The location a station stands at (only one of its own group counts, as in the locations API),
   * with the EVSE and connector definition of the given connector when the model has them.
   * A null connectorId picks the EVSE's connector when it has exactly one.
   */
  async locate(stationId: string, evseId: number | null, connectorId: number | null): Promise<LocatedConnector | undefined> {
    const r = await sql<LocatedConnector>`
      select l.id as location_id, l.name, l.address, l.city, l.postal_code, l.state, l.country, l.latitude, l.longitude,
        e.uid as evse_uid, e.emi3_id, c.connector_id, c.standard, c.format, c.power_type
      from stations s
      join locations l on l.id = s.location_id and l.group_id is not distinct from s.group_id
      left join evses e on e.station_id = s.id and e.evse_id = ${evseId}
      left join lateral (
        select * from evse_connectors ec where ec.station_id = s.id and ec.evse_id = e.evse_id
          and (ec.connector_id = ${connectorId} or (${connectorId}::integer is null
            and (select count(*) from evse_connectors x where x.station_id = s.id and x.evse_id = e.evse_id) = 1))
        limit 1) c on true
      where s.id = ${stationId}`.execute(this.db);
    return r.rows[0];
  }
}
