import type { ChargingProfile, ChargingSchedule, ProfilePurpose } from '../../domain/smart-charging/profile.js';
import { integerOf } from '../adapter.js';
import { CallFailed } from '../rpc/call-failed.js';
import type { Req } from './types.js';

type CsChargingProfiles = Req<'SetChargingProfile'>['csChargingProfiles'];
type V16Purpose = CsChargingProfiles['chargingProfilePurpose'];
type V16Schedule = CsChargingProfiles['chargingSchedule'];

const purposes: Partial<Record<ProfilePurpose, V16Purpose>> = {
  ChargingStationMax: 'ChargePointMaxProfile', TxDefault: 'TxDefaultProfile', Tx: 'TxProfile',
};

export function purposeOf(p: ProfilePurpose): V16Purpose {
  const v16 = purposes[p];
  if (!v16) throw new CallFailed('NotSupported', `OCPP 1.6 has no ${p} profiles`);
  return v16;
}

function scheduleOf(s: ChargingSchedule): V16Schedule {
  return {
    chargingRateUnit: s.chargingRateUnit,
    chargingSchedulePeriod: s.periods.map((p) => ({ startPeriod: p.startPeriod, limit: p.limit, ...(p.numberPhases !== undefined && { numberPhases: p.numberPhases }) })),
    ...(s.duration !== undefined && { duration: s.duration }),
    ...(s.startSchedule !== undefined && { startSchedule: s.startSchedule }),
    ...(s.minChargingRate !== undefined && { minChargingRate: s.minChargingRate }),
  };
}

/** A neutral profile as 1.6 csChargingProfiles: one schedule, integer transaction id. */
export function csChargingProfilesOf(p: ChargingProfile): CsChargingProfiles {
  const [schedule] = p.schedules;
  if (!schedule || p.schedules.length > 1) throw new CallFailed('NotSupported', 'an OCPP 1.6 profile has exactly one schedule');
  return {
    chargingProfileId: p.id, stackLevel: p.stackLevel, chargingProfilePurpose: purposeOf(p.purpose), chargingProfileKind: p.kind,
    ...(p.transactionRef !== undefined && { transactionId: integerOf(p.transactionRef, 'transactionRef') }),
    ...(p.recurrencyKind !== undefined && { recurrencyKind: p.recurrencyKind }),
    ...(p.validFrom !== undefined && { validFrom: p.validFrom }),
    ...(p.validTo !== undefined && { validTo: p.validTo }),
    chargingSchedule: scheduleOf(schedule),
  };
}

const fromV16: Record<V16Purpose, ProfilePurpose> = { ChargePointMaxProfile: 'ChargingStationMax', TxDefaultProfile: 'TxDefault', TxProfile: 'Tx' };
export const neutralPurpose = (p: V16Purpose): ProfilePurpose => fromV16[p];

/** 1.6 csChargingProfiles in neutral form (the simulator's view of a SetChargingProfile). */
export function neutralProfile(p: CsChargingProfiles): ChargingProfile {
  const s = p.chargingSchedule;
  return {
    id: p.chargingProfileId, stackLevel: p.stackLevel, purpose: fromV16[p.chargingProfilePurpose], kind: p.chargingProfileKind,
    ...(p.recurrencyKind !== undefined && { recurrencyKind: p.recurrencyKind }),
    ...(p.validFrom !== undefined && { validFrom: p.validFrom }),
    ...(p.validTo !== undefined && { validTo: p.validTo }),
    ...(p.transactionId !== undefined && { transactionRef: String(p.transactionId) }),
    schedules: [{
      chargingRateUnit: s.chargingRateUnit, periods: s.chargingSchedulePeriod.map((x) => ({ ...x })),
      ...(s.duration !== undefined && { duration: s.duration }),
      ...(s.startSchedule !== undefined && { startSchedule: s.startSchedule }),
      ...(s.minChargingRate !== undefined && { minChargingRate: s.minChargingRate }),
    }],
  };
}
