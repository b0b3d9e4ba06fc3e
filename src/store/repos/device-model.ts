import { sql, type Kysely } from 'kysely';
import type { Database, DeviceVariable } from '../schema.js';

export interface DeviceVariableInput {
  stationId: string;
  component: string;
  componentInstance: string;
  evseId: number | null;
  connectorId: number | null;
  variable: string;
  variableInstance: string;
  attributeType: string;
  value: string | null;
  mutability: string | null;
  characteristics: unknown;
}

/** The 2.0.1 device model per station; a newer report of a variable replaces the older one. */
export class DeviceModelRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async upsert(rows: readonly DeviceVariableInput[]): Promise<void> {
    await this.db
      .insertInto('deviceVariables')
      .values(rows.map((r) => ({ ...r, characteristics: r.characteristics === null ? null : JSON.stringify(r.characteristics) })))
      .onConflict((oc) => oc.constraint('device_variables_pk').doUpdateSet((eb) => ({
        value: eb.ref('excluded.value'),
        mutability: eb.ref('excluded.mutability'),
        characteristics: eb.ref('excluded.characteristics'),
        reportedAt: sql<Date>`now()`,
      })))
      .execute();
  }

  async list(stationId: string, filter: { component?: string; variable?: string } = {}): Promise<DeviceVariable[]> {
    let q = this.db.selectFrom('deviceVariables').selectAll().where('stationId', '=', stationId);
    if (filter.component) q = q.where('component', '=', filter.component);
    if (filter.variable) q = q.where('variable', '=', filter.variable);
    return q.orderBy('component').orderBy('evseKey').orderBy('connectorKey').orderBy('variable').orderBy('attributeType').execute();
  }
}
