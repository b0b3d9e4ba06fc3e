import type { ChargingProfile, ChargingSchedule, ProfilePurpose } from '../../domain/smart-charging/profile.js';
import type { ChargingProfilePurposeEnumType, ChargingProfileType, ChargingScheduleType } from '../types/generated/v201.js';

const toV201: Record<ProfilePurpose, ChargingProfilePurposeEnumType> = {
  ChargingStationMax: 'ChargingStationMaxProfile', TxDefault: 'TxDefaultProfile', Tx: 'TxProfile',
  ChargingStationExternalConstraints: 'ChargingStationExternalConstraints',
};
const fromV201 = Object.fromEntries(Object.entries(toV201).map(([k, v]) => [v, k])) as Record<ChargingProfilePurposeEnumType, ProfilePurpose>;

export const purposeOf = (p: ProfilePurpose): ChargingProfilePurposeEnumType => toV201[p];
export const neutralPurpose = (p: ChargingProfilePurposeEnumType): ProfilePurpose => fromV201[p];

/** 2.0.1 schedules carry an id; a neutral schedule without one takes the profile id plus its index. */
export function scheduleOf(s: ChargingSchedule, fallbackId: number): ChargingScheduleType {
  const [first, ...rest] = s.periods.map((p) => ({
    startPeriod: p.startPeriod, limit: p.limit,
    ...(p.numberPhases !== undefined && { numberPhases: p.numberPhases }),
    ...(p.phaseToUse !== undefined && { phaseToUse: p.phaseToUse }),
  }));
  return {
    id: s.id ?? fallbackId, chargingRateUnit: s.chargingRateUnit, chargingSchedulePeriod: [first!, ...rest],
    ...(s.duration !== undefined && { duration: s.duration }),
    ...(s.startSchedule !== undefined && { startSchedule: s.startSchedule }),
    ...(s.minChargingRate !== undefined && { minChargingRate: s.minChargingRate }),
  };
}

export function neutralSchedule(s: ChargingScheduleType): ChargingSchedule {
  return {
    id: s.id, chargingRateUnit: s.chargingRateUnit,
    periods: s.chargingSchedulePeriod.map((p) => ({
      startPeriod: p.startPeriod, limit: p.limit,
      ...(p.numberPhases !== undefined && { numberPhases: p.numberPhases }),
      ...(p.phaseToUse !== undefined && { phaseToUse: p.phaseToUse }),
    })),
    ...(s.duration !== undefined && { duration: s.duration }),
    ...(s.startSchedule !== undefined && { startSchedule: s.startSchedule }),
    ...(s.minChargingRate !== undefined && { minChargingRate: s.minChargingRate }),
  };
}

export function chargingProfileOf(p: ChargingProfile): ChargingProfileType {
  const schedules = p.schedules.map((s, i) => scheduleOf(s, p.id + i));
  return {
    id: p.id, stackLevel: p.stackLevel, chargingProfilePurpose: purposeOf(p.purpose), chargingProfileKind: p.kind,
    ...(p.recurrencyKind !== undefined && { recurrencyKind: p.recurrencyKind }),
    ...(p.validFrom !== undefined && { validFrom: p.validFrom }),
    ...(p.validTo !== undefined && { validTo: p.validTo }),
    ...(p.transactionRef !== undefined && { transactionId: p.transactionRef }),
    chargingSchedule: schedules as ChargingProfileType['chargingSchedule'],
  };
}

export function neutralProfile(p: ChargingProfileType): ChargingProfile {
  return {
    id: p.id, stackLevel: p.stackLevel, purpose: neutralPurpose(p.chargingProfilePurpose), kind: p.chargingProfileKind,
    ...(p.recurrencyKind !== undefined && { recurrencyKind: p.recurrencyKind }),
    ...(p.validFrom !== undefined && { validFrom: p.validFrom }),
    ...(p.validTo !== undefined && { validTo: p.validTo }),
    ...(p.transactionId !== undefined && { transactionRef: p.transactionId }),
    schedules: p.chargingSchedule.map(neutralSchedule),
  };
}
