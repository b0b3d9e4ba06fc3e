import { sql, type Kysely } from 'kysely';
import type { Database, DisplayMessageRow } from '../schema.js';

export interface DisplayMessageInput {
  stationId: string;
  messageId: number;
  priority: string;
  state: string | null;
  startAt: string | null;
  endAt: string | null;
  transactionId: string | null;
  content: string;
  format: string;
  language: string | null;
  display: Record<string, unknown> | null;
}

/** 2.0.1 display messages per station: what we set (with the station's answer) and what it reports. */
export class DisplayMessageRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private values(m: DisplayMessageInput) {
    return { ...m, display: m.display === null ? null : JSON.stringify(m.display) };
  }

  /**
   * Records a SetDisplayMessage and the station's answer. A refused message never replaces one
   * the station accepted under the same id: the station still shows the accepted one.
   */
  async recordSet(m: DisplayMessageInput, status: string): Promise<void> {
    await this.db.insertInto('displayMessages').values({ ...this.values(m), status })
      .onConflict((oc) => oc.columns(['stationId', 'messageId'])
        .doUpdateSet((eb) => ({
          priority: eb.ref('excluded.priority'), state: eb.ref('excluded.state'), startAt: eb.ref('excluded.startAt'),
          endAt: eb.ref('excluded.endAt'), transactionId: eb.ref('excluded.transactionId'), content: eb.ref('excluded.content'),
          format: eb.ref('excluded.format'), language: eb.ref('excluded.language'), display: eb.ref('excluded.display'),
          status: eb.ref('excluded.status'), updatedAt: sql<Date>`now()`,
        }))
        .where((eb) => eb.or([eb('displayMessages.status', 'is', null), eb('displayMessages.status', '!=', 'Accepted'), eb('excluded.status', '=', 'Accepted')])))
      .execute();
  }

  /** Messages the station reported (NotifyDisplayMessages): its copy wins, our status is kept. */
  async recordReported(messages: readonly DisplayMessageInput[]): Promise<void> {
    // one statement cannot update a row twice: the last copy of a message id wins
    const rows = [...new Map(messages.map((m) => [m.messageId, m])).values()];
    if (rows.length === 0) return;
    await this.db.insertInto('displayMessages').values(rows.map((m) => ({ ...this.values(m), status: null, reportedAt: sql<Date>`now()` })))
      .onConflict((oc) => oc.columns(['stationId', 'messageId']).doUpdateSet((eb) => ({
        priority: eb.ref('excluded.priority'), state: eb.ref('excluded.state'), startAt: eb.ref('excluded.startAt'),
        endAt: eb.ref('excluded.endAt'), transactionId: eb.ref('excluded.transactionId'), content: eb.ref('excluded.content'),
        format: eb.ref('excluded.format'), language: eb.ref('excluded.language'), display: eb.ref('excluded.display'),
        reportedAt: sql<Date>`now()`, updatedAt: sql<Date>`now()`,
      })))
      .execute();
  }

  async remove(stationId: string, messageId: number): Promise<boolean> {
    const r = await this.db.deleteFrom('displayMessages').where('stationId', '=', stationId).where('messageId', '=', messageId).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  get(stationId: string, messageId: number): Promise<DisplayMessageRow | undefined> {
    return this.db.selectFrom('displayMessages').selectAll().where('stationId', '=', stationId).where('messageId', '=', messageId).executeTakeFirst();
  }

  list(stationId: string): Promise<DisplayMessageRow[]> {
    return this.db.selectFrom('displayMessages').selectAll().where('stationId', '=', stationId).orderBy('messageId').execute();
  }
}
