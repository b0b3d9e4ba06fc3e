import type { StationRepo } from '../../store/index.js';
import type { CertificateService } from '../certificates/certificate-service.js';
import type { CommandRecord, CommandService } from '../journal/command-service.js';
import type { DomainEvents } from '../events.js';
import type { SecurityLog } from '../security/security-log.js';

export class UpgradeRefused extends Error {}

export interface UpgradeRequest {
  to: 2 | 3;
  /** the wss:// OCPP URL the station connects to with the new profile (2.0.1 network profile) */
  csmsUrl: string;
  /** 2.0.1 network-connection slot to write (default 1) */
  slot?: number;
}

/**
 * Moves a station to a stronger security profile (1.6 Security Whitepaper, 2.0.1 A05): tell it,
 * let it reconnect, and only when it has connected with the new profile raise its configured
 * profile, after which anything weaker is refused as a downgrade. Prerequisites (the CSMS root
 * on the station; for profile 3 a station certificate) are the operator's.
 */
export class SecurityProfileUpgradeService {
  constructor(
    private readonly stations: StationRepo,
    private readonly commands: CommandService,
    private readonly certificates: Pick<CertificateService, 'setNetworkProfile'>,
    private readonly security: SecurityLog,
    events: DomainEvents,
  ) {
    events.subscribe((e) => {
      if (e.type === 'station.connected') void this.connected(e.stationId, e.securityProfile).catch(() => undefined);
    });
  }

  /** Sends the version's steps; returns the journal records. Refused when it would not be an upgrade. */
  async upgrade(stationId: string, r: UpgradeRequest): Promise<CommandRecord[]> {
    const station = await this.stations.get(stationId);
    if (!station) throw new UpgradeRefused(`unknown station ${stationId}`);
    if (r.to <= station.securityProfile) throw new UpgradeRefused(`station ${stationId} is already on security profile ${station.securityProfile}`);
    if (!/^wss:\/\//.test(r.csmsUrl)) throw new UpgradeRefused('profiles 2 and 3 need a wss:// CSMS URL');
    const done: CommandRecord[] = [];
    const step = async (rec: Promise<CommandRecord>, ok: readonly string[]) => {
      const record = await rec;
      done.push(record);
      return ok.includes(record.status);
    };
    await this.stations.setSecurityProfileTarget(stationId, r.to);
    let ok: boolean;
    if (station.protocol === 'ocpp1.6') {
      ok = await step(this.commands.send(stationId, { kind: 'changeConfiguration', key: 'SecurityProfile', value: String(r.to) }), ['Accepted', 'RebootRequired']);
    } else {
      const slot = r.slot ?? 1;
      ok = await step(this.certificates.setNetworkProfile(stationId, slot, {
        ocppVersion: 'OCPP20', ocppTransport: 'JSON', ocppCsmsUrl: r.csmsUrl, messageTimeout: 30, securityProfile: r.to, ocppInterface: 'Wired0',
      }), ['Accepted'])
        && await step(this.commands.send(stationId, { kind: 'setVariables', variables: [{ component: 'OCPPCommCtrlr', variable: 'NetworkConfigurationPriority', value: String(slot) }] })
          .then((rec) => ({ ...rec, status: (rec.response?.setVariableResult as Array<{ attributeStatus: string }> | undefined)?.[0]?.attributeStatus ?? rec.status })), ['Accepted', 'RebootRequired'])
        && await step(this.commands.send(stationId, { kind: 'reset', mode: 'soft' }), ['Accepted', 'Scheduled']);
    }
    if (!ok) {
      await this.stations.setSecurityProfileTarget(stationId, null);
      await this.security.record({ stationId, type: 'SecurityProfileUpgradeFailed', severity: 'warning', details: { to: r.to, step: done.at(-1)?.action, status: done.at(-1)?.status } });
    }
    return done;
  }

  private async connected(stationId: string, actual: number): Promise<void> {
    if (await this.stations.completeSecurityProfileUpgrade(stationId, actual)) {
      await this.security.record({ stationId, type: 'SecurityProfileUpgraded', severity: 'info', details: { profile: actual } });
    }
  }
}
