// The OCPI 2.2.1 Location object (module Locations, CPO interface) of a stored location, for the
// roaming module to publish. Pure: the party identity comes from whoever publishes.
import type { LocationRow } from '../../store/schema.js';
import type { EvseDetail } from './views.js';

export interface OcpiParty {
  /** ISO 3166-1 alpha-2 country of the CPO */
  countryCode: string;
  /** the CPO's party id (3 characters) */
  partyId: string;
}

const latest = (dates: readonly (Date | null)[]): Date => new Date(Math.max(...dates.filter((d): d is Date => d !== null).map((d) => d.getTime())));
// OCPI coordinates are strings with 5 to 7 decimals
const coordinate = (v: number): string => v.toFixed(6);
const omitNull = <T extends Record<string, unknown>>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
const hours = (periods: { periodBegin: string; periodEnd: string }[] | undefined) =>
  (periods ?? []).map((p) => ({ period_begin: p.periodBegin, period_end: p.periodEnd }));

function ocpiEvse(e: EvseDetail) {
  const lastUpdated = latest([e.updatedAt, e.statusAt, ...e.connectors.map((c) => c.updatedAt)]);
  return omitNull({
    uid: e.uid,
    evse_id: e.emi3Id,
    status: e.status,
    capabilities: e.capabilities,
    connectors: e.connectors.map((c) => omitNull({
      id: String(c.connectorId),
      standard: c.standard,
      format: c.format,
      power_type: c.powerType,
      max_voltage: c.maxVoltage,
      max_amperage: c.maxAmperage,
      max_electric_power: c.maxElectricPower,
      last_updated: c.updatedAt.toISOString(),
    })),
    floor_level: e.floorLevel,
    physical_reference: e.physicalReference,
    last_updated: lastUpdated.toISOString(),
  });
}

/** The OCPI Location; EVSEs without connectors are left out, since OCPI requires at least one. */
export function toOcpiLocation(party: OcpiParty, l: LocationRow, evses: readonly EvseDetail[]) {
  const published = evses.filter((e) => e.connectors.length > 0).map(ocpiEvse);
  const o = l.openingTimes;
  return omitNull({
    country_code: party.countryCode,
    party_id: party.partyId,
    id: l.id,
    publish: l.publish,
    name: l.name,
    address: l.address,
    city: l.city,
    postal_code: l.postalCode,
    state: l.state,
    country: l.country,
    coordinates: { latitude: coordinate(l.latitude), longitude: coordinate(l.longitude) },
    parking_type: l.parkingType,
    evses: published,
    operator: l.operatorName === null ? null : { name: l.operatorName },
    owner: l.ownerName === null ? null : { name: l.ownerName },
    facilities: l.facilities,
    time_zone: l.timeZone,
    opening_times: o && {
      twentyfourseven: o.twentyfourseven,
      ...(o.regularHours?.length && { regular_hours: o.regularHours.map((h) => ({ weekday: h.weekday, period_begin: h.periodBegin, period_end: h.periodEnd })) }),
      ...(o.exceptionalOpenings?.length && { exceptional_openings: hours(o.exceptionalOpenings) }),
      ...(o.exceptionalClosings?.length && { exceptional_closings: hours(o.exceptionalClosings) }),
    },
    last_updated: latest([l.updatedAt, ...published.map((e) => new Date(e.last_updated!))]).toISOString(),
  });
}
