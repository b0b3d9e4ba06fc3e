import { sql, type Kysely } from 'kysely';
import type { Database, IdsAlert, IdsAlertStatus, Severity } from '../schema.js';

export interface IdsAlertInput {
  class: string;
  rule: string;
  severity: Severity;
  stationId: string | null;
  sourceIp: string | null;
  dedupKey: string;
  evidence: Record<string, unknown>;
  response: Record<string, unknown>;
}

export interface IdsAlertQuery {
  status?: IdsAlertStatus;
  stationId?: string;
  class?: string;
  severity?: Severity;
  /** station groups in scope; null/absent = all. Scoped: only alerts about a station of these groups */
  groups?: readonly string[] | null;
  limit: number;
  offset: number;
}

export class IdsAlertRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async open(a: IdsAlertInput): Promise<IdsAlert> {
    return this.db.insertInto('idsAlerts')
      .values({ ...a, evidence: JSON.stringify(a.evidence), response: JSON.stringify(a.response) })
      .returningAll().executeTakeFirstOrThrow();
  }

  /** The alert still collecting sightings of this key: not closed and seen since `since`. */
  async current(dedupKey: string, since: Date): Promise<IdsAlert | undefined> {
    return this.db.selectFrom('idsAlerts').selectAll()
      .where('dedupKey', '=', dedupKey).where('lastSeen', '>=', since).where('status', '!=', 'closed')
      .orderBy('id', 'desc').limit(1).executeTakeFirst();
  }

  /** One more sighting: count and last_seen; the latest evidence replaces the previous one. */
  async sighted(id: number, evidence: Record<string, unknown>, response: Record<string, unknown>): Promise<void> {
    await this.db.updateTable('idsAlerts')
      .set({ count: sql<number>`count + 1`, lastSeen: new Date(), evidence: JSON.stringify(evidence), response: JSON.stringify(response) })
      .where('id', '=', id).execute();
  }

  async get(id: number): Promise<IdsAlert | undefined> {
    return this.db.selectFrom('idsAlerts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Newest first. */
  async list(q: IdsAlertQuery): Promise<IdsAlert[]> {
    let query = this.db.selectFrom('idsAlerts').selectAll();
    if (q.status) query = query.where('status', '=', q.status);
    if (q.stationId) query = query.where('stationId', '=', q.stationId);
    if (q.class) query = query.where('class', '=', q.class);
    if (q.severity) query = query.where('severity', '=', q.severity);
    // in the query, not after it: a page holds `limit` visible alerts whenever that many exist
    if (q.groups) {
      const groups = q.groups.length > 0 ? [...q.groups] : [''];
      query = query.where('stationId', 'in', (eb) => eb.selectFrom('stations').select('stations.id').where('stations.groupId', 'in', groups));
    }
    return query.orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute();
  }

  async setStatus(id: number, status: IdsAlertStatus, by: string): Promise<IdsAlert | undefined> {
    return this.db.updateTable('idsAlerts').set({ status, changedBy: by, changedAt: new Date() })
      .where('id', '=', id).returningAll().executeTakeFirst();
  }
}
