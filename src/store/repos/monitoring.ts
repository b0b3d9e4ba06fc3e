import { sql, type Kysely } from 'kysely';
import type { Database, DeviceEvent, VariableMonitor } from '../schema.js';

export interface MonitorInput {
  stationId: string;
  monitorId: number | null;
  component: string;
  componentInstance: string;
  evseId: number | null;
  connectorId: number | null;
  variable: string;
  variableInstance: string;
  type: string;
  value: number;
  severity: number;
  transaction: boolean;
  status: string;
  statusReason: string | null;
}

export type DeviceEventInput = Omit<DeviceEvent, 'id' | 'receivedAt' | 'occurredAt' | 'generatedAt'> & { occurredAt: string | Date; generatedAt: string | Date };

/** 2.0.1 variable monitors per station, keyed by the id the station gave them. */
export class MonitorRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * A monitor with a station id replaces the one with that id; refused ones (no id) are added.
   * A report ('Reported') updates a monitor we set but keeps its status: we still set it.
   */
  async upsert(monitors: readonly MonitorInput[]): Promise<void> {
    // one statement cannot update a row twice: the last word about a monitor id wins
    const rows = [...new Map(monitors.map((m, i) => [m.monitorId ?? `refused-${i}`, m])).values()];
    if (rows.length === 0) return;
    await this.db.insertInto('variableMonitors').values(rows)
      .onConflict((oc) => oc.columns(['stationId', 'monitorId']).doUpdateSet((eb) => ({
        component: eb.ref('excluded.component'), componentInstance: eb.ref('excluded.componentInstance'),
        evseId: eb.ref('excluded.evseId'), connectorId: eb.ref('excluded.connectorId'),
        variable: eb.ref('excluded.variable'), variableInstance: eb.ref('excluded.variableInstance'),
        type: eb.ref('excluded.type'), value: eb.ref('excluded.value'), severity: eb.ref('excluded.severity'),
        transaction: eb.ref('excluded.transaction'),
        status: sql<string>`case when excluded.status = 'Reported' then variable_monitors.status else excluded.status end`,
        statusReason: sql<string | null>`case when excluded.status = 'Reported' then variable_monitors.status_reason else excluded.status_reason end`,
        updatedAt: sql<Date>`now()`,
      })))
      .execute();
  }

  async remove(stationId: string, monitorIds: readonly number[]): Promise<number> {
    if (monitorIds.length === 0) return 0;
    const r = await this.db.deleteFrom('variableMonitors').where('stationId', '=', stationId).where('monitorId', 'in', monitorIds).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  list(stationId: string, filter: { component?: string; variable?: string; status?: string } = {}): Promise<VariableMonitor[]> {
    let q = this.db.selectFrom('variableMonitors').selectAll().where('stationId', '=', stationId);
    if (filter.component !== undefined) q = q.where('component', '=', filter.component);
    if (filter.variable !== undefined) q = q.where('variable', '=', filter.variable);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    return q.orderBy('monitorId').orderBy('id').execute();
  }
}

/** 2.0.1 events (NotifyEvent) per station, in arrival order. */
export class DeviceEventRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(rows: readonly DeviceEventInput[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.insertInto('deviceEvents').values([...rows]).execute();
  }

  /** Newest first. */
  list(stationId: string, filter: { component?: string; variable?: string; limit?: number } = {}): Promise<DeviceEvent[]> {
    let q = this.db.selectFrom('deviceEvents').selectAll().where('stationId', '=', stationId);
    if (filter.component !== undefined) q = q.where('component', '=', filter.component);
    if (filter.variable !== undefined) q = q.where('variable', '=', filter.variable);
    return q.orderBy('id', 'desc').limit(filter.limit ?? 100).execute();
  }
}
