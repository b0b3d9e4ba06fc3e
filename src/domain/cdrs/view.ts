import type { CdrChargingPeriod, CdrRow, OcpiCdrLocation } from '../../store/schema.js';
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
  tariffs: Array<{ id: string; name: string; price_per_kwh: string; price_per_minute: string; start_fee: string; vat_rate: string; v2g_price_per_kwh: string | null }>;
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
    tariffs: t ? [{ id: String(t.id), name: t.name, price_per_kwh: t.pricePerKwh, price_per_minute: t.pricePerMinute, start_fee: t.startFee, vat_rate: t.vatRate, v2g_price_per_kwh: t.v2gPricePerKwh }] : [],
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
