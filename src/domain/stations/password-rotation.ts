import type { CommandBus } from '../../bus/command-bus.js';
import type { PasswordRotation, PasswordRotationRepo, StationRepo } from '../../store/index.js';
import type { StationCommand } from '../commands.js';
import type { Sealer } from '../crypto/sealed.js';
import type { DomainEvents } from '../events.js';
import type { CommandService } from '../journal/command-service.js';
import type { SecurityLog } from '../security/security-log.js';
import { generateStationPassword, hashStationPassword } from './credentials.js';

export class RotationRefused extends Error {}

/** How each version sets the Basic-auth password on a station, and what counts as accepted. */
const setPassword: Record<string, { command(password: string): StationCommand; accepted(response: Record<string, unknown> | null): boolean }> = {
  'ocpp1.6': {
    command: (password) => ({ kind: 'changeConfiguration', key: 'AuthorizationKey', value: password }),
    accepted: (r) => r?.status === 'Accepted',
  },
  'ocpp2.0.1': {
    command: (password) => ({ kind: 'setVariables', variables: [{ component: 'SecurityCtrlr', variable: 'BasicAuthPassword', value: password }] }),
    accepted: (r) => (r?.setVariableResult as Array<{ attributeStatus: string }> | undefined)?.[0]?.attributeStatus === 'Accepted',
  },
};

/**
 * Rotates station Basic-auth passwords (CR2): a new CSPRNG password, sealed at rest until the
 * station has accepted it, sent only over a TLS connection (profile 2 or 3), both passwords
 * valid until the station reconnects with the new one. Every step is kept in the audit trail.
 */
export class PasswordRotationService {
  private readonly sweepTimer: NodeJS.Timeout;

  constructor(
    private readonly repo: PasswordRotationRepo,
    private readonly stations: StationRepo,
    private readonly commands: CommandService,
    private readonly bus: Pick<CommandBus, 'connectionProfile'>,
    private readonly sealer: Sealer,
    private readonly security: SecurityLog,
    private readonly serverSecret: Buffer,
    events: DomainEvents,
  ) {
    // a station that (re)boots may be waiting for its new password
    events.subscribe((e) => {
      if (e.type === 'station.booted' && e.registrationStatus === 'Accepted') void this.deliver(e.stationId).catch(() => undefined);
    });
    // rotations requested elsewhere (the CLI, another node) reach stations that stay connected
    this.sweepTimer = setInterval(() => void this.sweep().catch(() => undefined), 60_000);
    this.sweepTimer.unref();
  }

  /** Delivers every waiting rotation whose station is connected here over TLS. */
  async sweep(): Promise<void> {
    for (const id of await this.repo.stationsWaiting()) {
      if ((this.bus.connectionProfile(id) ?? 0) >= 2) await this.deliver(id);
    }
  }

  close(): void {
    clearInterval(this.sweepTimer);
  }

  /** Requests a rotation; it is delivered now if the station is connected over TLS, else at its next TLS boot. */
  async request(stationId: string, requestedBy: string): Promise<PasswordRotation> {
    const station = await this.stations.get(stationId);
    if (!station) throw new RotationRefused(`unknown station ${stationId}`);
    if (station.securityProfile < 2) throw new RotationRefused(`station ${stationId} uses security profile 1: a password is never sent over plain ws`);
    const password = generateStationPassword();
    const rotation = await this.repo.request(stationId, requestedBy, hashStationPassword(this.serverSecret, password), this.sealer.seal(password));
    return (await this.deliver(stationId)) ?? rotation;
  }

  /** Sends a waiting rotation if the station's current connection is TLS; returns its new state. */
  async deliver(stationId: string): Promise<PasswordRotation | undefined> {
    const waiting = await this.repo.waiting(stationId);
    if (!waiting?.sealedPassword) return undefined;
    if ((this.bus.connectionProfile(stationId) ?? 0) < 2) return undefined;
    const station = await this.stations.get(stationId);
    const how = setPassword[station?.protocol ?? ''];
    if (!how) return undefined;
    const rec = await this.commands.send(stationId, how.command(this.sealer.open(waiting.sealedPassword).toString('utf8')));
    // gone before it answered: try again at its next TLS boot (if it did apply it, its next login completes the rotation)
    if (rec.status === 'Failed' && /^(Offline|Timeout)\b/.test(rec.failure ?? '')) return waiting;
    if (how.accepted(rec.response)) {
      await this.repo.sent(waiting.id, rec.id);
    } else {
      const reason = rec.failure ?? `station answered ${rec.status}`;
      await this.repo.failed(waiting.id, rec.status === 'Failed' ? 'Failed' : 'Rejected', reason, rec.id);
      await this.security.record({ stationId, type: 'PasswordRotationFailed', severity: 'warning', details: { rotationId: waiting.id, reason } });
    }
    return (await this.repo.list(stationId, 1))[0];
  }

  history(stationId: string): Promise<PasswordRotation[]> {
    return this.repo.list(stationId);
  }
}
