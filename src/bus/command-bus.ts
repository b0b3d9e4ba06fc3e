import type { CommandResult, StationCommand } from '../domain/commands.js';
import { CallFailed } from '../ocpp/rpc/call-failed.js';

/** A connected station as the bus sees it: whatever holds its socket can execute commands. */
export interface StationLink {
  readonly stationId: string;
  readonly protocol: string;
  /** the OCPP security profile the station connected with (1 = Basic auth over plain ws) */
  readonly securityProfile?: number;
  execute(command: StationCommand, timeoutMs?: number): Promise<CommandResult>;
  /** closes the socket (cluster takeover: the station reconnected to another node) */
  close?(code: number, reason: string): void;
}

/**
 * Delivers a command to whichever process holds the station's socket. The in-process bus
 * below serves a single node; the cluster bus (issue 8/8) routes over Redis behind the same
 * interface, so no handler or API changes.
 */
export interface CommandBus {
  send(stationId: string, command: StationCommand, timeoutMs?: number): Promise<CommandResult>;
  isConnected(stationId: string): boolean;
  /** the security profile of the station's current connection; undefined when it is offline */
  connectionProfile(stationId: string): number | undefined;
}

export class InProcessCommandBus implements CommandBus {
  private readonly links = new Map<string, StationLink>();

  register(link: StationLink): void {
    this.links.set(link.stationId, link);
  }

  /** Removes the link only if it is still the current one (a newer connection may have replaced it). */
  unregister(link: StationLink): void {
    if (this.links.get(link.stationId) === link) this.links.delete(link.stationId);
  }

  isConnected(stationId: string): boolean {
    return this.links.has(stationId);
  }

  connectionProfile(stationId: string): number | undefined {
    const link = this.links.get(stationId);
    return link && (link.securityProfile ?? 1);
  }

  get connectedCount(): number {
    return this.links.size;
  }

  send(stationId: string, command: StationCommand, timeoutMs?: number): Promise<CommandResult> {
    const link = this.links.get(stationId);
    if (!link) return Promise.reject(new CallFailed('Offline', `station ${stationId} is not connected`));
    return link.execute(command, timeoutMs);
  }
}
