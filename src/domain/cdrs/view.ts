import type { CdrChargingPeriod, CdrRow, CdrTariffSnapshot, OcpiCdrLocation } from '../../store/schema.js';
import type { TariffDefinition } from '../tariffs/model.js';
import { definitionOf } from '../tariffs/snapshot.js';
import { ocpiTokenType, type OcpiTokenType } from './location.js';
import { formatMinor } from './pricing.js';
import { msToHours, whToKwh } from './periods.js';

/** A CDR in the OCPI 2.2.1 shape (snake_case), with the V2X import/export split added. */
export interface OcpiCdr {
  id: string;
  start_date_time: string;
  end_date_time: string;
  session_id: string;
  cdr_token: { uid: string | null; type: OcpiTokenType };
  auth_method: string;
  /**
   * OCPI CdrLocation as the location model described the station at issue (absent fields: it
   * stood at no location), plus the OCPP identities of the charging point, which OCPI lacks.
   */
  cdr_location: Partial<OcpiCdrLocation> & { station_id: string; ocpp_evse_id: number | null; ocpp_connector_id: number | null };
  currency: string | null;
  /** the tariff version the session started under, OCPI Tariff-shaped (a pre-versions snapshot as its one element) */
  tariffs: Array<{ id: string; name: string; version: number | null } & TariffDefinition>;
  charging_periods: Array<{ start_date_time: string; dimensions: CdrChargingPeriod['dimensions'] }>;
  total_cost: { excl_vat: number; incl_vat: number };
  total_energy: number;
  total_energy_import: number;
  total_energy_export: number;
  export_credit: { excl_vat: number; incl_vat: number } | null;
  total_time: number;
  total_parking_time: number;
  credit: boolean;
  credit_reference_id: string | null;
  credit_reason: string | null;
  last_updated: string;
}

/** Money as OCPI numbers; the digits come from the exact minor units, so no float arithmetic happens. */
const money = (minor: number, currency: string | null): number => Number(currency ? formatMinor(minor, currency) : minor);

function tariffOf(t: CdrTariffSnapshot): OcpiCdr['tariffs'] {
  try {
    return [{ id: String(t.id), name: t.name, version: t.version ?? null, ...definitionOf(t) }];
  } catch {
    return []; // a hand-edited snapshot without prices: the CDR was issued without cost, and shows no tariff
  }
}

export function ocpiCdr(r: CdrRow): OcpiCdr {
  const t = r.tariff;
  const credit = r.exportCreditExclVatMinor !== null && r.exportCreditInclVatMinor !== null
    ? { excl_vat: money(r.exportCreditExclVatMinor, r.currency), incl_vat: money(r.exportCreditInclVatMinor, r.currency) }
    : null;
  return {
    id: String(r.id),
    start_date_time: r.startDateTime.toISOString(),
    end_date_time: r.endDateTime.toISOString(),
    session_id: r.sessionId,
    cdr_token: { uid: r.tokenUid, type: ocpiTokenType(r.tokenType) },
    auth_method: r.authMethod,
    cdr_location: { ...r.cdrLocation, station_id: r.stationId, ocpp_evse_id: r.evseId, ocpp_connector_id: r.connectorId },
    currency: r.currency,
    tariffs: t ? tariffOf(t) : [],
    charging_periods: r.chargingPeriods.map((p) => ({ start_date_time: p.startDateTime, dimensions: p.dimensions })),
    total_cost: { excl_vat: money(r.costExclVatMinor, r.currency), incl_vat: money(r.costInclVatMinor, r.currency) },
    total_energy: whToKwh(r.energyImportWh),
    total_energy_import: whToKwh(r.energyImportWh),
    total_energy_export: whToKwh(r.energyExportWh),
    export_credit: credit,
    total_time: msToHours(r.totalTimeMs),
    total_parking_time: msToHours(r.parkingTimeMs),
    credit: r.creditOf !== null,
    credit_reference_id: r.creditOf === null ? null : String(r.creditOf),
    credit_reason: r.creditReason,
    last_updated: r.issuedAt.toISOString(),
  };
}
