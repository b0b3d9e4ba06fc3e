/**
 * Version-neutral charging profiles (OCPP 1.6 Smart Charging, 2.0.1 block K). The adapters
 * translate them to 1.6 csChargingProfiles and 2.0.1 chargingProfile; dates stay ISO strings so
 * a profile can be journalled and stored as JSON unchanged.
 */
export type ProfilePurpose = 'ChargingStationMax' | 'TxDefault' | 'Tx' | 'ChargingStationExternalConstraints';
export type ProfileKind = 'Absolute' | 'Recurring' | 'Relative';
export type RecurrencyKind = 'Daily' | 'Weekly';
export type ChargingRateUnit = 'A' | 'W';
export type ChargingLimitSource = 'EMS' | 'Other' | 'SO' | 'CSO';

export interface SchedulePeriod {
  /** seconds from the start of the schedule */
  startPeriod: number;
  /** in the schedule's chargingRateUnit */
  limit: number;
  numberPhases?: number;
  /** 2.0.1 only: the phase of a single-phase period */
  phaseToUse?: number;
}

export interface ChargingSchedule {
  /** 2.0.1 schedule id; 1.6 has none (defaults to the profile id when sent on 2.0.1) */
  id?: number;
  chargingRateUnit: ChargingRateUnit;
  periods: SchedulePeriod[];
  /** seconds */
  duration?: number;
  startSchedule?: string;
  minChargingRate?: number;
}

export interface ChargingProfile {
  id: number;
  stackLevel: number;
  purpose: ProfilePurpose;
  kind: ProfileKind;
  recurrencyKind?: RecurrencyKind;
  validFrom?: string;
  validTo?: string;
  /** Tx profiles: the transaction they limit (1.6 transactionId as a string, 2.0.1 transactionId) */
  transactionRef?: string;
  /** 1.6 takes exactly one; 2.0.1 one to three */
  schedules: ChargingSchedule[];
}

/** Which profiles a ClearChargingProfile / GetChargingProfiles addresses; absent fields match all. */
export interface ProfileCriteria {
  profileId?: number;
  evseId?: number;
  purpose?: ProfilePurpose;
  stackLevel?: number;
}

/** A profile the platform refuses to send, with the reason. Not a CALL error: nothing was sent. */
export class ChargingProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChargingProfileError';
  }
}

/** Highest stack level the platform sends (1.6 ChargeProfileMaxStackLevel is per station; this is our ceiling). */
export const MAX_STACK_LEVEL = 99;

const isInt = (n: unknown, min = 0): n is number => typeof n === 'number' && Number.isInteger(n) && n >= min;
const isDate = (s: string | undefined): boolean => s === undefined || !Number.isNaN(Date.parse(s));

export interface ProfileContext {
  protocol: 'ocpp1.6' | 'ocpp2.0.1';
  evseId: number;
  /** profiles of the station currently active on the station, as we set them */
  active: ReadonlyArray<{ evseId: number; profile: ChargingProfile }>;
  /** whether the transaction is active on the station (Tx profiles) */
  transactionActive?: boolean;
}

/** Every rule a profile must pass before it is sent; throws ChargingProfileError naming the first broken rule. */
export function validateProfile(p: ChargingProfile, ctx: ProfileContext): void {
  const fail = (msg: string): never => {
    throw new ChargingProfileError(`charging profile ${String(p.id)}: ${msg}`);
  };
  if (!isInt(ctx.evseId)) fail('evseId must be an integer >= 0');
  if (!isInt(p.id, ctx.protocol === 'ocpp1.6' ? 1 : 0)) fail('id must be a positive integer');
  if (!isInt(p.stackLevel) || p.stackLevel > MAX_STACK_LEVEL) fail(`stackLevel must be an integer 0..${MAX_STACK_LEVEL}`);
  switch (p.purpose) {
    case 'ChargingStationMax':
      if (ctx.evseId !== 0) fail('ChargingStationMax applies to the whole station: evseId must be 0');
      // K01.FR.38: a station maximum has no transaction to be relative to
      if (p.kind === 'Relative') fail('a ChargingStationMax profile cannot be Relative');
      break;
    case 'TxDefault':
      break;
    case 'Tx':
      if (ctx.evseId === 0) fail('a Tx profile needs an EVSE, not 0');
      if (p.transactionRef === undefined) fail('a Tx profile needs a transactionRef');
      if (ctx.protocol === 'ocpp1.6' && !/^\d{1,10}$/.test(p.transactionRef!)) fail('OCPP 1.6 transaction ids are integers');
      if (ctx.transactionActive === false) fail(`transaction ${p.transactionRef!} is not active on EVSE ${ctx.evseId}`);
      break;
    case 'ChargingStationExternalConstraints':
      // K01.FR.22: only the station (from an external system) sets these
      fail('ChargingStationExternalConstraints profiles are set by the station, never by the CSMS');
      break;
    default:
      fail(`unknown purpose ${String(p.purpose)}`);
  }
  if (p.purpose !== 'Tx' && p.transactionRef !== undefined) fail('only Tx profiles name a transaction');
  if (!['Absolute', 'Recurring', 'Relative'].includes(p.kind)) fail(`unknown kind ${String(p.kind)}`);
  if (p.kind === 'Recurring') {
    if (p.recurrencyKind !== 'Daily' && p.recurrencyKind !== 'Weekly') fail('a Recurring profile needs recurrencyKind Daily or Weekly');
  } else if (p.recurrencyKind !== undefined) {
    fail('recurrencyKind belongs to Recurring profiles only');
  }
  if (!isDate(p.validFrom) || !isDate(p.validTo)) fail('validFrom/validTo must be ISO date-times');
  if (p.validFrom && p.validTo && Date.parse(p.validFrom) >= Date.parse(p.validTo)) fail('validFrom must be before validTo');
  const maxSchedules = ctx.protocol === 'ocpp1.6' ? 1 : 3;
  if (!Array.isArray(p.schedules) || p.schedules.length < 1 || p.schedules.length > maxSchedules) fail(`needs 1..${maxSchedules} schedules on ${ctx.protocol}`);
  for (const s of p.schedules) validateSchedule(s, p.kind, ctx.protocol, fail);
  const clash = ctx.active.find((a) => a.evseId === ctx.evseId && a.profile.id !== p.id && a.profile.stackLevel === p.stackLevel && a.profile.purpose === p.purpose
    && (p.purpose !== 'Tx' || a.profile.transactionRef === p.transactionRef));
  if (clash) fail(`profile ${clash.profile.id} already has ${p.purpose} stackLevel ${p.stackLevel} on EVSE ${ctx.evseId}`);
}

function validateSchedule(s: ChargingSchedule, kind: ProfileKind, protocol: ProfileContext['protocol'], fail: (m: string) => never): void {
  if (s.chargingRateUnit !== 'A' && s.chargingRateUnit !== 'W') fail('chargingRateUnit must be A or W');
  if (kind === 'Relative' && s.startSchedule !== undefined) fail('a Relative profile has no startSchedule');
  if (kind !== 'Relative' && s.startSchedule === undefined) fail(`an ${kind} profile needs a startSchedule`);
  if (!isDate(s.startSchedule)) fail('startSchedule must be an ISO date-time');
  if (s.duration !== undefined && !isInt(s.duration)) fail('duration must be whole seconds >= 0');
  if (s.minChargingRate !== undefined && !(s.minChargingRate >= 0)) fail('minChargingRate must be >= 0');
  if (s.id !== undefined && !isInt(s.id)) fail('schedule id must be an integer >= 0');
  if (!Array.isArray(s.periods) || s.periods.length === 0) fail('a schedule needs at least one period');
  s.periods.forEach((period, i) => {
    if (!isInt(period.startPeriod)) fail('startPeriod must be whole seconds >= 0');
    if (i === 0 && period.startPeriod !== 0) fail('the first period must start at 0');
    if (i > 0 && period.startPeriod <= s.periods[i - 1]!.startPeriod) fail('periods must start strictly increasing');
    if (typeof period.limit !== 'number' || !(period.limit >= 0) || !Number.isFinite(period.limit)) fail('limits must be >= 0');
    if (period.numberPhases !== undefined && (!isInt(period.numberPhases, 1) || period.numberPhases > 3)) fail('numberPhases must be 1..3');
    if (period.phaseToUse !== undefined) {
      if (protocol === 'ocpp1.6') fail('phaseToUse does not exist in OCPP 1.6');
      if (period.numberPhases !== 1 || !isInt(period.phaseToUse, 1) || period.phaseToUse > 3) fail('phaseToUse (1..3) needs numberPhases 1');
    }
  });
}

/** Whether a stored profile on `evseId` matches clear/get criteria. */
export function matchesCriteria(c: ProfileCriteria, evseId: number, p: ChargingProfile): boolean {
  // an id names one profile whatever the other criteria say (1.6 §6.5, 2.0.1 K10)
  if (c.profileId !== undefined) return c.profileId === p.id;
  return (c.evseId === undefined || c.evseId === evseId)
    && (c.purpose === undefined || c.purpose === p.purpose)
    && (c.stackLevel === undefined || c.stackLevel === p.stackLevel);
}
