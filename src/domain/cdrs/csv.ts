import type { CdrRow } from '../../store/schema.js';
import { ocpiTokenType } from './location.js';
import { formatMinor } from './pricing.js';
import { msToHours, whToKwh } from './periods.js';

/**
 * CSV export columns. Only the token pseudonym identifies a driver; the credit reason is free
 * text from an operator, so it is left out as it could carry personal data.
 */
const columns: ReadonlyArray<[string, (r: CdrRow) => string | number | null]> = [
  ['id', (r) => r.id],
  ['credit_reference_id', (r) => r.creditOf],
  ['session_id', (r) => r.sessionId],
  ['station_id', (r) => r.stationId],
  ['evse_id', (r) => r.evseId],
  ['connector_id', (r) => r.connectorId],
  ['start_date_time', (r) => r.startDateTime.toISOString()],
  ['end_date_time', (r) => r.endDateTime.toISOString()],
  ['token_uid', (r) => r.tokenUid],
  ['auth_method', (r) => r.authMethod],
  ['currency', (r) => r.currency],
  ['tariff_id', (r) => r.tariff?.id ?? null],
  ['total_energy_import_kwh', (r) => whToKwh(r.energyImportWh)],
  ['total_energy_export_kwh', (r) => whToKwh(r.energyExportWh)],
  ['total_time_h', (r) => msToHours(r.totalTimeMs)],
  ['total_parking_time_h', (r) => msToHours(r.parkingTimeMs)],
  ['export_credit_excl_vat', (r) => (r.exportCreditExclVatMinor === null ? null : money(r.exportCreditExclVatMinor, r))],
  ['export_credit_incl_vat', (r) => (r.exportCreditInclVatMinor === null ? null : money(r.exportCreditInclVatMinor, r))],
  ['total_cost_excl_vat', (r) => money(r.costExclVatMinor, r)],
  ['total_cost_incl_vat', (r) => money(r.costInclVatMinor, r)],
  // OCPI CdrToken type and CdrLocation at issue (empty: the station stood at no location)
  ['token_type', (r) => ocpiTokenType(r.tokenType)],
  ['location_id', (r) => r.cdrLocation?.id ?? null],
  ['location_country', (r) => r.cdrLocation?.country ?? null],
  ['evse_uid', (r) => r.cdrLocation?.evse_uid ?? null],
  ['evse_emi3_id', (r) => r.cdrLocation?.evse_id ?? null],
  ['connector_standard', (r) => r.cdrLocation?.connector_standard ?? null],
  ['connector_power_type', (r) => r.cdrLocation?.connector_power_type ?? null],
];

const money = (minor: number, r: CdrRow): string => (r.currency ? formatMinor(minor, r.currency) : String(minor));

/**
 * RFC 4180 field: quoted when it holds a comma, quote or line break (quotes doubled); a
 * leading = + - @ is prefixed with ' so a spreadsheet does not run it as a formula. Numbers
 * (negative credit amounts) are written as they are.
 */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) && !/^-\d/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function cdrsCsv(rows: readonly CdrRow[]): string {
  const lines = [columns.map(([name]) => name).join(',')];
  for (const r of rows) lines.push(columns.map(([, get]) => csvField(get(r))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
