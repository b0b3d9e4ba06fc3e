import { hostname } from 'node:os';
import type { Logger } from '../../log/logger.js';
import type { SecurityEventRepo } from '../../store/index.js';
import type { Severity } from '../../store/schema.js';
import type { DomainEvents } from '../events.js';
import { securityEventType } from './event-types.js';

export interface SecurityEventInput {
  stationId?: string;
  type: string;
  severity: Severity;
  sourceIp?: string;
  /** evidence; never a password or personal data */
  details?: Record<string, unknown>;
  /** when it happened, if not now */
  occurredAt?: Date;
  /** default 'csms'; 'station' for SecurityEventNotification */
  origin?: 'csms' | 'station';
  /** who acted (OP4): a user/API key id, the name tried at a login, a station; default the station or `system` */
  actor?: string;
  /** the actor's role(s); default `station` or `csms` */
  actorRole?: string;
  /** a sentence for people; default the type and where */
  description?: string;
}

/** Records platform and station security events: stored, logged and announced. */
export class SecurityLog {
  constructor(
    private readonly repo: SecurityEventRepo,
    private readonly events: DomainEvents,
    private readonly log: Logger,
    /** origin label of platform events in a cluster */
    private readonly node: string = hostname(),
  ) {}

  async record(e: SecurityEventInput): Promise<void> {
    const details = e.details ?? {};
    this.log.warn({ event: { kind: 'alert', category: ['intrusion_detection'], action: e.type }, station: e.stationId, source: { ip: e.sourceIp }, severity: e.severity, details }, `security event ${e.type}`);
    this.events.emit({ type: 'security.event', stationId: e.stationId, eventType: e.type, severity: e.severity, sourceIp: e.sourceIp, details });
    try {
      await this.repo.record({
        stationId: e.stationId, type: e.type, severity: e.severity, sourceIp: e.sourceIp, details, occurredAt: e.occurredAt, origin: e.origin,
        actor: e.actor ?? (e.origin === 'station' && e.stationId ? e.stationId : 'system'),
        actorRole: e.actorRole ?? (e.origin === 'station' ? 'station' : 'csms'),
        description: e.description ?? describe(e), node: this.node,
      });
    } catch (err) {
      this.log.error({ err }, 'could not store a security event');
    }
  }

  /** A SecurityEventNotification (1.6 security extension, 2.0.1 A04): severity from the type table. */
  async stationReported(stationId: string, type: string, timestamp: Date, techInfo?: string): Promise<void> {
    const t = securityEventType(type);
    // a station clock we cannot read is no reason to lose the event: it is stamped on arrival instead
    const occurredAt = Number.isNaN(timestamp.getTime()) ? undefined : timestamp;
    await this.record({
      stationId, type, severity: t.severity, origin: 'station', occurredAt,
      details: { critical: t.critical, standard: t.standard, ...(techInfo !== undefined && { techInfo }) },
    });
  }
}

/** The default sentence of an event: its type, where it came from and whom it concerned. */
function describe(e: SecurityEventInput): string {
  const from = e.origin === 'station' ? `reported by station ${e.stationId ?? '?'}` : e.stationId ? `concerning station ${e.stationId}` : 'on the platform';
  return `${e.type} ${from}${e.sourceIp ? ` from ${e.sourceIp}` : ''}`;
}
