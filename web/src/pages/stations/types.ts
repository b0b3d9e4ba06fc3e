/** A station as GET /stations answers it. */
export interface Station {
  id: string;
  groupId: string | null;
  registrationStatus: string;
  securityProfile: number;
  securityProfileTarget: number | null;
  protocol: string | null;
  vendor: string | null;
  model: string | null;
  serialNumber: string | null;
  firmwareVersion: string | null;
  connected: boolean;
  lastBootAt: string | null;
  lastSeenAt: string | null;
  createdAt: string;
  onboarding: string;
  decommissionedAt: string | null;
  locationId: string | null;
}

export interface Connector { evseId: number; connectorId: number; status: string; errorCode: string | null; statusAt: string }

export interface StationDetail extends Station { connectors: Connector[] }
