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

/** The station's answer about one attribute: a value it reported or accepted, or why not. */
export interface DeviceVariableAnswer extends Omit<DeviceVariableInput, 'mutability' | 'characteristics'> {
  /** null keeps the stored value (the answer carried none, e.g. Rejected) */
  value: string | null;
  status: string;
  statusReason: string | null;
  /** known from the answer itself (1.6 readonly flag); null keeps the stored one */
  mutability?: string | null;
}

export interface DeviceVariableFilter {
  component?: string;
  componentInstance?: string;
  variable?: string;
  variableInstance?: string;
  /** null = station-wide components only */
  evseId?: number | null;
  connectorId?: number | null;
  attributeType?: string;
  mutability?: string;
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

  /** Records answers to Get/SetVariables (or GetConfiguration); report data (characteristics) is kept. */
  async recordAnswers(answers: readonly DeviceVariableAnswer[]): Promise<void> {
    // one statement cannot update a row twice: the last answer about an attribute wins
    const rows = [...new Map(answers.map((r) => [JSON.stringify([r.component, r.componentInstance, r.evseId, r.connectorId, r.variable, r.variableInstance, r.attributeType]), r])).values()];
    if (rows.length === 0) return;
    await this.db
      .insertInto('deviceVariables')
      .values(rows.map((r) => ({ ...r, mutability: r.mutability ?? null, characteristics: null })))
      .onConflict((oc) => oc.constraint('device_variables_pk').doUpdateSet((eb) => ({
        value: eb.fn.coalesce(eb.ref('excluded.value'), eb.ref('deviceVariables.value')),
        mutability: eb.fn.coalesce(eb.ref('excluded.mutability'), eb.ref('deviceVariables.mutability')),
        status: eb.ref('excluded.status'),
        statusReason: eb.ref('excluded.statusReason'),
        reportedAt: sql<Date>`now()`,
      })))
      .execute();
  }

  async list(stationId: string, filter: DeviceVariableFilter = {}): Promise<DeviceVariable[]> {
    let q = this.db.selectFrom('deviceVariables').selectAll().where('stationId', '=', stationId);
    if (filter.component !== undefined) q = q.where('component', '=', filter.component);
    if (filter.componentInstance !== undefined) q = q.where('componentInstance', '=', filter.componentInstance);
    if (filter.variable !== undefined) q = q.where('variable', '=', filter.variable);
    if (filter.variableInstance !== undefined) q = q.where('variableInstance', '=', filter.variableInstance);
    if (filter.evseId !== undefined) q = q.where('evseKey', '=', filter.evseId ?? -1);
    if (filter.connectorId !== undefined) q = q.where('connectorKey', '=', filter.connectorId ?? -1);
    if (filter.attributeType !== undefined) q = q.where('attributeType', '=', filter.attributeType);
    if (filter.mutability !== undefined) q = q.where('mutability', '=', filter.mutability);
    return q.orderBy('component').orderBy('componentInstance').orderBy('evseKey').orderBy('connectorKey')
      .orderBy('variable').orderBy('variableInstance').orderBy('attributeType').execute();
  }

  /** One attribute; absent evse/instance/attribute type mean station-wide, none, Actual. */
  async get(stationId: string, component: string, variable: string, at: Omit<DeviceVariableFilter, 'component' | 'variable' | 'mutability'> = {}): Promise<DeviceVariable | undefined> {
    const rows = await this.list(stationId, {
      component, variable, componentInstance: at.componentInstance ?? '', variableInstance: at.variableInstance ?? '',
      evseId: at.evseId ?? null, connectorId: at.connectorId ?? null, attributeType: at.attributeType ?? 'Actual',
    });
    return rows[0];
  }
}
