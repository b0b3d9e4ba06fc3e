import type { Kysely } from 'kysely';
import type { Database, SecurityEvent, SecurityEventOrigin, Severity } from '../schema.js';

export interface SecurityEventInput {
  /** May name a station that does not exist (e.g. a rejected connection). */
  stationId?: string | null;
  type: string;
  severity: Severity;
  sourceIp?: string | null;
  details: Record<string, unknown>;
  /** when it happened, if not now (a station's own timestamp) */
  occurredAt?: Date;
  /** default 'csms' */
  origin?: SecurityEventOrigin;
}

export class SecurityEventRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async record(e: SecurityEventInput): Promise<SecurityEvent> {
    return this.db
      .insertInto('securityEvents')
      .values({
        stationId: e.stationId ?? null,
        type: e.type,
        severity: e.severity,
        sourceIp: e.sourceIp ?? null,
        details: JSON.stringify(e.details),
        ...(e.occurredAt && { occurredAt: e.occurredAt }),
        ...(e.origin && { origin: e.origin }),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Newest first. */
  async list(q: { stationId?: string; limit: number }): Promise<SecurityEvent[]> {
    let query = this.db.selectFrom('securityEvents').selectAll();
    if (q.stationId !== undefined) query = query.where('stationId', '=', q.stationId);
    return query.orderBy('occurredAt', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
  }
}
