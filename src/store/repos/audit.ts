import type { Kysely } from 'kysely';
import type { AuditRecord, Database } from '../schema.js';

export interface AuditEntry {
  actor: string;
  actorKind: string;
  roles: readonly string[];
  action: string;
  target?: string | null;
  result: string;
  sourceIp?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditQuery {
  limit: number;
  offset: number;
  actor?: string;
  action?: string;
  target?: string;
  from?: Date;
  to?: Date;
  order?: 'asc' | 'desc';
}

/** The audit log: inserts and reads only (the table refuses UPDATE and DELETE, migration 0014). */
export class AuditRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async append(e: AuditEntry): Promise<void> {
    await this.db.insertInto('auditLog').values({
      actor: e.actor, actorKind: e.actorKind, roles: JSON.stringify(e.roles), action: e.action, target: e.target ?? null,
      result: e.result, sourceIp: e.sourceIp ?? null, details: JSON.stringify(e.details ?? {}),
    }).execute();
  }

  list(q: AuditQuery): Promise<AuditRecord[]> {
    let s = this.db.selectFrom('auditLog').selectAll();
    if (q.actor) s = s.where('actor', '=', q.actor);
    if (q.action) s = s.where('action', '=', q.action);
    if (q.target) s = s.where('target', '=', q.target);
    if (q.from) s = s.where('at', '>=', q.from);
    if (q.to) s = s.where('at', '<', q.to);
    return s.orderBy('id', q.order ?? 'desc').limit(q.limit).offset(q.offset).execute();
  }
}
