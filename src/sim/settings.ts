import type { SimulatedStation } from './station.js';

/**
 * One configuration setting of a simulated station: a 1.6 configuration key (component '') or
 * a 2.0.1 device-model variable. Tables of these are shared by every station; a station stores
 * only the values that were changed, so thousands of stations cost little memory.
 */
export type ValueKind = 'integer' | 'boolean' | 'MemberList' | 'OptionList' | 'string';
export type Mutability = 'ReadOnly' | 'ReadWrite' | 'WriteOnly';

export interface SimVariable {
  component: string;
  name: string;
  instance?: string;
  /** per EVSE (component carries evse.id) or per connector (evse.id + connectorId 1) */
  scope?: 'EVSE' | 'Connector';
  kind: ValueKind;
  mutability: Mutability;
  unit?: string;
  min?: number;
  max?: number;
  /** allowed members (MemberList) or options (OptionList) */
  members?: readonly string[];
  get(st: SimulatedStation, evse: number): string;
  /** applies a value that passed `accepts` */
  set(st: SimulatedStation, value: string, evse: number): void;
  /** extra rule beyond the kind (e.g. password length) */
  check?(value: string): boolean;
}

type Extra = Partial<Pick<SimVariable, 'scope' | 'unit' | 'min' | 'max' | 'members' | 'check'>> & {
  get?: SimVariable['get'];
  set?: SimVariable['set'];
};

/**
 * Declares a setting at `path` ("Key", "Component.Variable" or "Component.Variable[Instance]")
 * whose value is `initial` until changed, or computed by `extra.get` when it mirrors live state.
 */
export function setting(path: string, kind: ValueKind, mutability: Mutability, initial: string, extra: Extra = {}): SimVariable {
  const m = /^(?:([^.]+)\.)?([^.[]+)(?:\[([^\]]+)\])?$/.exec(path);
  if (!m) throw new Error(`bad setting path ${path}`);
  const [, component = '', name = '', instance] = m;
  const { get, set, ...rest } = extra;
  return {
    component, name, ...(instance ? { instance } : {}), kind, mutability, ...rest,
    get: get ?? ((st) => st.storedSetting(path) ?? initial),
    set: set ?? ((st, v) => st.storeSetting(path, v)),
  };
}

/** "Key", "Component.Variable" or "Component.Variable[Instance]": the name a table is indexed by. */
export function settingPath(v: Pick<SimVariable, 'component' | 'name' | 'instance'>): string {
  return `${v.component ? `${v.component}.` : ''}${v.name}${v.instance ? `[${v.instance}]` : ''}`;
}

export function indexSettings(list: readonly SimVariable[]): ReadonlyMap<string, SimVariable> {
  return new Map(list.map((v) => [settingPath(v), v]));
}

/** Whether `value` is acceptable for `v` (kind, limits, members, extra rule). */
export function accepts(v: SimVariable, value: string): boolean {
  switch (v.kind) {
    case 'integer': {
      if (!/^-?\d{1,15}$/.test(value)) return false;
      const n = Number(value);
      if ((v.min !== undefined && n < v.min) || (v.max !== undefined && n > v.max)) return false;
      break;
    }
    case 'boolean':
      if (value !== 'true' && value !== 'false') return false;
      break;
    case 'OptionList':
      if (v.members && !v.members.includes(value)) return false;
      break;
    case 'MemberList':
      if (v.members && value !== '' && !value.split(',').every((m) => v.members!.includes(m.trim()))) return false;
      break;
    case 'string':
      break;
  }
  return v.check ? v.check(value) : true;
}

/** Station passwords: OCPP asks for 16–40 characters (1.6 security whitepaper, 2.0.1 BasicAuthPassword). */
export const passwordRule = (value: string): boolean => value.length >= 16 && value.length <= 40;

export const measurands = [
  'Energy.Active.Import.Register', 'Energy.Active.Export.Register', 'Power.Active.Import', 'Power.Active.Export',
  'Current.Import', 'Voltage', 'SoC',
] as const;
