import type { Logger } from '../../log/logger.js';
import type { AuditQuery, AuditRepo } from '../../store/repos/audit.js';
import type { AuditRecord } from '../../store/schema.js';
import type { Principal } from './principal.js';
import type { SecurityEventInput } from '../security/security-log.js';
import { securityFactOf } from '../security/platform-facts.js';

export interface AuditInput {
  /** who: a principal, or the name given by someone not (yet) authenticated */
  actor: Principal | { anonymous: string };
  action: string;
  target?: string | null;
  /** `success`, `failure`, `denied`, ... */
  result: string;
  sourceIp?: string;
  /** never secrets: passwords, tokens, codes and keys stay out */
  details?: Record<string, unknown>;
}

/**
 * The audit trail (OP4): who, with which roles, did what to which target, with what result,
 * when and from where. Also written to the ECS log so a SIEM sees it without reading the table.
 */
export class AuditLog {
  /** where the audit records that are security facts also go: the one security log (issue 7) */
  private security?: { record(e: SecurityEventInput): Promise<void> };

  constructor(
    private readonly repo: AuditRepo,
    private readonly log: Logger,
  ) {}

  async record(e: AuditInput): Promise<void> {
    const who = 'anonymous' in e.actor
      ? { actor: e.actor.anonymous, actorKind: 'anonymous', roles: [] as readonly string[] }
      : { actor: e.actor.id, actorKind: e.actor.kind, roles: e.actor.roles };
    this.log.info({ event: { kind: 'event', category: ['iam'], action: e.action, outcome: e.result }, user: { id: who.actor, roles: who.roles }, source: { ip: e.sourceIp }, target: e.target }, `audit ${e.action}`);
    await this.repo.append({ ...who, action: e.action, target: e.target, result: e.result, sourceIp: e.sourceIp, details: e.details });
    const fact = this.security && securityFactOf(e.action, e.result, e.details);
    if (fact) {
      await this.security!.record({
        ...fact, sourceIp: e.sourceIp, actor: who.actor, actorRole: who.roles.join(',') || who.actorKind,
        description: `${e.action}${e.target ? ` on ${e.target}` : ''}: ${e.result} (${who.actorKind} ${who.actor})`,
        details: { action: e.action, target: e.target ?? null, result: e.result, ...(typeof e.details?.reason === 'string' && { reason: e.details.reason }) },
      });
    }
  }

  /** Sends the security facts among the audit records (platform-facts.ts) to the security log as well. */
  forwardTo(security: { record(e: SecurityEventInput): Promise<void> }): void {
    this.security = security;
  }

  list(q: AuditQuery): Promise<AuditRecord[]> {
    return this.repo.list(q);
  }
}
