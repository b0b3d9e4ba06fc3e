import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { redactTokens, tokenRefPattern, type TokenRefs } from './token-refs.js';

/** A JSON text holding a UID key whose value is not a pseudonym yet (PostgreSQL ARE lookahead). */
const plaintextInJson = `"(idToken|idTag|groupIdToken|parentIdTag)"\\s*:\\s*"(?!tok_[a-z2-7]{16}")`;

/**
 * Rewrites the token UIDs that tables other than id_tokens stored before migration 0024 (or that
 * a node of the previous release still writes during a rolling upgrade) into pseudonyms. Runs at
 * start (PrivacyService.start) and with every retention pass; each row is picked by its plaintext,
 * which the same update removes, so it is idempotent and several nodes may run it at once (two
 * nodes rewriting one row write the same pseudonym). Batches keep every statement short.
 */
export class TokenRefBackfill {
  constructor(private readonly db: Kysely<Database>, private readonly batch = 200) {}

  /**
   * `since`: only rows written from then on (the periodic pass after the first, which only has to
   * catch what an older node wrote meanwhile, without scanning whole tables every time).
   */
  async run(refs: TokenRefs, since?: Date): Promise<Record<string, number>> {
    return {
      transactions: await this.column('transactions', refs, since),
      reservations: await this.column('reservations', refs, since),
      commands: await this.commands(refs, since),
      localLists: await this.localLists(refs),
    };
  }

  private async column(table: 'transactions' | 'reservations', refs: TokenRefs, since?: Date): Promise<number> {
    let n = 0;
    for (;;) {
      const rows = await this.db.selectFrom(table).select(['id', 'idToken'])
        .where('idToken', 'is not', null).where(sql<boolean>`id_token !~ ${tokenRefPattern}`)
        // an older node writes a UID when a transaction starts or while it runs: the running ones and
        // those ended since (ended_at is indexed; reservations are few)
        .where(since === undefined ? sql<boolean>`true` : table === 'transactions' ? sql<boolean>`(state = 'active' or ended_at >= ${since})` : sql<boolean>`updated_at >= ${since}`)
        .orderBy('id').limit(this.batch).execute();
      for (const { id, idToken } of rows) {
        if (idToken === null) continue;
        const r = await this.db.updateTable(table).set({ idToken: await refs.ref(idToken) }).where('id', '=', id).where('idToken', '=', idToken).executeTakeFirst();
        n += Number(r.numUpdatedRows);
      }
      if (rows.length < this.batch) break;
    }
    if (table === 'reservations') n += await this.reservationGroups(refs);
    return n;
  }

  private async reservationGroups(refs: TokenRefs): Promise<number> {
    let n = 0;
    for (;;) {
      const rows = await this.db.selectFrom('reservations').select(['id', 'groupIdToken'])
        .where('groupIdToken', 'is not', null).where(sql<boolean>`group_id_token !~ ${tokenRefPattern}`)
        .orderBy('id').limit(this.batch).execute();
      for (const { id, groupIdToken } of rows) {
        if (groupIdToken === null) continue;
        await this.db.updateTable('reservations').set({ groupIdToken: await refs.ref(groupIdToken) }).where('id', '=', id).execute();
        n++;
      }
      if (rows.length < this.batch) return n;
    }
  }

  private async commands(refs: TokenRefs, since?: Date): Promise<number> {
    let n = 0;
    let after = 0;
    for (;;) {
      const rows = await this.db.selectFrom('stationCommands').select(['id', 'command'])
        .where('id', '>', after).where(sql<boolean>`command::text ~ ${plaintextInJson}`)
        .where(since === undefined ? sql<boolean>`true` : sql<boolean>`created_at >= ${since}`)
        .orderBy('id').limit(this.batch).execute();
      for (const { id, command } of rows) {
        after = id;
        await this.db.updateTable('stationCommands').set({ command: JSON.stringify(await redactTokens(command, refs)) }).where('id', '=', id).execute();
        n++;
      }
      if (rows.length < this.batch) return n;
    }
  }

  private async localLists(refs: TokenRefs): Promise<number> {
    const rows = await this.db.selectFrom('localAuthLists').select(['stationId', 'entries'])
      .where(sql<boolean>`entries::text ~ ${plaintextInJson}`).execute();
    for (const { stationId, entries } of rows) {
      await this.db.updateTable('localAuthLists').set({ entries: JSON.stringify(await redactTokens(entries, refs)) }).where('stationId', '=', stationId).execute();
    }
    return rows.length;
  }
}
