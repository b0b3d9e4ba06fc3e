/** Version-neutral vocabulary shared by the OCPP 1.6 and 2.0.1 adapters and the domain. */

/** One sampled value, with its number parsed and its unit normalised by the adapter. */
export interface Sample {
  value: number;
  /** OCPP measurand; absent means Energy.Active.Import.Register in both versions */
  measurand?: string;
  unit?: string;
  /** power of ten the unit is scaled by (2.0.1 unitOfMeasure.multiplier) */
  multiplier?: number;
  phase?: string;
  location?: string;
  context?: string;
}

export interface MeterReading {
  timestamp: Date;
  samples: Sample[];
  /** the station's sampledValue array, stored verbatim (signed values included) */
  raw: unknown[];
  context?: string;
}

export interface BootInfo {
  protocol: string;
  vendor: string;
  model: string;
  serialNumber?: string;
  firmwareVersion?: string;
  iccid?: string;
  imsi?: string;
  meterType?: string;
  meterSerialNumber?: string;
  reason?: string;
}

export type AuthorizationStatus = 'Accepted' | 'Blocked' | 'Expired' | 'Invalid' | 'Unknown';

export interface Authorization {
  status: AuthorizationStatus;
  expiresAt?: Date;
  groupIdToken?: string;
}

/** Where on a station: EVSE 0 is the whole station. OCPP 1.6 connector N is EVSE N, connector 1. */
export interface Location {
  evseId: number;
  connectorId: number;
}

export interface StatusChange extends Location {
  stationId: string;
  status: string;
  errorCode?: string;
  info?: string;
  at: Date;
}
