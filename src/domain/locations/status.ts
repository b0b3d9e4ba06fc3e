// Live OCPP connector status → OCPI EVSE status, as data. OCPP 1.6 and 2.0.1 names share one table:
// both versions write into the same `connectors` rows.
import type { EvseStatus } from './ocpi-enums.js';

export const ocppToOcpiStatus: Readonly<Record<string, EvseStatus>> = {
  Available: 'AVAILABLE',
  // 1.6: a session is being set up, running or paused: the EVSE is in use
  Preparing: 'CHARGING',
  Charging: 'CHARGING',
  SuspendedEV: 'CHARGING',
  SuspendedEVSE: 'CHARGING',
  // the session ended but the car still stands there
  Finishing: 'BLOCKED',
  // 2.0.1: a cable or car is there, with or without energy flowing
  Occupied: 'CHARGING',
  Reserved: 'RESERVED',
  Unavailable: 'INOPERATIVE',
  Faulted: 'OUTOFORDER',
};

/**
 * One EVSE shows one status though it has several connectors: the first of this list any of
 * them has wins. Use beats reservation beats availability: an EVSE charges one car at a time,
 * so one busy connector makes the whole EVSE busy, while one broken connector does not stop
 * another from charging.
 */
export const evseStatusPrecedence: readonly EvseStatus[] = ['CHARGING', 'BLOCKED', 'RESERVED', 'AVAILABLE', 'OUTOFORDER', 'INOPERATIVE', 'UNKNOWN'];

export const ocpiStatusOf = (ocppStatus: string | undefined): EvseStatus => (ocppStatus && ocppToOcpiStatus[ocppStatus]) || 'UNKNOWN';

/** The EVSE status from its connectors' live OCPP statuses; UNKNOWN when none was reported. */
export function evseStatus(ocppStatuses: readonly string[]): EvseStatus {
  const seen = new Set(ocppStatuses.map(ocpiStatusOf));
  return evseStatusPrecedence.find((s) => seen.has(s)) ?? 'UNKNOWN';
}

/** OCPP statuses that map to a given OCPI status (the SQL availability filter uses them). */
export const ocppStatusesFor = (wanted: (s: EvseStatus) => boolean): string[] =>
  Object.entries(ocppToOcpiStatus).filter(([, s]) => wanted(s)).map(([o]) => o);

const rank = (s: EvseStatus): number => evseStatusPrecedence.indexOf(s);
/** OCPP statuses that outrank AVAILABLE: a connector in one of them keeps its EVSE from being available. */
export const busyOcppStatuses = ocppStatusesFor((s) => rank(s) < rank('AVAILABLE'));
export const availableOcppStatuses = ocppStatusesFor((s) => s === 'AVAILABLE');
/**
 * OCPP 1.6 reports the whole charge point as connector 0 (stored as EVSE 0): when that one is
 * unavailable or faulted, no EVSE of the station can charge, whatever its own connectors say.
 */
export const stationDownOcppStatuses = ocppStatusesFor((s) => s === 'OUTOFORDER' || s === 'INOPERATIVE');

/** The EVSE status with the station-wide (EVSE 0) status applied. */
export function evseStatusAt(ocppStatuses: readonly string[], stationStatus: string | undefined): EvseStatus {
  return stationStatus && stationDownOcppStatuses.includes(stationStatus) ? ocpiStatusOf(stationStatus) : evseStatus(ocppStatuses);
}
