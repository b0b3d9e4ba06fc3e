import { sql, type Kysely } from 'kysely';
import type { Database, StationCommandRow, StationCommandUpdate } from '../schema.js';
import { redactTokens, type TokenRefs } from './token-refs.js';

export interface CommandAnswer {
  status: string;
  action?: string;
  response?: Record<string, unknown>;
  failure?: string;
}

/** The command journal: one row per command sent, plus the progress its follow-up notifications report. */
export class CommandRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private tokenRefs?: TokenRefs;

  /** From here on the journal stores token pseudonyms, never UIDs (migration 0024): redacted before insert. */
  referTokens(refs: TokenRefs): void {
    this.tokenRefs = refs;
  }

  private async redact(command: Record<string, unknown>): Promise<string> {
    return JSON.stringify(this.tokenRefs ? await redactTokens(command, this.tokenRefs) : command);
  }

  async create(stationId: string, kind: string, command: Record<string, unknown>): Promise<StationCommandRow> {
    return this.db.insertInto('stationCommands').values({ stationId, kind, command: await this.redact(command), requestId: null, action: null, failure: null, answeredAt: null, progress: null })
      .returningAll().executeTakeFirstOrThrow();
  }

  /** Records the command as sent: with the requestId the platform gave it, if any. */
  async sent(id: number, command: Record<string, unknown>, requestId: number | null): Promise<void> {
    await this.db.updateTable('stationCommands').set({ command: await this.redact(command), requestId, updatedAt: sql<Date>`now()` }).where('id', '=', id).execute();
  }

  async answered(id: number, a: CommandAnswer): Promise<StationCommandRow> {
    return this.db.updateTable('stationCommands')
      .set({
        status: a.status, action: a.action ?? null, response: a.response ? JSON.stringify(a.response) : null,
        failure: a.failure ?? null, answeredAt: sql<Date>`now()`, updatedAt: sql<Date>`now()`,
      })
      .where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  /** The newest command of one of `kinds` for a station, matching the requestId when one is given. */
  async findLatest(stationId: string, kinds: readonly string[], requestId?: number): Promise<StationCommandRow | undefined> {
    let q = this.db.selectFrom('stationCommands').selectAll().where('stationId', '=', stationId).where('kind', 'in', kinds);
    if (requestId !== undefined) q = q.where('requestId', '=', requestId);
    return q.orderBy('id', 'desc').limit(1).executeTakeFirst();
  }

  async addUpdate(commandId: number, status: string, details: Record<string, unknown>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('stationCommandUpdates').values({ commandId, status, details: JSON.stringify(details) }).execute();
      await trx.updateTable('stationCommands').set({ progress: status, updatedAt: sql<Date>`now()` }).where('id', '=', commandId).execute();
    });
  }

  get(id: number): Promise<StationCommandRow | undefined> {
    return this.db.selectFrom('stationCommands').selectAll().where('id', '=', id).executeTakeFirst();
  }

  updates(commandId: number): Promise<StationCommandUpdate[]> {
    return this.db.selectFrom('stationCommandUpdates').selectAll().where('commandId', '=', commandId).orderBy('id').execute();
  }

  /** Newest first unless `order` says asc. */
  list(q: { stationId: string; kind?: string; limit: number; offset?: number; order?: 'asc' | 'desc' }): Promise<StationCommandRow[]> {
    let query = this.db.selectFrom('stationCommands').selectAll().where('stationId', '=', q.stationId);
    if (q.kind) query = query.where('kind', '=', q.kind);
    return query.orderBy('id', q.order ?? 'desc').limit(q.limit).offset(q.offset ?? 0).execute();
  }
}
