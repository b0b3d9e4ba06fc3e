import { sql, type Kysely } from 'kysely';
import type { Database, LocalAuthList, LocalListEntry } from '../schema.js';
import { redactTokens, type TokenRefs } from './token-refs.js';

/** Per station: the local authorization list version it accepted last and the entries it holds. */
export class LocalAuthListRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private tokenRefs?: TokenRefs;

  /**
   * From here on the entries a station holds are stored by pseudonym (migration 0024): the
   * differential update compares pseudonyms, and the UID of a removed entry is decrypted from
   * id_tokens at send time (LocalAuthListService).
   */
  referTokens(refs: TokenRefs): void {
    this.tokenRefs = refs;
  }

  /** whether held entries are pseudonyms (see referTokens) */
  get pseudonymized(): boolean {
    return this.tokenRefs !== undefined;
  }

  async get(stationId: string): Promise<LocalAuthList | undefined> {
    return this.db.selectFrom('localAuthLists').selectAll().where('stationId', '=', stationId).executeTakeFirst();
  }

  /**
   * Reserves the next version number for a station (strictly above every version sent before,
   * and above `atLeast`), so two syncs can never send the same number.
   */
  async nextVersion(stationId: string, atLeast = 0): Promise<number> {
    const row = await this.db.insertInto('localAuthLists')
      .values({ stationId, version: 0, lastSentVersion: Math.max(1, atLeast + 1), entries: '[]', lastStatus: null, syncedAt: null })
      .onConflict((oc) => oc.column('stationId').doUpdateSet({
        lastSentVersion: sql<number>`greatest(local_auth_lists.last_sent_version + 1, ${atLeast + 1})`,
        updatedAt: sql<Date>`now()`,
      }))
      .returning('lastSentVersion').executeTakeFirstOrThrow();
    return row.lastSentVersion;
  }

  /** The stations whose accepted list holds one of these tokens (by pseudonym, or UID before referTokens). */
  async holding(refs: readonly string[]): Promise<string[]> {
    if (refs.length === 0) return [];
    const rows = await this.db.selectFrom('localAuthLists').select(['stationId', 'entries']).where('version', '>', 0).execute();
    const wanted = new Set(refs);
    return rows.filter((r) => r.entries.some((e) => wanted.has(e.idToken))).map((r) => r.stationId);
  }

  /** Records the station's answer; the list state changes only when it accepted. */
  async recordSync(stationId: string, status: string, accepted?: { version: number; entries: LocalListEntry[] }): Promise<void> {
    const entries = accepted && (this.tokenRefs ? await redactTokens(accepted.entries, this.tokenRefs) : accepted.entries);
    await this.db.updateTable('localAuthLists')
      .set({
        lastStatus: status, syncedAt: sql<Date>`now()`, updatedAt: sql<Date>`now()`,
        ...(accepted && { version: accepted.version, entries: JSON.stringify(entries) }),
      })
      .where('stationId', '=', stationId).execute();
  }
}
