import type { IncomingMessage } from 'node:http';
import { isIP, type BlockList, type Server, type Socket } from 'node:net';
import { EventThrottle } from '../../domain/security/event-throttle.js';
import type { SecurityLog } from '../../domain/security/security-log.js';
import { blockedConnectionsTotal, connectionsTotal } from '../../metrics/registry.js';
import type { PerimeterBlockList } from './block-list.js';
import type { AdmissionLimits } from './limits.js';
import { listed, unmapped } from '../../net/address.js';

/** refusal events recorded per source address and minute; the rest are counted into the next one */
const REFUSAL_EVENTS_PER_MINUTE = 10;

export type Admission = { ok: true; clientIp: string; release(): void } | { ok: false; clientIp: string; status: 403 | 429; message: string };


/**
 * The client's address: the TCP peer, or, when the peer is a trusted proxy, the nearest
 * address in X-Forwarded-For that is not itself a trusted proxy (entries further left are
 * the client's own claims and cannot be trusted).
 */
export function clientAddress(req: IncomingMessage, proxies: BlockList): string {
  const peer = unmapped(req.socket.remoteAddress ?? 'unknown');
  if (!listed(proxies, peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((h) => unmapped(h.trim())).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (!isIP(hop)) return peer;
    if (!listed(proxies, hop)) return hop;
  }
  return peer;
}

/**
 * Enforces the block lists and the per-address limits at the perimeter (M3, CM5):
 * - at the TCP `connection` event of every listener, before a TLS handshake or an HTTP parse,
 *   a blocked address loses its socket (a trusted proxy's connections are judged at the
 *   upgrade instead, where the real client address is known);
 * - at the OCPP upgrade, before any database work: blocked address or identity (403),
 *   too many attempts or too many open connections from the address (429).
 * Every refusal is a security event, throttled per address so a flood cannot flood the log.
 */
export class PerimeterGate {
  private readonly throttle = new EventThrottle(REFUSAL_EVENTS_PER_MINUTE, 60_000);

  constructor(
    private readonly blocks: PerimeterBlockList,
    private readonly limits: AdmissionLimits,
    private readonly security: SecurityLog,
    private readonly proxies: BlockList,
  ) {}

  /** Drops connections from blocked addresses before the listener (TLS or HTTP) sees them. */
  guard(server: Server): void {
    server.prependListener('connection', (socket: Socket) => {
      const ip = unmapped(socket.remoteAddress ?? '');
      if (!isIP(ip) || listed(this.proxies, ip)) return;
      if (!this.blocks.isBlocked('ip', ip)) return;
      socket.destroy();
      blockedConnectionsTotal.inc({ stage: 'tcp', kind: 'ip' });
      this.record(ip, 'BlockedConnection', { stage: 'tcp', kind: 'ip' });
    });
  }

  /** Admits an OCPP upgrade for `stationId` or says why not; call `release` when the socket closes. */
  async admit(req: IncomingMessage, stationId: string): Promise<Admission> {
    const clientIp = clientAddress(req, this.proxies);
    const refuse = (status: 403 | 429, reason: string, type: string, details: Record<string, unknown>): Admission => {
      connectionsTotal.inc({ result: 'refused', reason });
      this.record(clientIp, type, { stationId, ...details }, stationId);
      return { ok: false, clientIp, status, message: status === 403 ? 'forbidden' : 'too many connections' };
    };
    if (this.blocks.isBlocked('ip', clientIp)) {
      blockedConnectionsTotal.inc({ stage: 'upgrade', kind: 'ip' });
      return refuse(403, 'BlockedIp', 'BlockedConnection', { stage: 'upgrade', kind: 'ip' });
    }
    if (this.blocks.isBlocked('identity', stationId)) {
      blockedConnectionsTotal.inc({ stage: 'upgrade', kind: 'identity' });
      return refuse(403, 'BlockedIdentity', 'BlockedConnection', { stage: 'upgrade', kind: 'identity' });
    }
    // with a cluster this is the one Redis round trip of the upgrade (rate and cap in one script)
    const verdict = await this.limits.admit(clientIp);
    if (verdict.ok) return { ok: true, clientIp, release: verdict.release };
    if (verdict.reason === 'RateLimited') return refuse(429, 'RateLimited', 'ConnectionRateExceeded', {});
    return refuse(429, 'TooManyConnections', 'ConnectionLimitExceeded', { open: verdict.open });
  }

  private record(ip: string, type: string, details: Record<string, unknown>, stationId?: string): void {
    const admitted = this.throttle.admit(ip);
    if (!admitted) return;
    void this.security.record({
      type, severity: 'warning', sourceIp: ip, ...(stationId !== undefined && { stationId }),
      details: { ...details, ...(admitted.suppressed > 0 && { suppressedBefore: admitted.suppressed }) },
    });
  }
}
