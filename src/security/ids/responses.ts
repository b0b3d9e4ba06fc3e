import type { ResponseKind, Rule } from './rules.js';

/** The perimeter block list (`domain.perimeter`): the IDS only asks it to block. */
export interface BlockResponder {
  block(target: { kind: 'ip' | 'identity'; value: string }, opts: { ttlS: number | null; reason: string; by: string }): Promise<void>;
}

/** What the transport lets the IDS do to a connected station. */
export interface StationControl {
  /** closes the station's socket with a policy code (1008) */
  disconnect(stationId: string, reason: string): boolean;
}

/** What a response did, stored with the alert. */
export interface ResponseOutcome {
  kind: ResponseKind;
  executed: boolean;
  detail?: string;
}

export interface ResponseTarget {
  stationId?: string;
  sourceIp?: string;
  /** throttle is applied by the engine on its per-station state */
  throttle(delayMs: number, untilMs: number): boolean;
}

/** Default block TTL: long enough to stop a scripted attack, short enough that a misfire heals itself. */
const DEFAULT_BLOCK_TTL_S = 3600;
const DEFAULT_THROTTLE_MS = 250;

/** Executes a rule's response; one that cannot be carried out is recorded as not executed, with why. */
export class Responder {
  constructor(
    private readonly stations: StationControl | undefined,
    private readonly blocker: BlockResponder,
  ) {}

  async respond(rule: Rule, target: ResponseTarget): Promise<ResponseOutcome> {
    const kind = rule.response;
    switch (kind) {
      case 'report':
        return { kind, executed: true };
      case 'throttle': {
        const delay = rule.responseParam ?? DEFAULT_THROTTLE_MS;
        const ok = target.throttle(delay, Date.now() + rule.dedupS * 1000);
        return { kind, executed: ok, detail: ok ? `${delay} ms before each inbound call for ${rule.dedupS} s` : 'station not connected' };
      }
      case 'disconnect': {
        const ok = target.stationId !== undefined && this.stations?.disconnect(target.stationId, `ids rule ${rule.id}`) === true;
        return { kind, executed: ok, ...(!ok && { detail: 'station not connected' }) };
      }
      case 'block-ip':
      case 'block-identity': {
        const value = kind === 'block-ip' ? target.sourceIp : target.stationId;
        if (value === undefined) return { kind, executed: false, detail: 'no target' };
        const ttlS = rule.responseParam === undefined ? DEFAULT_BLOCK_TTL_S : rule.responseParam;
        try {
          await this.blocker.block({ kind: kind === 'block-ip' ? 'ip' : 'identity', value }, { ttlS, reason: `ids rule ${rule.id}`, by: 'ids' });
          return { kind, executed: true, detail: `${value} for ${ttlS ?? '∞'} s` };
        } catch (err) {
          return { kind, executed: false, detail: `block failed: ${(err as Error).message}` };
        }
      }
    }
  }
}
