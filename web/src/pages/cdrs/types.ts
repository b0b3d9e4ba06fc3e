/** The parts of an OCPI 2.2.1 CDR (GET /cdrs) the portal shows. */
export interface Cdr {
  id: string;
  start_date_time: string;
  end_date_time: string;
  session_id: string;
  cdr_token: { uid: string | null; type: string };
  auth_method: string;
  cdr_location: { station_id: string; ocpp_evse_id: number | null; ocpp_connector_id: number | null; name?: string; address?: string; city?: string; evse_id?: string };
  currency: string | null;
  charging_periods: Array<{ start_date_time: string; dimensions: Array<{ type: string; volume: number }> }>;
  total_cost: { excl_vat: number; incl_vat: number };
  total_energy: number;
  total_energy_export: number;
  total_time: number;
  total_parking_time: number;
  credit: boolean;
  credit_reference_id: string | null;
  credit_reason: string | null;
}

export const fmtMoney = (amount: number, currency: string | null): string => `${amount.toFixed(2)} ${currency ?? ''}`.trim();
