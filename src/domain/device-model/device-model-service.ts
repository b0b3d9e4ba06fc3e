import type { DeviceModelRepo, DeviceVariableAnswer, DeviceVariableFilter, DeviceVariableInput } from '../../store/index.js';
import type { DeviceVariable } from '../../store/schema.js';
import type { ComponentType, GetVariableResultType, ReportDataType, SetVariableResultType, VariableType } from '../../ocpp/types/generated/v201.js';
import { isSecretVariable, REDACTED_VALUE, type VariableRef } from '../commands.js';
import type { CommandRecord, CommandService } from '../journal/command-service.js';

/**
 * 1.6 configuration keys live in the same store as the 2.0.1 device model, as variables of
 * this one component: one query surface for "what is set on this station" whatever it
 * speaks, no second table for the same fact, and a name no 2.0.1 standard component uses.
 */
export const V16_CONFIGURATION = 'OCPP16Configuration';

type Row = Omit<DeviceVariableAnswer, 'value' | 'status' | 'statusReason'>;

function rowOf(stationId: string, component: ComponentType, variable: VariableType, attributeType = 'Actual'): Row {
  return {
    stationId, component: component.name, componentInstance: component.instance ?? '',
    evseId: component.evse?.id ?? null, connectorId: component.evse?.connectorId ?? null,
    variable: variable.name, variableInstance: variable.instance ?? '', attributeType,
  };
}

const keyOf = (r: Row) => JSON.stringify([r.component, r.componentInstance, r.evseId, r.connectorId, r.variable, r.variableInstance, r.attributeType]);

/** What a 1.6 station answers to GetConfiguration. */
interface ConfigurationAnswer {
  configurationKey?: Array<{ key: string; readonly: boolean; value?: string }>;
  unknownKey?: string[];
}

/**
 * The device model of each station (components, variables, attributes, characteristics),
 * assembled from NotifyReport parts and from the station's answers to Get/SetVariables (or
 * 1.6 Get/ChangeConfiguration), each attribute with the station's last status word.
 */
export class DeviceModelService {
  constructor(
    private readonly repo: DeviceModelRepo,
    private readonly commands: CommandService,
  ) {}

  /** What the platform knows of a station's device model (1.6: its configuration keys), sorted. */
  variables(stationId: string, filter: Pick<DeviceVariableFilter, 'component' | 'variable'> = {}): Promise<DeviceVariable[]> {
    return this.repo.list(stationId, filter);
  }

  async storeReport(stationId: string, reportData: ReportDataType[]): Promise<void> {
    // keyed so a variable repeated within one report is written once (last wins)
    const rows = new Map<string, DeviceVariableInput>();
    for (const r of reportData) {
      for (const a of r.variableAttribute) {
        const row: DeviceVariableInput = {
          ...rowOf(stationId, r.component, r.variable, a.type ?? 'Actual'),
          value: a.value ?? null, mutability: a.mutability ?? null, characteristics: r.variableCharacteristics ?? null,
        };
        rows.set(keyOf(row), row);
      }
    }
    if (rows.size) await this.repo.upsert([...rows.values()]);
  }

  /**
   * The most items the station takes in one request, when its device model says
   * (`component`.ItemsPerMessage[`action`]); unknown = no limit.
   */
  async itemsPerMessage(stationId: string, component: string, action: string): Promise<number> {
    const v = await this.repo.get(stationId, component, 'ItemsPerMessage', { variableInstance: action });
    const n = Number(v?.value);
    return Number.isInteger(n) && n > 0 ? n : Infinity;
  }

  /** Sends `items` in as many requests as the station's ItemsPerMessage for `action` asks; one journal record each. */
  async inChunks<T>(stationId: string, component: string, action: string, items: T[], send: (chunk: T[]) => Promise<CommandRecord>): Promise<CommandRecord[]> {
    const per = await this.itemsPerMessage(stationId, component, action);
    const step = per === Infinity ? Math.max(1, items.length) : per;
    const records: CommandRecord[] = [];
    for (let i = 0; i < items.length; i += step) records.push(await send(items.slice(i, i + step)));
    return records;
  }

  /**
   * Reads variables from the station and stores each answer (value or why not); one command
   * per ItemsPerMessage[GetVariables] variables when the station's limit is known.
   */
  getVariables(stationId: string, variables: VariableRef[]): Promise<CommandRecord[]> {
    return this.inChunks(stationId, 'DeviceDataCtrlr', 'GetVariables', variables, async (chunk) => {
      const rec = await this.commands.send(stationId, { kind: 'getVariables', variables: chunk });
      const results = (rec.response?.getVariableResult ?? []) as GetVariableResultType[];
      await this.repo.recordAnswers(results.map((r) => ({
        ...rowOf(stationId, r.component, r.variable, r.attributeType), value: r.attributeStatus === 'Accepted' ? r.attributeValue ?? null : null,
        status: r.attributeStatus, statusReason: r.attributeStatusInfo?.reasonCode ?? null,
      })));
      return rec;
    });
  }

  /**
   * Sets variables; an Accepted value becomes the stored value, any other answer is recorded
   * as status. Chunked like getVariables.
   */
  setVariables(stationId: string, variables: Array<VariableRef & { value: string }>): Promise<CommandRecord[]> {
    return this.inChunks(stationId, 'DeviceDataCtrlr', 'SetVariables', variables, async (chunk) => {
      const rec = await this.commands.send(stationId, { kind: 'setVariables', variables: chunk });
      const sent = new Map(chunk.map((v) => {
        const row = rowOf(stationId, { name: v.component, ...(v.evseId !== undefined && { evse: { id: v.evseId, ...(v.connectorId !== undefined && { connectorId: v.connectorId }) } }) },
          { name: v.variable, ...(v.instance !== undefined && { instance: v.instance }) }, v.attributeType);
        return [keyOf(row), v.value];
      }));
      const results = (rec.response?.setVariableResult ?? []) as SetVariableResultType[];
      await this.repo.recordAnswers(results.map((r) => {
        const row = rowOf(stationId, r.component, r.variable, r.attributeType);
        // RebootRequired: accepted, but the value applies only after a reboot
        const value = isSecretVariable(r.component.name, r.variable.name) ? REDACTED_VALUE : sent.get(keyOf(row)) ?? null;
        return { ...row, value: r.attributeStatus === 'Accepted' ? value : null, status: r.attributeStatus, statusReason: r.attributeStatusInfo?.reasonCode ?? null };
      }));
      return rec;
    });
  }

  /** 1.6: reads configuration keys (all when `keys` is absent) into the store. */
  async getConfiguration(stationId: string, keys?: string[]): Promise<CommandRecord> {
    const rec = await this.commands.send(stationId, { kind: 'getConfiguration', ...(keys && { keys }) });
    const answer = (rec.response ?? {}) as ConfigurationAnswer;
    const v16 = (key: string) => rowOf(stationId, { name: V16_CONFIGURATION }, { name: key });
    await this.repo.recordAnswers([
      ...(answer.configurationKey ?? []).map((k) => ({ ...v16(k.key), value: k.value ?? null, mutability: k.readonly ? 'ReadOnly' : 'ReadWrite', status: 'Accepted', statusReason: null })),
      ...(answer.unknownKey ?? []).map((key) => ({ ...v16(key), value: null, status: 'UnknownVariable', statusReason: 'UnknownKey' })),
    ]);
    return rec;
  }

  /** 1.6: changes one key; Accepted stores the value, any other answer is recorded as status. */
  async changeConfiguration(stationId: string, key: string, value: string): Promise<CommandRecord> {
    const rec = await this.commands.send(stationId, { kind: 'changeConfiguration', key, value });
    if (rec.answeredAt && rec.response) {
      await this.repo.recordAnswers([{ ...rowOf(stationId, { name: V16_CONFIGURATION }, { name: key }), value: rec.status === 'Accepted' ? (isSecretVariable(V16_CONFIGURATION, key) ? REDACTED_VALUE : value) : null, status: rec.status, statusReason: null }]);
    }
    return rec;
  }

  list(stationId: string, filter: DeviceVariableFilter = {}) {
    return this.repo.list(stationId, filter);
  }

  /** One attribute; absent evse/instances/attribute type mean station-wide, none, Actual. */
  get(stationId: string, component: string, variable: string, at: Omit<DeviceVariableFilter, 'component' | 'variable' | 'mutability'> = {}) {
    return this.repo.get(stationId, component, variable, at);
  }
}
