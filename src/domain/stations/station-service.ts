import type { ConnectorRepo, PasswordRotationRepo, StationRepo, StatusWriter } from '../../store/index.js';
import type { StationQuery } from '../../store/repos/stations.js';
import type { Connector, RegistrationStatus, Station } from '../../store/schema.js';
import type { DomainEvents } from '../events.js';
import type { BootInfo, StatusChange } from '../model.js';
import { generateStationPassword, hashStationPassword, verifyStationPassword } from './credentials.js';

export type Admission =
  | { admitted: true; station: Station; autoRegistered: boolean }
  | { admitted: false; status: 401 | 404; reason: 'UnknownStation' | 'MissingCredentials' | 'InvalidCredentials' | 'IdentityMismatch' }
  | { admitted: false; status: 403; reason: 'Decommissioned' };

const LAST_SEEN_CHUNK = 1000;

export interface StationServiceOptions {
  serverSecret: Buffer;
  autoRegister: boolean;
  heartbeatIntervalS: number;
  /** how often a chunk of last-seen times is written (ms); they are coalesced in between */
  lastSeenFlushMs?: number;
}

/** Station registry, admission (security profile 1) and boot/status/liveness handling. */
export class StationService {
  private readonly seen = new Set<string>();
  private flushing = false;
  private readonly flushTimer: NodeJS.Timeout;
  private readonly writeStatus: StatusWriter;
  /** sockets per station on this node (a replacing socket connects before the old one closes) */
  private readonly sockets = new Map<string, number>();

  constructor(
    private readonly stations: StationRepo,
    private readonly connectorRepo: ConnectorRepo,
    private readonly events: DomainEvents,
    private readonly o: StationServiceOptions,
    /** completes a password rotation when a station first logs in with its new password */
    private readonly rotations?: Pick<PasswordRotationRepo, 'complete'>,
  ) {
    this.writeStatus = connectorRepo.statusWriter();
    events.subscribe((e) => {
      if (e.type === 'station.connected') this.sockets.set(e.stationId, (this.sockets.get(e.stationId) ?? 0) + 1);
      else if (e.type === 'station.disconnected') {
        const n = (this.sockets.get(e.stationId) ?? 1) - 1;
        if (n > 0) this.sockets.set(e.stationId, n);
        else this.sockets.delete(e.stationId);
      }
    });
    this.flushTimer = setInterval(() => void this.flushLastSeen().catch(() => undefined), o.lastSeenFlushMs ?? 1000);
    this.flushTimer.unref();
  }

  /** Registers a station with a fresh random password; the password is returned once and never stored. */
  async register(id: string, opts: { securityProfile?: number; registrationStatus?: RegistrationStatus } = {}): Promise<{ station: Station; password: string }> {
    const password = generateStationPassword();
    await this.stations.create({ id, passwordHash: hashStationPassword(this.o.serverSecret, password), ...opts });
    return { station: (await this.stations.get(id))!, password };
  }

  get(id: string): Promise<Station | undefined> {
    return this.stations.get(id);
  }

  search(q: StationQuery): Promise<{ items: Station[]; total: number }> {
    return this.stations.search(q);
  }

  /** @throws InUseError while transactions refer to the station */
  remove(id: string): Promise<boolean> {
    return this.stations.remove(id);
  }

  connectors(id: string): Promise<Connector[]> {
    return this.connectorRepo.listByStation(id);
  }

  /** cluster mode: whether another node holds the station's socket */
  private elsewhere: (id: string) => boolean = () => false;

  /** Whether the station holds a socket on this node (or, in cluster mode, on another). */
  isConnected(id: string): boolean {
    return this.sockets.has(id) || this.elsewhere(id);
  }

  connectedElsewhere(check: (id: string) => boolean): void {
    this.elsewhere = check;
  }

  /** Replaces a station's password; the new one is returned once. */
  async resetPassword(id: string): Promise<string | undefined> {
    const password = generateStationPassword();
    const ok = await this.stations.setPasswordHash(id, hashStationPassword(this.o.serverSecret, password));
    return ok ? password : undefined;
  }

  /**
   * Decides at the WebSocket upgrade whether a station may connect: HTTP Basic (security
   * profiles 1/2), or `certified` when the transport verified a client certificate naming it (3).
   */
  async admit(id: string, basic: { user: string; password: string } | undefined, opts: { certified?: boolean } = {}): Promise<Admission> {
    const station = await this.stations.get(id);
    if (!station) {
      if (!this.o.autoRegister) return { admitted: false, status: 404, reason: 'UnknownStation' };
      // Auto-registered stations get no password: they stay Pending until an operator accepts them.
      await this.stations.create({ id, passwordHash: null, registrationStatus: 'Pending' }).catch(() => undefined);
      const created = await this.stations.get(id);
      return created ? { admitted: true, station: created, autoRegistered: true } : { admitted: false, status: 404, reason: 'UnknownStation' };
    }
    // before any credential check: a decommissioned station has none (its hash is wiped), and a
    // certificate it kept must not bring it back either
    if (station.decommissionedAt !== null) return { admitted: false, status: 403, reason: 'Decommissioned' };
    if (station.passwordHash === null || opts.certified) return { admitted: true, station, autoRegistered: false };
    if (!basic) return { admitted: false, status: 401, reason: 'MissingCredentials' };
    const valid = verifyStationPassword(this.o.serverSecret, basic.password, station.passwordHash);
    if (basic.user !== id) return { admitted: false, status: 401, reason: 'IdentityMismatch' };
    if (valid) return { admitted: true, station, autoRegistered: false };
    // a rotated-in password, used for the first time: from now on it is the only one
    const rotated = station.pendingPasswordHash !== null && verifyStationPassword(this.o.serverSecret, basic.password, station.pendingPasswordHash);
    if (rotated && (await this.rotations?.complete(id))) return { admitted: true, station: (await this.stations.get(id))!, autoRegistered: false };
    return { admitted: false, status: 401, reason: 'InvalidCredentials' };
  }

  async boot(stationId: string, boot: BootInfo, at = new Date()): Promise<{ status: RegistrationStatus; intervalS: number; currentTime: Date }> {
    // what the station said at its previous boot, before this one overwrites it: the IDS compares across restarts
    const before = await this.stations.get(stationId);
    // a station removed while connected is Rejected
    const status: RegistrationStatus = (await this.stations.recordBoot(stationId, { ...boot, at })) ?? 'Rejected';
    const previous = before?.vendor != null && before.model != null ? { vendor: before.vendor, model: before.model, serialNumber: before.serialNumber ?? '' } : undefined;
    this.events.emit({ type: 'station.booted', stationId, boot, registrationStatus: status, ...(previous && { previous }) });
    return { status, intervalS: this.o.heartbeatIntervalS, currentTime: at };
  }

  async registrationStatus(stationId: string): Promise<RegistrationStatus | undefined> {
    return (await this.stations.get(stationId))?.registrationStatus;
  }

  /** Notes that a station was heard from; written in coalesced batches. */
  touch(stationId: string): void {
    this.seen.add(stationId);
  }

  async statusChanged(change: StatusChange): Promise<void> {
    await this.writeStatus({ ...change, statusAt: change.at });
    this.events.emit({ type: 'connector.status', ...change });
  }

  /**
   * Writes up to `LAST_SEEN_CHUNK` last-seen times per tick: a single statement touching every
   * station of a large fleet would block the embedded database (and so the event loop) for
   * hundreds of milliseconds. Stations not written this tick stay queued for the next.
   */
  async flushLastSeen(all = false): Promise<void> {
    if (this.flushing && !all) return;
    this.flushing = true;
    try {
      await this.writeLastSeen(all);
    } finally {
      this.flushing = false;
    }
  }

  private async writeLastSeen(all: boolean): Promise<void> {
    do {
      if (this.seen.size === 0) return;
      const ids: string[] = [];
      for (const id of this.seen) {
        ids.push(id);
        this.seen.delete(id);
        if (ids.length === LAST_SEEN_CHUNK) break;
      }
      await this.stations.touch(ids, new Date());
    } while (all);
  }

  async close(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.flushLastSeen(true);
    await this.writeStatus.close();
  }
}
