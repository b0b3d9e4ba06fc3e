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
}

/** Records platform and station security events: stored, logged and announced. */
export class SecurityLog {
  constructor(
    private readonly repo: SecurityEventRepo,
    private readonly events: DomainEvents,
    private readonly log: Logger,
  ) {}

  async record(e: SecurityEventInput): Promise<void> {
    const details = e.details ?? {};
    this.log.warn({ event: { kind: 'alert', category: ['intrusion_detection'], action: e.type }, station: e.stationId, source: { ip: e.sourceIp }, severity: e.severity, details }, `security event ${e.type}`);
    this.events.emit({ type: 'security.event', stationId: e.stationId, eventType: e.type, severity: e.severity, sourceIp: e.sourceIp, details });
    try {
      await this.repo.record({ stationId: e.stationId, type: e.type, severity: e.severity, sourceIp: e.sourceIp, details, occurredAt: e.occurredAt, origin: e.origin });
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
