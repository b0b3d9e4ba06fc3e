import { createHash, randomUUID } from 'node:crypto';
import { RpcError } from '../ocpp/rpc/errors.js';
import type {
  Actions as V201, ComponentType, ConnectorStatusEnumType, IdTokenEnumType, ReasonEnumType, ReportBaseEnumType,
  ReportDataType, SampledValueType, TriggerReasonEnumType, VariableType,
} from '../ocpp/types/generated/v201.js';
import { handlersOf, type CommandTable } from './commands.js';
import type { ConnectorState, Dialect, SimReservation } from './dialect.js';
import { accepts, type SimVariable } from './settings.js';
import type { SimulatedStation } from './station.js';
import { cancelReservation, holdReservation, unreservable } from './reservations.js';
import { SessionRefused, type ConnectorStatus, type StopReason } from './types.js';
import { itemsPerMessage, v201Model } from './v201-model.js';
import { chargingProfileOf, neutralProfile, neutralPurpose } from '../ocpp/v201/charging-profile.js';
import type { ChargingProfileType } from '../ocpp/types/generated/v201.js';
import { clear, composite, install, profilesOf, refusal, type Installed, type Limits } from './smart-charging.js';
import { monitoringCommands, rememberCustomer, variableChanged } from './v201-monitoring.js';
import { displayCommands } from './v201-display.js';
import { download, looksLikeCertificate, TransferFailed, updateFirmware, answerGetLog } from './transfers.js';
import { certificateCommands201, requestCertificate } from './certificates.js';

type Req<A extends keyof V201> = V201[A]['request'];
type Res<A extends keyof V201> = V201[A]['response'];

function send<A extends keyof V201 & string>(st: SimulatedStation, action: A, payload: Req<A>): Promise<Res<A>> {
  return st.call(action, payload) as Promise<Res<A>>;
}

const now = (): string => new Date().toISOString();

function native(s: ConnectorStatus): ConnectorStatusEnumType {
  switch (s) {
    case 'Available': case 'Reserved': case 'Unavailable': case 'Faulted': case 'Occupied':
      return s;
    default: // 1.6's Preparing, Charging, Suspended*, Finishing: an EV is plugged in
      return 'Occupied';
  }
}

const nativeReasons: ReadonlySet<string> = new Set<ReasonEnumType>([
  'DeAuthorized', 'EmergencyStop', 'EnergyLimitReached', 'EVDisconnected', 'ImmediateReset', 'Local', 'Other',
  'PowerLoss', 'Reboot', 'Remote', 'StoppedByEV', 'TimeLimitReached', 'Timeout',
]);

function reasonOf(r: StopReason): ReasonEnumType {
  if (nativeReasons.has(r)) return r as ReasonEnumType;
  return r === 'HardReset' || r === 'SoftReset' ? 'ImmediateReset' : 'Other';
}

/** The event that made the station end the transaction, for the Ended TransactionEvent. */
const endTriggers: Partial<Record<ReasonEnumType, TriggerReasonEnumType>> = {
  Remote: 'RemoteStop', Local: 'StopAuthorized', EVDisconnected: 'EVDeparted', StoppedByEV: 'ChargingStateChanged',
  ImmediateReset: 'ResetCommand', Reboot: 'ResetCommand', DeAuthorized: 'Deauthorized',
  EnergyLimitReached: 'EnergyLimitReached', TimeLimitReached: 'TimeLimitReached', Timeout: 'EVConnectTimeout',
};

type Context = NonNullable<SampledValueType['context']>;

function samples(c: ConnectorState, powerW: number | undefined, context: Context): [SampledValueType, ...SampledValueType[]] {
  const wh = { unit: 'Wh' };
  const out: [SampledValueType, ...SampledValueType[]] = [
    { value: Math.round(c.importWh), context, measurand: 'Energy.Active.Import.Register', location: 'Outlet', unitOfMeasure: wh },
  ];
  if (c.exportWh > 0 || (powerW ?? 0) < 0) {
    out.push({ value: Math.round(c.exportWh), context, measurand: 'Energy.Active.Export.Register', location: 'Outlet', unitOfMeasure: wh });
  }
  if (powerW !== undefined) {
    const measurand = powerW < 0 ? 'Power.Active.Export' : 'Power.Active.Import';
    out.push({ value: Math.abs(Math.round(powerW)), context, measurand, location: 'Outlet', unitOfMeasure: { unit: 'W' } });
  }
  return out;
}

async function status(st: SimulatedStation, evse: number, s: ConnectorStatus): Promise<void> {
  const connectorStatus = native(s);
  st.port(evse).status = connectorStatus;
  await send(st, 'StatusNotification', { timestamp: now(), connectorStatus, evseId: evse, connectorId: 1 });
}

const idle = (c: ConnectorState): ConnectorStatusEnumType => (c.operative ? 'Available' : 'Unavailable');

// ---- device model ----------------------------------------------------------------------

type Found = { v: SimVariable; evse: number } | { miss: 'UnknownComponent' | 'UnknownVariable' };

/** The variable a component/variable pair addresses on this station. */
function find(st: SimulatedStation, component: ComponentType, variable: VariableType): Found {
  const evse = component.evse;
  const scope = evse === undefined ? undefined : evse.connectorId === undefined ? 'EVSE' : 'Connector';
  if (component.instance !== undefined) return { miss: 'UnknownComponent' };
  if (evse && (!st.hasPort(evse.id) || (evse.connectorId !== undefined && evse.connectorId !== 1))) return { miss: 'UnknownComponent' };
  let componentKnown = false;
  for (const v of v201Model.values()) {
    if (v.component !== component.name || v.scope !== scope) continue;
    componentKnown = true;
    if (v.name === variable.name && v.instance === variable.instance) return { v, evse: evse?.id ?? 0 };
  }
  return { miss: componentKnown ? 'UnknownVariable' : 'UnknownComponent' };
}

function reportRows(st: SimulatedStation, base: ReportBaseEnumType): ReportDataType[] {
  const rows: ReportDataType[] = [];
  for (const v of v201Model.values()) {
    if (base === 'ConfigurationInventory' && v.mutability === 'ReadOnly') continue;
    if (base === 'SummaryInventory' && v.name !== 'AvailabilityState') continue;
    const evses = v.scope ? Array.from({ length: st.connectorCount }, (_, i) => i + 1) : [0];
    for (const n of evses) {
      const component: ComponentType = { name: v.component };
      if (v.scope) component.evse = v.scope === 'EVSE' ? { id: n } : { id: n, connectorId: 1 };
      rows.push({
        component,
        variable: { name: v.name, ...(v.instance ? { instance: v.instance } : {}) },
        variableAttribute: [{
          type: 'Actual', mutability: v.mutability, persistent: true, constant: false,
          ...(v.mutability === 'WriteOnly' ? {} : { value: v.get(st, n) }),
        }],
        variableCharacteristics: {
          dataType: v.kind, supportsMonitoring: v.mutability !== 'WriteOnly',
          ...(v.unit ? { unit: v.unit } : {}),
          ...(v.min !== undefined ? { minLimit: v.min } : {}),
          ...(v.max !== undefined ? { maxLimit: v.max } : {}),
          ...(v.members ? { valuesList: v.members.join(',') } : {}),
        },
      });
    }
  }
  return rows;
}

/** NotifyReport in pages of ItemsPerMessage[GetReport], tbc on all but the last. */
async function sendReport(st: SimulatedStation, requestId: number, rows: ReportDataType[]): Promise<void> {
  const per = itemsPerMessage(st, 'GetReport');
  const generatedAt = now();
  const pages = Math.ceil(rows.length / per);
  for (let i = 0; i < pages; i++) {
    const page = rows.slice(i * per, (i + 1) * per) as [ReportDataType, ...ReportDataType[]];
    await send(st, 'NotifyReport', { requestId, generatedAt, seqNo: i, tbc: i < pages - 1, reportData: page });
  }
}

function tooMany(count: number, max: number, what: string): void {
  if (count > max) throw new RpcError('OccurrenceConstraintViolation', `${count} ${what} items, ItemsPerMessage is ${max}`);
}

// ---- commands ----------------------------------------------------------------------------

function evsesOf(st: SimulatedStation, evse: number | undefined): number[] {
  if (evse !== undefined && evse > 0) return [evse];
  return Array.from({ length: st.connectorCount }, (_, i) => i + 1);
}

async function meterReading(st: SimulatedStation, evse: number): Promise<void> {
  const c = st.port(evse);
  await send(st, 'MeterValues', { evseId: evse, meterValue: [{ timestamp: now(), sampledValue: samples(c, c.session?.powerW, 'Trigger') }] });
}

type Trigger = Req<'TriggerMessage'>['requestedMessage'];
/** What each trigger sends; undefined = nothing to send now (answered Rejected). */
const triggers: Partial<Record<Trigger, (st: SimulatedStation, evse: number | undefined) => (() => Promise<unknown>) | undefined>> = {
  // F06.FR.17: a station that is already accepted refuses to boot again
  BootNotification: (st) => (st.registration === 'Accepted' ? undefined : () => st.boot('Triggered')),
  Heartbeat: (st) => () => st.heartbeat(),
  StatusNotification: (st, evse) => async () => {
    for (const n of evsesOf(st, evse)) await status(st, n, st.port(n).status as ConnectorStatusEnumType);
  },
  MeterValues: (st, evse) => async () => {
    for (const n of evsesOf(st, evse)) await meterReading(st, n);
  },
  TransactionEvent: (st, evse) => {
    const running = evsesOf(st, evse).flatMap((n) => st.port(n).session ?? []).filter((s) => !s.ending);
    if (running.length === 0) return undefined;
    return async () => {
      for (const s of running) await dialect.meter(st, s, 'Trigger');
    };
  },
  FirmwareStatusNotification: (st) => () => send(st, 'FirmwareStatusNotification', { status: 'Idle' }),
  LogStatusNotification: (st) => () => send(st, 'LogStatusNotification', { status: 'Idle' }),
  SignChargingStationCertificate: (st) => () => requestCertificate(st, 'ChargingStationCertificate'),
  SignV2GCertificate: (st) => () => requestCertificate(st, 'V2GCertificate'),
};

const rejected = { status: 'Rejected' } as const;


/** H04: a reservation that lapsed unused is reported, and the EVSE is available again. */
async function reservationExpired(st: SimulatedStation, evse: number, id: number): Promise<void> {
  await send(st, 'ReservationStatusUpdate', { reservationId: id, reservationUpdateStatus: 'Expired' });
  await status(st, evse, idle(st.port(evse)));
}

/** SmartChargingCtrlr variables as the limits a profile must fit. */
function limits(st: SimulatedStation): Limits {
  return {
    allowedUnits: (st.setting('SmartChargingCtrlr.RateUnit') ?? '').split(',').map((u) => u.trim()).filter((u): u is 'A' | 'W' => u === 'A' || u === 'W'),
    maxStackLevel: Number(st.setting('SmartChargingCtrlr.ProfileStackLevel')), maxPeriods: Number(st.setting('SmartChargingCtrlr.PeriodsPerSchedule')),
    maxInstalled: Number(st.setting('SmartChargingCtrlr.Entries[ChargingProfiles]')),
  };
}

/** A station without smart charging does not know the block K messages at all. */
function smartChargingOn(st: SimulatedStation): void {
  if (st.behaviour.smartCharging === false) throw new RpcError('NotSupported', 'smart charging is disabled on this station');
}

/** ReportChargingProfiles, one message per EVSE, tbc on all but the last. */
async function reportProfiles(st: SimulatedStation, requestId: number, found: Installed[]): Promise<void> {
  const evses = [...new Set(found.map((x) => x.evse))].sort((a, b) => a - b);
  for (const [i, evse] of evses.entries()) {
    const [first, ...rest] = found.filter((x) => x.evse === evse).map((x) => chargingProfileOf(x.profile));
    await send(st, 'ReportChargingProfiles', {
      requestId, chargingLimitSource: 'CSO', evseId: evse, tbc: i < evses.length - 1, chargingProfile: [first as ChargingProfileType, ...rest],
    });
  }
}

/** How a 2.0.1 charging station answers the CSMS: each answer and its follow-up effect. */
type GetReportReq = Req<'GetReport'>;

/** B08 custom report: the simulator's components are all Active, Available and Enabled, none has a Problem. */
function customReport(st: SimulatedStation, req: GetReportReq): ReportDataType[] {
  const criteria = req.componentCriteria as string[] | undefined;
  if (criteria && !criteria.some((c) => c !== 'Problem')) return [];
  return reportRows(st, 'FullInventory').filter((r) => !req.componentVariable || req.componentVariable.some((cv) =>
    cv.component.name === r.component.name && (cv.component.instance ?? '') === (r.component.instance ?? '')
    && (cv.component.evse === undefined || (cv.component.evse.id === r.component.evse?.id
      && (cv.component.evse.connectorId === undefined || cv.component.evse.connectorId === r.component.evse.connectorId)))
    && (cv.variable === undefined || (cv.variable.name === r.variable.name && cv.variable.instance === r.variable.instance))));
}

const commands: CommandTable<V201> = {
  RequestStartTransaction: {
    answer(req, st) {
      const n = req.evseId ?? st.freeConnector(req.idToken.idToken);
      // a reserved EVSE only starts for the reservation's token (H03)
      if (!st.mayUse(n, req.idToken.idToken)) return rejected;
      const s = st.claim(n, req.idToken.idToken, { remoteStartId: req.remoteStartId, tokenType: req.idToken.type });
      s.powerW = st.defaultPowerW;
      st.after(() => st.launch(s, st.setting('AuthCtrlr.AuthorizeRemoteStart') === 'true', st.meterIntervalMs));
      return { status: 'Accepted' };
    },
    refuse: () => rejected,
  },
  RequestStopTransaction: {
    answer(req, st) {
      const s = st.sessions().find((x) => x.id === req.transactionId && !x.ending);
      if (!s) return rejected;
      st.after(() => st.finish(s, 'Remote'));
      return { status: 'Accepted' };
    },
    refuse: () => rejected,
  },
  Reset: {
    answer(req, st) {
      // resetting one EVSE is optional in 2.0.1 and not offered here
      if (req.evseId !== undefined) return { status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRequest' } };
      if (req.type === 'OnIdle' && st.sessions().length > 0) {
        st.resetOnIdle();
        return { status: 'Scheduled' };
      }
      st.after(() => st.reboot('ImmediateReset'));
      return { status: 'Accepted' };
    },
    refuse: () => rejected,
  },
  ChangeAvailability: {
    answer(req, st) {
      const evse = req.evse;
      if (evse && evse.id !== 0 && (!st.hasPort(evse.id) || (evse.connectorId !== undefined && evse.connectorId !== 1))) return rejected;
      const { changed, scheduled } = st.setAvailability(evsesOf(st, evse?.id), req.operationalStatus === 'Operative');
      st.after(async () => {
        for (const n of changed) await status(st, n, idle(st.port(n)));
      });
      return { status: scheduled ? 'Scheduled' : 'Accepted' };
    },
    refuse: () => rejected,
  },
  UnlockConnector: {
    answer(req, st) {
      if (!st.hasPort(req.evseId) || req.connectorId !== 1) return { status: 'UnknownConnector' };
      // F05.FR.02: never unlock under a running authorized transaction
      return { status: st.port(req.evseId).session ? 'OngoingAuthorizedTransaction' : 'Unlocked' };
    },
    refuse: () => ({ status: 'UnlockFailed' }),
  },
  GetVariables: {
    answer(req, st) {
      tooMany(req.getVariableData.length, itemsPerMessage(st, 'GetVariables'), 'getVariableData');
      const results = req.getVariableData.map((d) => {
        const head = { component: d.component, variable: d.variable, ...(d.attributeType ? { attributeType: d.attributeType } : {}) };
        const f = find(st, d.component, d.variable);
        if ('miss' in f) return { ...head, attributeStatus: f.miss };
        if ((d.attributeType ?? 'Actual') !== 'Actual') return { ...head, attributeStatus: 'NotSupportedAttributeType' as const };
        if (f.v.mutability === 'WriteOnly') return { ...head, attributeStatus: 'Rejected' as const, attributeStatusInfo: { reasonCode: 'WriteOnly' } };
        return { ...head, attributeStatus: 'Accepted' as const, attributeValue: f.v.get(st, f.evse) };
      });
      return { getVariableResult: results as Res<'GetVariables'>['getVariableResult'] };
    },
    refuse: (req) => ({
      getVariableResult: req.getVariableData.map((d) => ({ component: d.component, variable: d.variable, attributeStatus: 'Rejected' as const })) as Res<'GetVariables'>['getVariableResult'],
    }),
  },
  SetVariables: {
    answer(req, st) {
      tooMany(req.setVariableData.length, itemsPerMessage(st, 'SetVariables'), 'setVariableData');
      const results = req.setVariableData.map((d) => {
        const head = { component: d.component, variable: d.variable, ...(d.attributeType ? { attributeType: d.attributeType } : {}) };
        const f = find(st, d.component, d.variable);
        if ('miss' in f) return { ...head, attributeStatus: f.miss };
        if ((d.attributeType ?? 'Actual') !== 'Actual') return { ...head, attributeStatus: 'NotSupportedAttributeType' as const };
        if (f.v.mutability === 'ReadOnly') return { ...head, attributeStatus: 'Rejected' as const, attributeStatusInfo: { reasonCode: 'ReadOnly' } };
        if (!accepts(f.v, d.attributeValue)) return { ...head, attributeStatus: 'Rejected' as const, attributeStatusInfo: { reasonCode: 'InvalidValue' } };
        f.v.set(st, d.attributeValue, f.evse);
        if (f.v.mutability !== 'WriteOnly') variableChanged(st, d.component, d.variable, f.v.get(st, f.evse));
        return { ...head, attributeStatus: 'Accepted' as const };
      });
      return { setVariableResult: results as Res<'SetVariables'>['setVariableResult'] };
    },
    refuse: (req) => ({
      setVariableResult: req.setVariableData.map((d) => ({ component: d.component, variable: d.variable, attributeStatus: 'Rejected' as const })) as Res<'SetVariables'>['setVariableResult'],
    }),
  },
  GetBaseReport: {
    answer(req, st) {
      const rows = reportRows(st, req.reportBase);
      if (rows.length === 0) return { status: 'EmptyResultSet' };
      st.after(() => sendReport(st, req.requestId, rows));
      return { status: 'Accepted' };
    },
    refuse: () => rejected,
  },
  ClearCache: {
    answer: () => ({ status: 'Accepted' }),
    refuse: () => rejected,
  },
  TriggerMessage: {
    answer(req, st) {
      const evse = req.evse;
      if (evse && evse.id !== 0 && (!st.hasPort(evse.id) || (evse.connectorId !== undefined && evse.connectorId !== 1))) return rejected;
      const make = triggers[req.requestedMessage];
      if (!make) return { status: 'NotImplemented' };
      const task = make(st, evse?.id);
      if (!task) return rejected;
      st.after(task);
      return { status: 'Accepted' };
    },
    refuse: () => rejected,
  },
  DataTransfer: {
    answer(req, st) {
      if (req.vendorId !== st.vendor) return { status: 'UnknownVendorId' };
      // the one message the simulator knows: Echo returns the data it was given
      if (req.messageId !== undefined && req.messageId !== 'Echo') return { status: 'UnknownMessageId' };
      return { status: 'Accepted', ...(req.data !== undefined ? { data: req.data } : {}) };
    },
    refuse: () => rejected,
  },
  ReserveNow: {
    answer(req, st) {
      if (st.setting('ReservationCtrlr.Enabled') !== 'true') return { status: 'Rejected', statusInfo: { reasonCode: 'NotEnabled' } };
      // without evseId any EVSE is reserved (H01.FR.09): the station holds one free EVSE for the token
      const n = req.evseId ?? (st.reservationConnector(req.id) || st.freeConnector());
      if (n === 0) return { status: 'Occupied' };
      if (!st.hasPort(n)) return rejected;
      const problem = unreservable(st.port(n), req.id);
      if (problem) return { status: problem };
      const r: SimReservation = { id: req.id, idTag: req.idToken.idToken, expiresAt: Date.parse(req.expiryDateTime), ...(req.groupIdToken ? { groupIdTag: req.groupIdToken.idToken } : {}) };
      holdReservation(st, n, r, status, () => reservationExpired(st, n, r.id));
      return { status: 'Accepted' };
    },
    refuse: () => rejected,
  },
  CancelReservation: {
    answer: (req, st) => (cancelReservation(st, req.reservationId, status) ? { status: 'Accepted' } : rejected),
    refuse: () => rejected,
  },
  GetLocalListVersion: {
    answer: (_req, st) => ({ versionNumber: st.localList.version }),
    refuse: () => ({ versionNumber: 0 }),
  },
  SendLocalList: {
    answer(req, st) {
      if (st.setting('LocalAuthListCtrlr.Enabled') !== 'true') return { status: 'Failed', statusInfo: { reasonCode: 'NotEnabled' } };
      const list = st.localList;
      // D01.FR.19: a differential update must move the version forward
      if (req.updateType === 'Differential' && req.versionNumber <= list.version) return { status: 'VersionMismatch' };
      const items = req.localAuthorizationList ?? [];
      if (items.length > Number(st.setting('LocalAuthListCtrlr.ItemsPerMessage'))) return { status: 'Failed' };
      if (req.updateType === 'Full') list.entries.clear();
      for (const e of items) {
        if (e.idTokenInfo) list.entries.set(e.idToken.idToken, { status: e.idTokenInfo.status, ...(e.idTokenInfo.groupIdToken ? { groupIdTag: e.idTokenInfo.groupIdToken.idToken } : {}) });
        else list.entries.delete(e.idToken.idToken);
      }
      list.version = req.versionNumber;
      return { status: 'Accepted' };
    },
    refuse: () => ({ status: 'Failed' }),
  },
  GetTransactionStatus: {
    // the simulator sends its transaction messages at once, so nothing is ever queued
    answer(req, st) {
      if (req.transactionId === undefined) return { messagesInQueue: false };
      const s = st.sessions().find((x) => x.id === req.transactionId);
      return { ongoingIndicator: s !== undefined && !s.ending, messagesInQueue: false };
    },
    refuse: () => ({ messagesInQueue: false }),
  },
  ...certificateCommands201,
  // L01/L02: the image is downloaded for real; a signed update needs a plausible certificate
  UpdateFirmware: {
    answer(req, st) {
      const fw = req.firmware;
      const signed = fw.signature !== undefined || fw.signingCertificate !== undefined;
      if (signed && !looksLikeCertificate(fw.signingCertificate ?? '')) return { status: 'InvalidCertificate' };
      st.after(() => updateFirmware(st, {
        location: fw.location, signed, rebootingStatus: 'InstallRebooting',
        report: (status) => send(st, 'FirmwareStatusNotification', { status: status as Req<'FirmwareStatusNotification'>['status'], requestId: req.requestId }),
      }));
      return { status: 'Accepted' };
    },
    refuse: () => rejected,
  },
  // N01
  GetLog: {
    answer: (req, st) => answerGetLog(st, req, (status) => send(st, 'LogStatusNotification', { status: status as Req<'LogStatusNotification'>['status'], requestId: req.requestId })),
    refuse: () => rejected,
  },
  // L03/L04: the station acts as a local controller that serves images to others
  PublishFirmware: {
    answer(req, st) {
      st.after(() => publishFirmware(st, req));
      return { status: 'Accepted' };
    },
    refuse: () => rejected,
  },
  UnpublishFirmware: {
    answer(req, st) {
      const checksum = req.checksum.toLowerCase();
      if (!st.published?.has(checksum)) return { status: 'NoFirmware' };
      st.published.delete(checksum);
      return { status: 'Unpublished' };
    },
    refuse: () => ({ status: 'NoFirmware' }),
  },
  GetReport: {
    answer(req, st) {
      const rows = customReport(st, req);
      if (rows.length === 0) return { status: 'EmptyResultSet' };
      st.after(() => sendReport(st, req.requestId, rows));
      return { status: 'Accepted' };
    },
    refuse: () => rejected,
  },
  ...monitoringCommands(find, (st) => itemsPerMessage(st, 'GetReport')),
  ...displayCommands,
  SetChargingProfile: {
    answer(req, st) {
      smartChargingOn(st);
      const profile = neutralProfile(req.chargingProfile);
      const why = refusal(st, req.evseId, profile, limits(st));
      if (why) return { status: 'Rejected', statusInfo: { reasonCode: why } };
      install(st, req.evseId, profile);
      return { status: 'Accepted' };
    },
    refuse: () => rejected,
  },
  ClearChargingProfile: {
    answer(req, st) {
      smartChargingOn(st);
      const c = req.chargingProfileCriteria;
      const cleared = clear(st, {
        profileId: req.chargingProfileId, evseId: c?.evseId, stackLevel: c?.stackLevel,
        purpose: c?.chargingProfilePurpose && neutralPurpose(c.chargingProfilePurpose),
      });
      return { status: cleared > 0 ? 'Accepted' : 'Unknown' };
    },
    refuse: () => ({ status: 'Unknown' }),
  },
  GetCompositeSchedule: {
    answer(req, st) {
      smartChargingOn(st);
      const unit = req.chargingRateUnit ?? 'W';
      if ((req.evseId !== 0 && !st.hasPort(req.evseId)) || !limits(st).allowedUnits.includes(unit)) return rejected;
      const [first, ...rest] = composite(st, req.evseId, req.duration, unit);
      return {
        status: 'Accepted',
        schedule: { evseId: req.evseId, duration: req.duration, scheduleStart: now(), chargingRateUnit: unit, chargingSchedulePeriod: [first!, ...rest] },
      };
    },
    refuse: () => rejected,
  },
  GetChargingProfiles: {
    answer(req, st) {
      smartChargingOn(st);
      const c = req.chargingProfile;
      // every installed profile was set by the CSMS, so only a CSO source finds any
      const found = c.chargingLimitSource && !c.chargingLimitSource.includes('CSO') ? [] : profilesOf(st).filter((x) =>
        (req.evseId === undefined || x.evse === req.evseId)
        && (c.chargingProfileId === undefined || c.chargingProfileId.includes(x.profile.id))
        && (c.chargingProfilePurpose === undefined || neutralPurpose(c.chargingProfilePurpose) === x.profile.purpose)
        && (c.stackLevel === undefined || c.stackLevel === x.profile.stackLevel));
      if (found.length === 0) return { status: 'NoProfiles' };
      st.after(() => reportProfiles(st, req.requestId, found));
      return { status: 'Accepted' };
    },
    refuse: () => ({ status: 'NoProfiles' }),
  },
  CostUpdated: {
    // the display would show it; the simulator only has to take it
    answer: () => ({}),
    refuse: () => ({}),
  },
};

/** Downloads the image, checks its MD5 against the request and "publishes" it at a local URL. */
async function publishFirmware(st: SimulatedStation, req: Req<'PublishFirmware'>): Promise<void> {
  const report = (status: Req<'PublishFirmwareStatusNotification'>['status'], location?: [string, ...string[]]) =>
    send(st, 'PublishFirmwareStatusNotification', { status, requestId: req.requestId, ...(location && { location }) });
  await report('Downloading');
  let image: Buffer;
  try {
    if (st.behaviour.firmwareOutcome === 'DownloadFailed') throw new TransferFailed('download failed (simulated)');
    image = await download(req.location);
  } catch {
    await report('DownloadFailed');
    return;
  }
  await report('Downloaded');
  if (createHash('md5').update(image).digest('hex') !== req.checksum.toLowerCase()) {
    await report('InvalidChecksum');
    return;
  }
  await report('ChecksumVerified');
  const checksum = req.checksum.toLowerCase();
  (st.published ??= new Set()).add(checksum);
  await report('Published', [`http://${st.identity}.local/firmware/${checksum}`]);
}

const dialect: Dialect = {
  subprotocol: 'ocpp2.0.1',
  handlers: handlersOf(commands),
  settings: v201Model,

  async boot(st, reason) {
    const r = await send(st, 'BootNotification', {
      reason,
      chargingStation: { vendorName: st.vendor, model: st.model, serialNumber: st.serial, firmwareVersion: st.firmware },
    });
    return { status: r.status, interval: r.interval };
  },

  async heartbeat(st) {
    await send(st, 'Heartbeat', {});
  },

  status,

  async authorize(st, idTag, tokenType = 'ISO14443') {
    return (await send(st, 'Authorize', { idToken: { idToken: idTag, type: tokenType as IdTokenEnumType } })).idTokenInfo.status;
  },

  // Authorize, Occupied (EV plugged in), TransactionEvent Started with a fresh id and seqNo 0
  async begin(st, s, authorize) {
    const idToken = { idToken: s.idTag, type: s.tokenType as IdTokenEnumType };
    if (authorize) {
      const verdict = await dialect.authorize(st, s.idTag, s.tokenType);
      if (verdict !== 'Accepted') throw new SessionRefused(verdict);
    }
    await status(st, s.connector, 'Occupied');
    const c = st.port(s.connector);
    const at = new Date(s.startedAt).toISOString();
    s.id = randomUUID();
    s.seqNo = 0;
    s.chargingState = 'Charging';
    const r = await send(st, 'TransactionEvent', {
      eventType: 'Started', timestamp: at, seqNo: 0,
      triggerReason: s.remoteStartId !== undefined ? 'RemoteStart' : 'Authorized',
      transactionInfo: {
        transactionId: s.id, chargingState: 'Charging', ...(s.remoteStartId !== undefined ? { remoteStartId: s.remoteStartId } : {}),
      },
      evse: { id: s.connector, connectorId: 1 },
      idToken,
      ...(s.reservationId !== undefined ? { reservationId: s.reservationId } : {}),
      meterValue: [{ timestamp: at, sampledValue: samples(c, undefined, 'Transaction.Begin') }],
    });
    const verdict = r.idTokenInfo?.status;
    if (verdict !== undefined && verdict !== 'Accepted') throw new SessionRefused(verdict);
    rememberCustomer(st, s.idTag, `transaction ${s.id} started ${at} on EVSE ${s.connector}`);
  },

  async meter(st, s, trigger) {
    const c = st.port(s.connector);
    // chargingState is sent when it changes (no power = the EV paused)
    const state = s.powerW === 0 ? 'SuspendedEV' : 'Charging';
    const changed = state !== s.chargingState;
    s.chargingState = state;
    await send(st, 'TransactionEvent', {
      eventType: 'Updated', timestamp: now(), seqNo: ++s.seqNo,
      triggerReason: trigger === 'Trigger' ? 'Trigger' : changed ? 'ChargingStateChanged' : 'MeterValuePeriodic',
      transactionInfo: { transactionId: String(s.id), ...(changed ? { chargingState: state } : {}) },
      meterValue: [{ timestamp: now(), sampledValue: samples(c, s.powerW, trigger === 'Trigger' ? 'Trigger' : 'Sample.Periodic') }],
    });
  },

  async end(st, s, reason) {
    const c = st.port(s.connector);
    const stoppedReason = reasonOf(reason);
    const at = now();
    await send(st, 'TransactionEvent', {
      eventType: 'Ended', timestamp: at, seqNo: ++s.seqNo,
      triggerReason: endTriggers[stoppedReason] ?? 'AbnormalCondition',
      transactionInfo: {
        transactionId: String(s.id), stoppedReason,
        chargingState: stoppedReason === 'EVDisconnected' ? 'Idle' : 'EVConnected',
      },
      // the token that stopped it: the driver's own for a local stop
      ...(stoppedReason === 'Local' ? { idToken: { idToken: s.idTag, type: s.tokenType as IdTokenEnumType } } : {}),
      meterValue: [{ timestamp: at, sampledValue: samples(c, undefined, 'Transaction.End') }],
    });
  },

  async announce(st) {
    for (let n = 1; n <= st.connectorCount; n++) {
      const c = st.port(n);
      await status(st, n, c.session ? 'Occupied' : idle(c));
    }
  },
};

export { dialect as v201 };
