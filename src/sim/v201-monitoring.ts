import type {
  Actions as V201, ComponentType, EventDataType, MonitorEnumType, MonitoringDataType, SetMonitoringResultType, VariableType,
} from '../ocpp/types/generated/v201.js';
import { RpcError } from '../ocpp/rpc/errors.js';
import type { CommandTable } from './commands.js';
import type { SimVariable } from './settings.js';
import type { SimulatedStation } from './station.js';

type Req<A extends keyof V201> = V201[A]['request'];
type Res<A extends keyof V201> = V201[A]['response'];

/** How the 2.0.1 dialect finds the variable a component/variable pair addresses. */
export type FindVariable = (st: SimulatedStation, component: ComponentType, variable: VariableType) =>
  { v: SimVariable; evse: number } | { miss: 'UnknownComponent' | 'UnknownVariable' };

interface Monitor {
  id: number;
  component: ComponentType;
  variable: VariableType;
  type: MonitorEnumType;
  value: number;
  severity: number;
  transaction: boolean;
  /** threshold crossed and not yet cleared / the value a Delta monitor measures from */
  alerting?: boolean;
  baseline?: string;
  /** the variable's current value, for periodic reports */
  read: () => string;
}

/** Per-station state of block N: monitors, the active level, events sent, customer data. */
interface Diagnostics {
  monitors: Map<number, Monitor>;
  base: 'All' | 'FactoryDefault' | 'HardWiredOnly';
  nextMonitorId: number;
  /** events with a severity above this are not reported (0 = Danger .. 9 = Debug) */
  level: number;
  nextEventId: number;
  /** what the station knows about each idToken: its transactions */
  customers: Map<string, string[]>;
}

const state = new WeakMap<SimulatedStation, Diagnostics>();
function of(st: SimulatedStation): Diagnostics {
  let s = state.get(st);
  if (!s) state.set(st, (s = { monitors: new Map(), base: 'All', nextMonitorId: 1, level: 9, nextEventId: 1, customers: new Map() }));
  return s;
}

const now = (): string => new Date().toISOString();

/** MonitoringCtrlr.ActiveMonitoringLevel / ActiveMonitoringBase, for the device model. */
export const monitoringLevel = (st: SimulatedStation): number => of(st).level;
export const monitoringBase = (st: SimulatedStation): string => of(st).base;

/** A request longer than MonitoringCtrlr.ItemsPerMessage[action] is refused as a whole, as the spec's CALLERROR. */
function tooMany(st: SimulatedStation, action: 'SetVariableMonitoring' | 'ClearVariableMonitoring', count: number): void {
  const max = Number(st.setting(`MonitoringCtrlr.ItemsPerMessage[${action}]`));
  if (count > max) throw new RpcError('OccurrenceConstraintViolation', `${count} items, ItemsPerMessage[${action}] is ${max}`);
}
const sameTarget = (m: Monitor, c: ComponentType, v: VariableType) =>
  m.component.name === c.name && m.component.evse?.id === c.evse?.id && m.component.evse?.connectorId === c.evse?.connectorId
  && m.variable.name === v.name && m.variable.instance === v.instance;
const numeric = (v: SimVariable) => v.kind === 'integer';
/** NotifyCustomerInformation data is at most 512 characters a part */
const CUSTOMER_PART = 512;

/** The criteria of GetMonitoringReport, by monitor type. */
const criterionOf: Record<MonitorEnumType, string> = {
  UpperThreshold: 'ThresholdMonitoring', LowerThreshold: 'ThresholdMonitoring', Delta: 'DeltaMonitoring',
  Periodic: 'PeriodicMonitoring', PeriodicClockAligned: 'PeriodicMonitoring',
};

/** The event a monitor raises for a new value, if any (threshold crossing or clearing, delta). */
function eventFor(m: Monitor, value: string): Pick<EventDataType, 'trigger' | 'cleared'> | undefined {
  const n = Number(value);
  if (m.type === 'UpperThreshold' || m.type === 'LowerThreshold') {
    const beyond = m.type === 'UpperThreshold' ? n > m.value : n < m.value;
    if (beyond === Boolean(m.alerting)) return undefined;
    m.alerting = beyond;
    return { trigger: 'Alerting', ...(beyond ? {} : { cleared: true }) };
  }
  if (m.type === 'Delta') {
    const base = m.baseline ?? value;
    const moved = Number.isFinite(n) && Number.isFinite(Number(base)) ? Math.abs(n - Number(base)) >= m.value : value !== base;
    if (!moved) return undefined;
    m.baseline = value;
    return { trigger: 'Delta' };
  }
  return undefined; // periodic monitors report on their own clock (startPeriodic)
}

function eventOf(d: Diagnostics, m: Monitor, e: Pick<EventDataType, 'trigger' | 'cleared'>, value: string): EventDataType {
  return {
    eventId: d.nextEventId++, timestamp: now(), ...e, actualValue: value.slice(0, 2500), component: m.component, variable: m.variable,
    variableMonitoringId: m.id, eventNotificationType: 'CustomMonitor',
  };
}

/**
 * A Periodic monitor reports the value every `value` seconds while the station is connected;
 * it stops when cleared, replaced, or the connection ends (the simulator does not resume it).
 */
function startPeriodic(st: SimulatedStation, d: Diagnostics, m: Monitor): void {
  const timer = setInterval(() => {
    if (d.monitors.get(m.id) !== m || !st.connected) {
      clearInterval(timer);
      return;
    }
    if (m.severity > d.level || !st.online) return;
    const eventData: [EventDataType] = [eventOf(d, m, { trigger: 'Periodic' }, m.read())];
    st.after(() => st.call('NotifyEvent', { generatedAt: now(), seqNo: 0, tbc: false, eventData }));
  }, Math.max(1, m.value) * 1000);
  timer.unref();
}

/**
 * A variable of the station changed: every custom monitor on it that fires, at or below the
 * active monitoring level, becomes one NotifyEvent.
 */
export function variableChanged(st: SimulatedStation, component: ComponentType, variable: VariableType, value: string): void {
  const d = state.get(st);
  if (!d) return;
  const events: EventDataType[] = [];
  for (const m of d.monitors.values()) {
    if (!sameTarget(m, component, variable)) continue;
    const e = eventFor(m, value);
    if (!e || m.severity > d.level) continue;
    events.push(eventOf(d, m, e, value));
  }
  if (events.length) st.after(() => st.call('NotifyEvent', { generatedAt: now(), seqNo: 0, tbc: false, eventData: events }));
}

/** A transaction the station will report to CustomerInformation for this token. */
export function rememberCustomer(st: SimulatedStation, idToken: string, record: string): void {
  const c = of(st).customers;
  c.set(idToken, [...(c.get(idToken) ?? []), record]);
}

function monitorReport(d: Diagnostics, req: Req<'GetMonitoringReport'>): MonitoringDataType[] {
  const criteria = req.monitoringCriteria as string[] | undefined;
  const out: MonitoringDataType[] = [];
  for (const m of d.monitors.values()) {
    if (criteria && !criteria.includes(criterionOf[m.type])) continue;
    if (req.componentVariable && !req.componentVariable.some((cv) => cv.component.name === m.component.name
      && (cv.component.evse === undefined || cv.component.evse.id === m.component.evse?.id)
      && (cv.variable === undefined || (cv.variable.name === m.variable.name && cv.variable.instance === m.variable.instance)))) continue;
    const vm = { id: m.id, transaction: m.transaction, value: m.value, type: m.type, severity: m.severity };
    const same = out.find((o) => o.component === m.component && o.variable === m.variable);
    if (same) same.variableMonitoring.push(vm);
    else out.push({ component: m.component, variable: m.variable, variableMonitoring: [vm] });
  }
  return out;
}

/** Block N answers of a 2.0.1 station; `find` is the dialect's variable lookup. */
export function monitoringCommands(find: FindVariable, itemsPerMessage: (st: SimulatedStation) => number): CommandTable<V201> {
  return {
    SetVariableMonitoring: {
      answer(req, st) {
        tooMany(st, 'SetVariableMonitoring', req.setMonitoringData.length);
        const d = of(st);
        const results = req.setMonitoringData.map((m): SetMonitoringResultType => {
          const head = { component: m.component, variable: m.variable, type: m.type, severity: m.severity };
          const f = find(st, m.component, m.variable);
          if ('miss' in f) return { ...head, status: f.miss };
          if (f.v.mutability === 'WriteOnly') return { ...head, status: 'Rejected', statusInfo: { reasonCode: 'WriteOnly' } };
          if (m.type === 'PeriodicClockAligned') return { ...head, status: 'UnsupportedMonitorType' };
          if ((m.type === 'UpperThreshold' || m.type === 'LowerThreshold') && !numeric(f.v)) return { ...head, status: 'Rejected', statusInfo: { reasonCode: 'NotNumeric' } };
          if (m.id !== undefined && !d.monitors.has(m.id)) return { ...head, status: 'Rejected', statusInfo: { reasonCode: 'UnknownMonitorId' } };
          const twin = [...d.monitors.values()].find((x) => x.id !== m.id && sameTarget(x, m.component, m.variable) && x.type === m.type && x.value === m.value && x.severity === m.severity);
          if (twin) return { ...head, id: twin.id, status: 'Duplicate' };
          const id = m.id ?? d.nextMonitorId++;
          const read = () => f.v.get(st, f.evse);
          const monitor: Monitor = {
            id, component: m.component, variable: m.variable, type: m.type, value: m.value, severity: m.severity,
            transaction: m.transaction ?? false, baseline: read(), read,
          };
          d.monitors.set(id, monitor);
          if (m.type === 'Periodic') startPeriodic(st, d, monitor);
          return { ...head, id, status: 'Accepted' };
        });
        return { setMonitoringResult: results as Res<'SetVariableMonitoring'>['setMonitoringResult'] };
      },
      refuse: (req) => ({
        setMonitoringResult: req.setMonitoringData.map((m) => ({ component: m.component, variable: m.variable, type: m.type, severity: m.severity, status: 'Rejected' as const })) as Res<'SetVariableMonitoring'>['setMonitoringResult'],
      }),
    },
    ClearVariableMonitoring: {
      answer(req, st) {
        tooMany(st, 'ClearVariableMonitoring', req.id.length);
        const d = of(st);
        const results = req.id.map((id) => ({ id, status: d.monitors.delete(id) ? 'Accepted' as const : 'NotFound' as const }));
        return { clearMonitoringResult: results as Res<'ClearVariableMonitoring'>['clearMonitoringResult'] };
      },
      refuse: (req) => ({ clearMonitoringResult: req.id.map((id) => ({ id, status: 'Rejected' as const })) as Res<'ClearVariableMonitoring'>['clearMonitoringResult'] }),
    },
    SetMonitoringBase: {
      answer(req, st) {
        // the simulator has no hard-wired or preconfigured monitors: anything but All drops the custom ones
        const d = of(st);
        if (req.monitoringBase !== 'All') d.monitors.clear();
        d.base = req.monitoringBase;
        return { status: 'Accepted' };
      },
      refuse: () => ({ status: 'Rejected' }),
    },
    SetMonitoringLevel: {
      answer(req, st) {
        // the schema sets no bounds, but severities only go from 0 to 9
        if (!Number.isInteger(req.severity) || req.severity < 0 || req.severity > 9) return { status: 'Rejected', statusInfo: { reasonCode: 'OutOfRange' } };
        of(st).level = req.severity;
        return { status: 'Accepted' };
      },
      refuse: () => ({ status: 'Rejected' }),
    },
    GetMonitoringReport: {
      answer(req, st) {
        const rows = monitorReport(of(st), req);
        if (rows.length === 0) return { status: 'EmptyResultSet' };
        st.after(async () => {
          const per = itemsPerMessage(st);
          const pages = Math.ceil(rows.length / per);
          const generatedAt = now();
          for (let i = 0; i < pages; i++) {
            const monitor = rows.slice(i * per, (i + 1) * per) as [MonitoringDataType, ...MonitoringDataType[]];
            await st.call('NotifyMonitoringReport', { requestId: req.requestId, generatedAt, seqNo: i, tbc: i < pages - 1, monitor });
          }
        });
        return { status: 'Accepted' };
      },
      refuse: () => ({ status: 'Rejected' }),
    },
    CustomerInformation: {
      answer(req, st) {
        if (!req.report && !req.clear) return { status: 'Invalid', statusInfo: { reasonCode: 'NothingRequested' } };
        if (!req.idToken && !req.customerIdentifier && !req.customerCertificate) return { status: 'Invalid', statusInfo: { reasonCode: 'NoCustomer' } };
        // the simulator only keeps data per idToken: other references find nothing
        const customers = of(st).customers;
        const key = req.idToken?.idToken;
        const records = key === undefined ? [] : customers.get(key) ?? [];
        if (req.clear && key !== undefined) customers.delete(key);
        if (req.report) {
          const text = records.join('\n');
          const parts = Math.max(1, Math.ceil(text.length / CUSTOMER_PART));
          st.after(async () => {
            const generatedAt = now();
            for (let i = 0; i < parts; i++) {
              await st.call('NotifyCustomerInformation', {
                requestId: req.requestId, generatedAt, seqNo: i, tbc: i < parts - 1, data: text.slice(i * CUSTOMER_PART, (i + 1) * CUSTOMER_PART),
              });
            }
          });
        }
        return { status: 'Accepted' };
      },
      refuse: () => ({ status: 'Rejected' }),
    },
  };
}

