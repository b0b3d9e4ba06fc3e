/** A charging session as GET /transactions answers it. */
export interface Session {
  id: number;
  stationId: string;
  transactionRef: string;
  protocol: string;
  evseId: number | null;
  connectorId: number | null;
  state: string;
  chargingState: string | null;
  startedAt: string;
  endedAt: string | null;
  meterStartWh: number | null;
  meterStopWh: number | null;
  energyWh: number | null;
  stopReason: string | null;
  remoteStartId: number | null;
}

export interface CurvePoint { at: string; energyWh: number | null; powerW: number | null; socPct: number | null }

export interface SessionDetail extends Session { energySoFarWh: number; meterValues: CurvePoint[] }
