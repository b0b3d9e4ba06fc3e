import type { DeviceEventInput, DeviceEventRepo, MonitorInput, MonitorRepo } from '../../store/index.js';
import type { ClearMonitoringResultType, ComponentType, EventDataType, MonitoringDataType, SetMonitoringResultType, VariableType } from '../../ocpp/types/generated/v201.js';
import type { MonitorSpec } from '../commands.js';
import type { DeviceModelService } from '../device-model/device-model-service.js';
import type { CommandRecord, CommandService } from '../journal/command-service.js';

const at = (c: ComponentType, v: VariableType) => ({
  component: c.name, componentInstance: c.instance ?? '', evseId: c.evse?.id ?? null, connectorId: c.evse?.connectorId ?? null,
  variable: v.name, variableInstance: v.instance ?? '',
});

/**
 * 2.0.1 monitoring (block N): the monitors on each station — those we set, with the
 * station's verdict and the id it assigned, and those it reports — and the events it sends.
 */
export class MonitoringService {
  constructor(
    private readonly monitors: MonitorRepo,
    private readonly events: DeviceEventRepo,
    private readonly commands: CommandService,
    private readonly deviceModel: DeviceModelService,
  ) {}

  /**
   * Sets monitors and stores each result: accepted ones under the station's id, refused ones
   * with their status. One command per MonitoringCtrlr.ItemsPerMessage[SetVariableMonitoring]
   * monitors when the station's limit is known.
   */
  setVariableMonitoring(stationId: string, monitors: MonitorSpec[]): Promise<CommandRecord[]> {
    return this.deviceModel.inChunks(stationId, 'MonitoringCtrlr', 'SetVariableMonitoring', monitors, async (chunk) => {
      const rec = await this.commands.send(stationId, { kind: 'setVariableMonitoring', monitors: chunk });
      const results = (rec.response?.setMonitoringResult ?? []) as SetMonitoringResultType[];
      // results come in request order; value and transaction are only in the request
      await this.monitors.upsert(results.map((r, i): MonitorInput => ({
        stationId, ...at(r.component, r.variable), monitorId: r.status === 'Accepted' ? r.id ?? null : null,
        type: r.type, severity: r.severity, value: chunk[i]?.value ?? 0, transaction: chunk[i]?.transaction ?? false,
        status: r.status, statusReason: r.statusInfo?.reasonCode ?? null,
      })));
      return rec;
    });
  }

  /** Clears monitors (chunked like setVariableMonitoring); those the station cleared or never had leave the store. */
  clearVariableMonitoring(stationId: string, ids: number[]): Promise<CommandRecord[]> {
    return this.deviceModel.inChunks(stationId, 'MonitoringCtrlr', 'ClearVariableMonitoring', ids, async (chunk) => {
      const rec = await this.commands.send(stationId, { kind: 'clearVariableMonitoring', ids: chunk });
      const results = (rec.response?.clearMonitoringResult ?? []) as ClearMonitoringResultType[];
      await this.monitors.remove(stationId, results.filter((r) => r.status !== 'Rejected').map((r) => r.id));
      return rec;
    });
  }

  /** NotifyMonitoringReport data: the station's own account of its monitors. */
  async storeReport(stationId: string, data: MonitoringDataType[]): Promise<void> {
    await this.monitors.upsert(data.flatMap((d) => d.variableMonitoring.map((m): MonitorInput => ({
      stationId, ...at(d.component, d.variable), monitorId: m.id, type: m.type, value: m.value, severity: m.severity,
      transaction: m.transaction, status: 'Reported', statusReason: null,
    }))));
  }

  async recordEvents(stationId: string, report: { generatedAt: string; seqNo: number }, data: EventDataType[]): Promise<void> {
    await this.events.insert(data.map((e): DeviceEventInput => ({
      stationId, eventId: e.eventId, occurredAt: e.timestamp, trigger: e.trigger, cause: e.cause ?? null, actualValue: e.actualValue,
      techCode: e.techCode ?? null, techInfo: e.techInfo ?? null, cleared: e.cleared ?? false, transactionId: e.transactionId ?? null,
      ...at(e.component, e.variable), variableMonitoringId: e.variableMonitoringId ?? null, notificationType: e.eventNotificationType,
      generatedAt: report.generatedAt, seqNo: report.seqNo,
    })));
  }

  list(stationId: string, filter: { component?: string; variable?: string; status?: string } = {}) {
    return this.monitors.list(stationId, filter);
  }

  /** Newest first. */
  listEvents(stationId: string, filter: { component?: string; variable?: string; limit?: number } = {}) {
    return this.events.list(stationId, filter);
  }
}
