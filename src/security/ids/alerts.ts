import { idsAlertsTotal } from '../../metrics/registry.js';
import type { SecurityLog } from '../../domain/security/security-log.js';
import type { Logger } from '../../log/logger.js';
import type { IdsAlertQuery, IdsAlertRepo } from '../../store/repos/ids-alerts.js';
import type { IdsAlert, IdsAlertStatus } from '../../store/schema.js';
import type { ResponseOutcome } from './responses.js';
import type { Rule } from './rules.js';

export interface Detection {
  rule: Rule;
  stationId?: string;
  sourceIp?: string;
  /** frames and counters; token pseudonyms only (the engine never sees a UID it would keep) */
  evidence: Record<string, unknown>;
  response: ResponseOutcome;
}

/** Most dedup keys remembered in memory; older ones are looked up in the table again. */
const MAX_KEYS = 10_000;

/**
 * Persists detections as alerts, one per rule and station/source within the rule's dedup
 * window, and announces each new alert as a security event (`IdsAlert`), which is what SSE
 * and webhooks already carry.
 */
export class AlertService {
  /** dedup key → the open alert and when its window ends */
  private readonly recent = new Map<string, { id: number; lastSeen: number }>();
  /** per key, the write in progress: sightings of one key are stored one after another */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly repo: IdsAlertRepo,
    private readonly security: SecurityLog,
    private readonly log: Logger,
  ) {}

  raise(d: Detection): Promise<IdsAlert | undefined> {
    const key = `${d.rule.id}|${d.stationId ?? ''}|${d.sourceIp ?? ''}`;
    const run = (this.chains.get(key) ?? Promise.resolve()).then(() => this.store(key, d)).catch((err: unknown) => {
      this.log.error({ err, rule: d.rule.id }, 'could not store an IDS alert');
      return undefined;
    });
    this.chains.set(key, run);
    void run.finally(() => { if (this.chains.get(key) === run) this.chains.delete(key); });
    return run;
  }

  private async store(key: string, d: Detection): Promise<IdsAlert | undefined> {
    const now = Date.now();
    const windowMs = d.rule.dedupS * 1000;
    const known = this.recent.get(key);
    const current = known && now - known.lastSeen < windowMs
      ? { id: known.id }
      : await this.repo.current(key, new Date(now - windowMs));
    const response = { ...d.response };
    if (current) {
      await this.repo.sighted(current.id, d.evidence, response);
      this.remember(key, current.id, now);
      return undefined;
    }
    const alert = await this.repo.open({
      class: d.rule.class, rule: d.rule.id, severity: d.rule.severity, stationId: d.stationId ?? null, sourceIp: d.sourceIp ?? null,
      dedupKey: key, evidence: d.evidence, response,
    });
    this.remember(key, alert.id, now);
    idsAlertsTotal.inc({ class: d.rule.class, severity: d.rule.severity });
    await this.security.record({
      stationId: d.stationId, type: 'IdsAlert', severity: d.rule.severity, sourceIp: d.sourceIp,
      details: { alertId: alert.id, rule: d.rule.id, class: d.rule.class, response },
    });
    return alert;
  }

  private remember(key: string, id: number, now: number): void {
    this.recent.delete(key);
    if (this.recent.size >= MAX_KEYS) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(key, { id, lastSeen: now });
  }

  /** Resolves once every detection raised so far is stored (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  list(q: IdsAlertQuery): Promise<IdsAlert[]> {
    return this.repo.list(q);
  }

  get(id: number): Promise<IdsAlert | undefined> {
    return this.repo.get(id);
  }

  /** Triage: open → acknowledged → closed; a closed alert stays closed (a new sighting opens a new one). */
  async setStatus(id: number, status: Exclude<IdsAlertStatus, 'open'>, by: string): Promise<IdsAlert | 'not-found' | 'closed'> {
    const a = await this.repo.get(id);
    if (!a) return 'not-found';
    if (a.status === 'closed') return 'closed';
    const updated = await this.repo.setStatus(id, status, by);
    // a closed alert must not collect further sightings
    if (status === 'closed') for (const [k, v] of this.recent) if (v.id === id) this.recent.delete(k);
    return updated ?? 'not-found';
  }
}
