// Station operations for a CPO (issue 6): the lifecycle beyond registration (decommissioning,
// recommissioning), the onboarding state, live availability and the diagnostics a support
// engineer opens first. Reads come from the store; the live connection from domain events.
import type { SecurityEventRepo } from '../../store/repos/security-events.js';
import type { StationOpsRepo, StatusHistoryQuery, StatusHistoryRow } from '../../store/repos/station-ops.js';
import type { Connector, SecurityEvent, Station } from '../../store/schema.js';
import type { DomainEvents } from '../events.js';
import type { EvseStatus } from '../locations/ocpi-enums.js';
import { evseStatusAt } from '../locations/status.js';
import { generateStationPassword, hashStationPassword } from './credentials.js';
import type { StationService } from './station-service.js';

/**
 * Where a station is in its life: registered (pre-registered, never connected), connected (no
 * boot yet), booted (its boot was answered Pending or Rejected), accepted, decommissioned.
 */
export type OnboardingState = 'registered' | 'connected' | 'booted' | 'accepted' | 'decommissioned';

export function onboardingState(s: Pick<Station, 'decommissionedAt' | 'lastBootAt' | 'lastSeenAt' | 'registrationStatus'>, connected: boolean): OnboardingState {
  if (s.decommissionedAt !== null) return 'decommissioned';
  if (s.lastBootAt !== null) return s.registrationStatus === 'Accepted' ? 'accepted' : 'booted';
  return connected || s.lastSeenAt !== null ? 'connected' : 'registered';
}

/** A socket a station holds on this node, as its `station.connected` event described it. */
export interface LiveConnection {
  since: Date;
  protocol: string;
  securityProfile: number;
  remoteAddress: string;
  /** the verified TLS client certificate it presented (security profile 3); null without one */
  clientCertificate: { subject: string; serialNumber: string; notAfter: Date } | null;
}

export interface ConnectorAvailability {
  evseId: number;
  connectorId: number;
  /** the last OCPP status it reported */
  ocppStatus: string;
  errorCode: string | null;
  statusAt: Date;
  /**
   * OCPI status as a driver would see it now: REMOVED when decommissioned, UNKNOWN while the
   * station is offline (OCPI's word for no current information), otherwise the reported status
   * with a station-wide (EVSE 0) outage applied.
   */
  status: EvseStatus;
  available: boolean;
}

export interface Diagnostics {
  station: Station;
  onboarding: OnboardingState;
  connection: LiveConnection | null;
  /** the newest unrevoked station certificate the CPO CA issued to it (whether or not it uses it now) */
  issuedCertificate: { serialNumber: string; subject: string; notBefore: Date; notAfter: Date } | null;
  connectors: ConnectorAvailability[];
  recentFaults: StatusHistoryRow[];
  securityEvents: SecurityEvent[];
  openCommands: Array<{ id: number; kind: string; status: string; progress: string | null; createdAt: Date }>;
  logUploads: Array<{ id: number; fileKind: string; originalName: string | null; size: number; sha256: string; receivedAt: Date }>;
}

/** How many of each list the diagnostics view shows: enough for a first look, small enough to stay one cheap call. */
const RECENT = 10;

export interface StationOpsDeps {
  repo: StationOpsRepo;
  stations: StationService;
  securityEvents: Pick<SecurityEventRepo, 'list'>;
  events: DomainEvents;
  /** revokes a certificate the CPO CA issued (PkiService.revoke) */
  revokeCertificate: (serialNumber: string, reason: string) => Promise<unknown>;
  serverSecret: Buffer;
}

export class StationOpsService {
  private readonly live = new Map<string, LiveConnection & { sockets: number }>();

  constructor(private readonly d: StationOpsDeps) {
    // a replacing socket connects before the old one closes: count sockets, keep the newest's details
    d.events.subscribe((e) => {
      if (e.type === 'station.connected') {
        const sockets = (this.live.get(e.stationId)?.sockets ?? 0) + 1;
        const cert = e.clientCertificate;
        this.live.set(e.stationId, {
          since: new Date(), protocol: e.protocol, securityProfile: e.securityProfile, remoteAddress: e.remoteAddress, sockets,
          clientCertificate: cert ? { subject: cert.subject, serialNumber: cert.serialNumber, notAfter: new Date(cert.notAfter) } : null,
        });
      } else if (e.type === 'station.disconnected') {
        const c = this.live.get(e.stationId);
        if (c && c.sockets > 1) c.sockets -= 1;
        else this.live.delete(e.stationId);
      }
    });
  }

  connection(stationId: string): LiveConnection | null {
    const c = this.live.get(stationId);
    return c ? { since: c.since, protocol: c.protocol, securityProfile: c.securityProfile, remoteAddress: c.remoteAddress, clientCertificate: c.clientCertificate } : null;
  }

  onboarding(s: Station): OnboardingState {
    return onboardingState(s, this.d.stations.isConnected(s.id));
  }

  /**
   * Takes the station out of service: its credentials are wiped and its socket closed (the
   * upgrade refuses it from now on); certificates the CPO CA issued to it are revoked. Its rows
   * (status history, transactions, CDRs) stay. Undefined when it is unknown or already decommissioned.
   */
  async decommission(stationId: string): Promise<{ station: Station; revokedCertificates: string[]; unrevokedCertificates: string[] } | undefined> {
    const station = await this.d.repo.decommission(stationId, new Date());
    if (!station) return undefined;
    this.d.events.emit({ type: 'station.decommissioned', stationId });
    // the station is out of service whatever happens here; a certificate that could not be
    // revoked is reported back, so the operator can revoke it by hand (ov2x pki revoke)
    const revoked: string[] = [];
    const failed: string[] = [];
    for (const serial of await this.d.repo.unrevokedCertificates(stationId)) {
      await this.d.revokeCertificate(serial, 'cessationOfOperation').then(() => revoked.push(serial), () => failed.push(serial));
    }
    return { station, revokedCertificates: revoked, unrevokedCertificates: failed };
  }

  /** Back in service with a new password (returned once); undefined when the station is not decommissioned. */
  async recommission(stationId: string, securityProfile?: number): Promise<{ station: Station; password: string } | undefined> {
    const password = generateStationPassword();
    const station = await this.d.repo.recommission(stationId, hashStationPassword(this.d.serverSecret, password), securityProfile);
    return station && { station, password };
  }

  /** Whether the station must be decommissioned rather than deleted (CDRs are billing records). */
  hasCdrs(stationId: string): Promise<boolean> {
    return this.d.repo.hasCdrs(stationId);
  }

  statusHistory(q: StatusHistoryQuery): Promise<{ items: StatusHistoryRow[]; total: number }> {
    return this.d.repo.statusHistory(q);
  }

  async availability(s: Station): Promise<ConnectorAvailability[]> {
    return this.availabilityOf(s, await this.d.stations.connectors(s.id));
  }

  async diagnostics(s: Station): Promise<Diagnostics> {
    const [connectors, recentFaults, securityEvents, openCommands, logUploads, certificate] = await Promise.all([
      this.d.stations.connectors(s.id),
      this.d.repo.faults(s.id, RECENT),
      this.d.securityEvents.list({ stationId: s.id, limit: RECENT }),
      this.d.repo.openCommands(s.id, RECENT),
      this.d.repo.logUploads(s.id, RECENT),
      this.d.repo.clientCertificate(s.id),
    ]);
    return {
      station: s, onboarding: this.onboarding(s), connection: this.connection(s.id), issuedCertificate: certificate ?? null,
      connectors: this.availabilityOf(s, connectors), recentFaults, securityEvents, openCommands, logUploads,
    };
  }

  private availabilityOf(s: Station, connectors: readonly Connector[]): ConnectorAvailability[] {
    const connected = this.d.stations.isConnected(s.id);
    const stationWide = connectors.find((c) => c.evseId === 0 && c.connectorId === 0)?.status;
    return connectors.map((c) => {
      const status: EvseStatus = s.decommissionedAt !== null ? 'REMOVED' : !connected ? 'UNKNOWN' : evseStatusAt([c.status], stationWide);
      return { evseId: c.evseId, connectorId: c.connectorId, ocppStatus: c.status, errorCode: c.errorCode, statusAt: c.statusAt, status, available: status === 'AVAILABLE' };
    });
  }
}
