import type { Actions as V16 } from '../ocpp/types/generated/v16.js';
import { handlersOf, type CommandTable } from './commands.js';
import type { ConnectorState, Dialect, Session, SimReservation } from './dialect.js';
import { accepts } from './settings.js';
import type { SimulatedStation } from './station.js';
import { cancelReservation, holdReservation, unreservable } from './reservations.js';
import { SessionRefused, type ConnectorStatus, type StopReason } from './types.js';
import { v16Keys } from './v16-config.js';
import { neutralProfile, neutralPurpose } from '../ocpp/v16/charging-profile.js';
import { clear, composite, install, refusal, type Limits } from './smart-charging.js';
import { looksLikeCertificate, updateFirmware, uploadLog, answerGetLog } from './transfers.js';
import { certificateCommands16, requestCertificate } from './certificates.js';

type Req<A extends keyof V16> = V16[A]['request'];
type Res<A extends keyof V16> = V16[A]['response'];
type Status = Req<'StatusNotification'>['status'];
type Reason = NonNullable<Req<'StopTransaction'>['reason']>;
type Sample = Req<'MeterValues'>['meterValue'][number]['sampledValue'][number];

function send<A extends keyof V16 & string>(st: SimulatedStation, action: A, payload: Req<A>): Promise<Res<A>> {
  return st.call(action, payload) as Promise<Res<A>>;
}

const now = (): string => new Date().toISOString();

const nativeReasons: ReadonlySet<string> = new Set<Reason>([
  'DeAuthorized', 'EmergencyStop', 'EVDisconnected', 'HardReset', 'Local', 'Other', 'PowerLoss', 'Reboot',
  'Remote', 'SoftReset', 'UnlockCommand',
]);

function reasonOf(r: StopReason): Reason {
  if (nativeReasons.has(r)) return r as Reason;
  if (r === 'ImmediateReset') return 'HardReset';
  if (r === 'StoppedByEV') return 'EVDisconnected';
  return 'Other';
}

/** Register readings (1.6 sends strings); export only once the connector ever discharged. */
function samples(c: ConnectorState, powerW: number | undefined, context: Sample['context']): Sample[] {
  const out: Sample[] = [
    { value: String(Math.round(c.importWh)), context, measurand: 'Energy.Active.Import.Register', location: 'Outlet', unit: 'Wh' },
  ];
  if (c.exportWh > 0 || (powerW ?? 0) < 0) {
    out.push({ value: String(Math.round(c.exportWh)), context, measurand: 'Energy.Active.Export.Register', location: 'Outlet', unit: 'Wh' });
  }
  if (powerW !== undefined) {
    const measurand = powerW < 0 ? 'Power.Active.Export' : 'Power.Active.Import';
    out.push({ value: String(Math.abs(Math.round(powerW))), context, measurand, location: 'Outlet', unit: 'W' });
  }
  return out;
}

async function status(st: SimulatedStation, connector: number, s: ConnectorStatus): Promise<void> {
  const native: Status = s === 'Occupied' ? 'Preparing' : s;
  if (connector > 0) st.port(connector).status = native;
  await send(st, 'StatusNotification', {
    connectorId: connector, errorCode: native === 'Faulted' ? 'OtherError' : 'NoError', status: native, timestamp: now(),
  });
}

const idle = (c: ConnectorState): Status => (c.operative ? 'Available' : 'Unavailable');

/** Connector 0 stands for the whole charge point: unavailable only when every connector is. */
function stationStatus(st: SimulatedStation): Status {
  for (let n = 1; n <= st.connectorCount; n++) if (st.port(n).operative) return 'Available';
  return 'Unavailable';
}

async function meterReading(st: SimulatedStation, connector: number): Promise<void> {
  const c = st.port(connector);
  if (c.session) return dialect.meter(st, c.session, 'Trigger');
  await send(st, 'MeterValues', { connectorId: connector, meterValue: [{ timestamp: now(), sampledValue: samples(c, undefined, 'Trigger') }] });
}

function connectorsOf(st: SimulatedStation, connector: number | undefined): number[] {
  if (connector !== undefined && connector > 0) return [connector];
  return Array.from({ length: st.connectorCount }, (_, i) => i + 1);
}

type Trigger = Req<'TriggerMessage'>['requestedMessage'];
const triggers: Record<Trigger, (st: SimulatedStation, connector: number | undefined) => Promise<unknown>> = {
  BootNotification: (st) => st.boot(),
  Heartbeat: (st) => st.heartbeat(),
  StatusNotification: (st, n) =>
    n === undefined ? dialect.announce(st) : status(st, n, n === 0 ? stationStatus(st) : (st.port(n).status as Status)),
  MeterValues: async (st, n) => {
    for (const k of connectorsOf(st, n)) await meterReading(st, k);
  },
  DiagnosticsStatusNotification: (st) => send(st, 'DiagnosticsStatusNotification', { status: 'Idle' }),
  FirmwareStatusNotification: (st) => send(st, 'FirmwareStatusNotification', { status: 'Idle' }),
};

const rejected = { status: 'Rejected' } as const;


type ExtendedTrigger = Req<'ExtendedTriggerMessage'>['requestedMessage'];
/** ExtendedTriggerMessage (security whitepaper): the core triggers plus the security ones. */
const extendedTriggers: Partial<Record<ExtendedTrigger, (st: SimulatedStation, connector: number | undefined) => Promise<unknown>>> = {
  BootNotification: (st) => st.boot(),
  Heartbeat: (st) => st.heartbeat(),
  StatusNotification: (st, n) => triggers.StatusNotification(st, n),
  MeterValues: (st, n) => triggers.MeterValues(st, n),
  LogStatusNotification: (st) => send(st, 'LogStatusNotification', { status: 'Idle' }),
  FirmwareStatusNotification: (st) => send(st, 'SignedFirmwareStatusNotification', { status: 'Idle' }),
  SignChargePointCertificate: (st) => requestCertificate(st, 'ChargingStationCertificate'),
};

/** ChargingScheduleAllowedChargingRateUnit and friends (§9.4) as the limits a profile must fit. */
function limits(st: SimulatedStation): Limits {
  const units = (st.setting('ChargingScheduleAllowedChargingRateUnit') ?? '').split(',').map((u) => u.trim());
  return {
    allowedUnits: [...(units.includes('Current') ? ['A' as const] : []), ...(units.includes('Power') ? ['W' as const] : [])],
    maxStackLevel: Number(st.setting('ChargeProfileMaxStackLevel')), maxPeriods: Number(st.setting('ChargingScheduleMaxPeriods')),
    maxInstalled: Number(st.setting('MaxChargingProfilesInstalled')),
  };
}

/** How a 1.6 charge point answers the CSMS: each answer and its follow-up effect. */
const commands: CommandTable<V16> = {
  RemoteStartTransaction: {
    answer(req, st) {
      const n = req.connectorId ?? st.freeConnector(req.idTag);
      // a reserved connector only starts for the reservation's token (§5.13)
      if (!st.mayUse(n, req.idTag)) return rejected;
      const s = st.claim(n, req.idTag);
      s.powerW = st.defaultPowerW;
      // AuthorizeRemoteTxRequests decides whether the token is checked first (§5.11)
      st.after(() => st.launch(s, st.setting('AuthorizeRemoteTxRequests') === 'true', st.meterIntervalMs));
      return { status: 'Accepted' };
    },
    refuse: () => rejected,
  },
  RemoteStopTransaction: {
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
      st.after(() => st.reboot(req.type === 'Hard' ? 'HardReset' : 'SoftReset'));
      return { status: 'Accepted' };
    },
    refuse: () => rejected,
  },
  ChangeAvailability: {
    answer(req, st) {
      if (req.connectorId !== 0 && !st.hasPort(req.connectorId)) return rejected;
      const { changed, scheduled } = st.setAvailability(connectorsOf(st, req.connectorId), req.type === 'Operative');
      st.after(async () => {
        if (req.connectorId === 0 && changed.length > 0) await status(st, 0, stationStatus(st));
        for (const n of changed) await status(st, n, idle(st.port(n)));
      });
      return { status: scheduled ? 'Scheduled' : 'Accepted' };
    },
    refuse: () => rejected,
  },
  UnlockConnector: {
    answer(req, st) {
      if (!st.hasPort(req.connectorId)) return { status: 'UnlockFailed' };
      // unlocking ends a running transaction first (§5.17)
      const s = st.port(req.connectorId).session;
      if (s && !s.ending) st.after(() => st.finish(s, 'UnlockCommand'));
      return { status: 'Unlocked' };
    },
    refuse: () => ({ status: 'UnlockFailed' }),
  },
  GetConfiguration: {
    answer(req, st) {
      const entry = (key: string) => {
        const v = v16Keys.get(key)!;
        const value = v.mutability === 'WriteOnly' ? {} : { value: v.get(st, 0) };
        return { key, readonly: v.mutability === 'ReadOnly', ...value };
      };
      if (!req.key?.length) return { configurationKey: [...v16Keys.keys()].map(entry) };
      const known = req.key.filter((k) => v16Keys.has(k));
      const unknown = req.key.filter((k) => !v16Keys.has(k));
      return {
        ...(known.length > 0 ? { configurationKey: known.map(entry) } : {}),
        ...(unknown.length > 0 ? { unknownKey: unknown } : {}),
      };
    },
    refuse: (req) => ({ unknownKey: req.key ?? [] }),
  },
  ChangeConfiguration: {
    answer(req, st) {
      const v = v16Keys.get(req.key);
      if (!v) return { status: 'NotSupported' };
      if (v.mutability === 'ReadOnly' || !accepts(v, req.value)) return rejected;
      v.set(st, req.value, 0);
      return { status: 'Accepted' };
    },
    refuse: () => rejected,
  },
  ClearCache: {
    answer: () => ({ status: 'Accepted' }),
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
  TriggerMessage: {
    answer(req, st) {
      if (req.connectorId !== undefined && req.connectorId !== 0 && !st.hasPort(req.connectorId)) return rejected;
      st.after(() => triggers[req.requestedMessage](st, req.connectorId));
      return { status: 'Accepted' };
    },
    refuse: () => rejected,
  },
  ExtendedTriggerMessage: {
    answer(req, st) {
      if (req.connectorId !== undefined && req.connectorId !== 0 && !st.hasPort(req.connectorId)) return rejected;
      const task = extendedTriggers[req.requestedMessage];
      if (!task) return { status: 'NotImplemented' };
      st.after(() => task(st, req.connectorId));
      return { status: 'Accepted' };
    },
    refuse: () => rejected,
  },
  ReserveNow: {
    answer(req, st) {
      // connectorId 0 reserves the charge point: the station holds one free connector for the token
      if (req.connectorId === 0 && st.setting('ReserveConnectorZeroSupported') !== 'true') return rejected;
      const n = req.connectorId === 0 ? st.reservationConnector(req.reservationId) || st.freeConnector() : req.connectorId;
      if (n === 0) return { status: 'Occupied' };
      if (!st.hasPort(n)) return rejected;
      const problem = unreservable(st.port(n), req.reservationId);
      if (problem) return { status: problem };
      const r: SimReservation = { id: req.reservationId, idTag: req.idTag, expiresAt: Date.parse(req.expiryDate), ...(req.parentIdTag !== undefined ? { groupIdTag: req.parentIdTag } : {}) };
      holdReservation(st, n, r, status);
      return { status: 'Accepted' };
    },
    refuse: () => rejected,
  },
  CancelReservation: {
    answer: (req, st) => (cancelReservation(st, req.reservationId, status) ? { status: 'Accepted' } : rejected),
    refuse: () => rejected,
  },
  GetLocalListVersion: {
    // -1: the local list is not enabled (OCPP 1.6 §6.26)
    answer: (_req, st) => ({ listVersion: st.setting('LocalAuthListEnabled') === 'true' ? st.localList.version : -1 }),
    refuse: () => ({ listVersion: -1 }),
  },
  SendLocalList: {
    answer(req, st) {
      if (st.setting('LocalAuthListEnabled') !== 'true') return { status: 'NotSupported' };
      const list = st.localList;
      if (req.updateType === 'Differential' && req.listVersion <= list.version) return { status: 'VersionMismatch' };
      const items = req.localAuthorizationList ?? [];
      if (items.length > Number(st.setting('SendLocalListMaxLength'))) return { status: 'Failed' };
      if (req.updateType === 'Full') list.entries.clear();
      for (const e of items) {
        if (e.idTagInfo) list.entries.set(e.idTag, { status: e.idTagInfo.status, ...(e.idTagInfo.parentIdTag !== undefined ? { groupIdTag: e.idTagInfo.parentIdTag } : {}) });
        else list.entries.delete(e.idTag);
      }
      if (list.entries.size > Number(st.setting('LocalAuthListMaxLength'))) return { status: 'Failed' };
      // version 0 means "no list": a full update without entries empties it
      list.version = list.entries.size === 0 && req.updateType === 'Full' ? 0 : req.listVersion;
      return { status: 'Accepted' };
    },
    refuse: () => ({ status: 'Failed' }),
  },
  ...certificateCommands16,
  // Firmware Management: the file moves for real over HTTP; 1.6 plain notifications carry no requestId
  UpdateFirmware: {
    answer(req, st) {
      st.after(() => updateFirmware(st, {
        location: req.location, signed: false,
        report: (status) => send(st, 'FirmwareStatusNotification', { status: status as Req<'FirmwareStatusNotification'>['status'] }),
      }));
      return {};
    },
    // UpdateFirmware.conf has no status: a station that will not update just never starts
    refuse: () => ({}),
  },
  GetDiagnostics: {
    answer(req, st) {
      const fileName = `diagnostics-${st.identity}-${Date.now()}.log`;
      st.after(() => uploadLog(st, {
        location: req.location, fileName, kind: 'diagnostics', words: { uploading: 'Uploading', uploaded: 'Uploaded', failed: 'UploadFailed' },
        report: (status) => send(st, 'DiagnosticsStatusNotification', { status: status as Req<'DiagnosticsStatusNotification'>['status'] }),
      }));
      return { fileName };
    },
    // no fileName: no diagnostics available
    refuse: () => ({}),
  },
  // Security whitepaper: signed update and security log, both quoting the requestId
  SignedUpdateFirmware: {
    answer(req, st) {
      if (!looksLikeCertificate(req.firmware.signingCertificate)) return { status: 'InvalidCertificate' };
      st.after(() => updateFirmware(st, {
        location: req.firmware.location, signed: true,
        report: (status) => send(st, 'SignedFirmwareStatusNotification', { status: status as Req<'SignedFirmwareStatusNotification'>['status'], requestId: req.requestId }),
      }));
      return { status: 'Accepted' };
    },
    refuse: () => rejected,
  },
  GetLog: {
    answer: (req, st) => answerGetLog(st, req, (status) => send(st, 'LogStatusNotification', { status: status as Req<'LogStatusNotification'>['status'], requestId: req.requestId })),
    refuse: () => rejected,
  },
  SetChargingProfile: {
    answer(req, st) {
      if (st.behaviour.smartCharging === false) return { status: 'NotSupported' };
      const profile = neutralProfile(req.csChargingProfiles);
      if (refusal(st, req.connectorId, profile, limits(st))) return rejected;
      install(st, req.connectorId, profile);
      return { status: 'Accepted' };
    },
    refuse: () => rejected,
  },
  ClearChargingProfile: {
    answer(req, st) {
      const cleared = clear(st, {
        profileId: req.id, evseId: req.connectorId, stackLevel: req.stackLevel,
        purpose: req.chargingProfilePurpose && neutralPurpose(req.chargingProfilePurpose),
      });
      return { status: cleared > 0 ? 'Accepted' : 'Unknown' };
    },
    refuse: () => ({ status: 'Unknown' }),
  },
  GetCompositeSchedule: {
    answer(req, st) {
      const unit = req.chargingRateUnit ?? 'A';
      if (st.behaviour.smartCharging === false || (req.connectorId !== 0 && !st.hasPort(req.connectorId)) || !limits(st).allowedUnits.includes(unit)) return rejected;
      const [first, ...rest] = composite(st, req.connectorId, req.duration, unit);
      return {
        status: 'Accepted', connectorId: req.connectorId, scheduleStart: now(),
        chargingSchedule: { duration: req.duration, chargingRateUnit: unit, chargingSchedulePeriod: [first!, ...rest] },
      };
    },
    refuse: () => rejected,
  },
};

const dialect: Dialect = {
  subprotocol: 'ocpp1.6',
  handlers: handlersOf(commands),
  settings: v16Keys,

  async boot(st) {
    const r = await send(st, 'BootNotification', {
      chargePointVendor: st.vendor, chargePointModel: st.model, chargePointSerialNumber: st.serial,
      chargeBoxSerialNumber: st.serial, firmwareVersion: st.firmware, meterType: 'SimMeter',
    });
    return { status: r.status, interval: r.interval };
  },

  async heartbeat(st) {
    await send(st, 'Heartbeat', {});
  },

  status,

  async authorize(st, idTag) {
    return (await send(st, 'Authorize', { idTag })).idTagInfo.status;
  },

  // Authorize, Preparing, StartTransaction, Charging (the order of a tap-then-plug session)
  async begin(st, s, authorize) {
    if (authorize) {
      const verdict = await dialect.authorize(st, s.idTag);
      if (verdict !== 'Accepted') throw new SessionRefused(verdict);
    }
    await status(st, s.connector, 'Preparing');
    const r = await send(st, 'StartTransaction', {
      connectorId: s.connector, idTag: s.idTag, meterStart: s.meterStartWh, timestamp: new Date(s.startedAt).toISOString(),
      ...(s.reservationId !== undefined ? { reservationId: s.reservationId } : {}),
    });
    s.id = r.transactionId;
    if (r.idTagInfo.status !== 'Accepted') throw new SessionRefused(r.idTagInfo.status);
    await status(st, s.connector, 'Charging');
  },

  async meter(st, s, trigger) {
    const c = st.port(s.connector);
    await send(st, 'MeterValues', {
      connectorId: s.connector, transactionId: s.id as number,
      meterValue: [{ timestamp: now(), sampledValue: samples(c, s.powerW, trigger === 'Trigger' ? 'Trigger' : 'Sample.Periodic') }],
    });
  },

  async end(st, s: Session, reason) {
    const c = st.port(s.connector);
    const at = now();
    const native = reasonOf(reason);
    await send(st, 'StopTransaction', {
      transactionId: s.id as number, meterStop: Math.round(c.importWh), timestamp: at, reason: native,
      // idTag names who stopped it: the driver's card for a local stop
      ...(native === 'Local' ? { idTag: s.idTag } : {}),
      transactionData: [
        { timestamp: new Date(s.startedAt).toISOString(), sampledValue: [
          { value: String(s.meterStartWh), context: 'Transaction.Begin', measurand: 'Energy.Active.Import.Register', location: 'Outlet', unit: 'Wh' },
        ] },
        { timestamp: at, sampledValue: samples(c, undefined, 'Transaction.End') },
      ],
    });
    await status(st, s.connector, 'Finishing');
  },

  async announce(st) {
    await status(st, 0, stationStatus(st));
    for (let n = 1; n <= st.connectorCount; n++) {
      const c = st.port(n);
      await status(st, n, c.session ? (c.status as Status) : idle(c));
    }
  },
};

export { dialect as v16 };
