import type { DeviceModelRepo, DeviceVariableInput } from '../../store/index.js';
import type { ReportDataType } from '../../ocpp/types/generated/v201.js';

/**
 * The 2.0.1 device model of each station (components, variables, attributes, characteristics),
 * assembled from NotifyReport parts as they arrive and queryable per station.
 */
export class DeviceModelService {
  constructor(private readonly repo: DeviceModelRepo) {}

  async storeReport(stationId: string, reportData: ReportDataType[]): Promise<void> {
    // keyed so a variable repeated within one report is written once (last wins)
    const rows = new Map<string, DeviceVariableInput>();
    for (const r of reportData) {
      for (const a of r.variableAttribute) {
        const row: DeviceVariableInput = {
          stationId, component: r.component.name, componentInstance: r.component.instance ?? '',
          evseId: r.component.evse?.id ?? null, connectorId: r.component.evse?.connectorId ?? null,
          variable: r.variable.name, variableInstance: r.variable.instance ?? '', attributeType: a.type ?? 'Actual',
          value: a.value ?? null, mutability: a.mutability ?? null, characteristics: r.variableCharacteristics ?? null,
        };
        rows.set(JSON.stringify([row.component, row.componentInstance, row.evseId, row.connectorId, row.variable, row.variableInstance, row.attributeType]), row);
      }
    }
    if (rows.size) await this.repo.upsert([...rows.values()]);
  }

  list(stationId: string, filter: { component?: string; variable?: string } = {}) {
    return this.repo.list(stationId, filter);
  }
}
