import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Database, IdTokenRecord, IdTokenStatus } from '../schema.js';
import { isUniqueViolation } from '../errors.js';
import type { Page } from './page.js';

export interface IdTokenInput {
  idToken: string;
  /** OCPP 2.0.1 IdTokenEnumType; defaults to ISO14443 (RFID UID). */
  type?: string;
  status: IdTokenStatus;
  expiresAt?: Date | null;
  groupIdToken?: string | null;
}

/** What the privacy domain computes for a UID before it is stored (migrations 0019, 0024). */
export interface TokenProtection {
  protect(uid: string): Promise<{ uidEncrypted: string; uidIndex: string; pseudonym: string }>;
  /** the blind index a UID is looked up by */
  index(uid: string): Promise<string>;
  /** the `tok_…` pseudonym other tables reference a token by */
  pseudonym(uid: string): Promise<string>;
  /** the UID of a protected row, decrypted in memory only */
  revealUid(row: { uidEncrypted: string | null; uidIndex: string | null }): Promise<string>;
}

/**
 * A token as the domain sees it: the UID decrypted in memory (it is no longer stored in clear,
 * migration 0024), or null once erased (ciphertext and blind index removed, pseudonym kept).
 */
export type TokenRow = Omit<IdTokenRecord, 'idToken'> & { idToken: string };

export class TokenRepo {
  private protection?: TokenProtection;

  constructor(private readonly db: Kysely<Database>) {}

  /**
   * From here on every write stores the UID encrypted with its blind index and pseudonym, and
   * lookups go by the blind index. Set once the keys are available (wireServices).
   */
  protect(protection: TokenProtection): void {
    this.protection = protection;
  }

  /** The row of a UID: by blind index, or by the plaintext key for a row not yet protected (before the backfill). */
  private async byUid(idToken: string): Promise<(eb: ExpressionBuilder<Database, 'idTokens'>) => ReturnType<ExpressionBuilder<Database, 'idTokens'>['or']>> {
    const index = this.protection && (await this.protection.index(idToken));
    return (eb) => (index === undefined ? eb.or([eb('idToken', '=', idToken)]) : eb.or([eb('uidIndex', '=', index), eb.and([eb('uidIndex', 'is', null), eb('idToken', '=', idToken)])]));
  }

  /** Creates the token or replaces all its attributes. */
  async upsert(input: IdTokenInput): Promise<TokenRow> {
    const values = {
      idToken: input.idToken,
      type: input.type ?? 'ISO14443',
      status: input.status,
      expiresAt: input.expiresAt ?? null,
      groupIdToken: input.groupIdToken ?? null,
      ...(this.protection && (await this.protection.protect(input.idToken))),
    };
    const protectedValues = 'uidIndex' in values ? { ...values, idToken: null } : values;
    const row = await this.db
      .insertInto('idTokens')
      .values(protectedValues)
      // protected rows have no plaintext to conflict on: the blind index is their unique key
      .onConflict((oc) =>
        oc.column('uidIndex' in values ? 'uidIndex' : 'idToken').doUpdateSet((eb) => ({
          type: values.type,
          status: values.status,
          expiresAt: values.expiresAt,
          groupIdToken: values.groupIdToken,
          ...('uidIndex' in values && { uidEncrypted: values.uidEncrypted, uidIndex: values.uidIndex, pseudonym: values.pseudonym }),
          ...('uidIndex' in values && { idToken: null }),
          updatedAt: eb.fn<Date>('now'),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ...row, idToken: input.idToken };
  }

  /** The row with its UID in memory: decrypted, or the legacy plaintext of a row not protected yet. */
  private async reveal(row: IdTokenRecord): Promise<TokenRow> {
    if (row.idToken !== null) return row as TokenRow;
    if (!this.protection || !row.uidEncrypted) return { ...row, idToken: '' };
    return { ...row, idToken: await this.protection.revealUid(row) };
  }

  private revealAll(rows: IdTokenRecord[]): Promise<TokenRow[]> {
    return Promise.all(rows.map((r) => this.reveal(r)));
  }

  async get(idToken: string): Promise<TokenRow | undefined> {
    const row = await this.db.selectFrom('idTokens').selectAll().where(await this.byUid(idToken)).executeTakeFirst();
    return row && { ...row, idToken };
  }

  /** The row of a pseudonym, its UID decrypted ('' once erased). */
  async byPseudonym(pseudonym: string): Promise<TokenRow | undefined> {
    const row = await this.db.selectFrom('idTokens').selectAll().where('pseudonym', '=', pseudonym).executeTakeFirst();
    return row && this.reveal(row);
  }

  /** A page in pseudonym order (the order of UIDs is not known to the database any more). */
  async list(page: Page): Promise<TokenRow[]> {
    return this.revealAll(await this.db
      .selectFrom('idTokens')
      .selectAll()
      .orderBy('pseudonym')
      .orderBy('idToken')
      .limit(page.limit)
      .offset(page.offset ?? 0)
      .execute());
  }

  /** The pseudonym other tables store for a UID (the UID itself when the repo is not protected: store tests). */
  async ref(uid: string): Promise<string> {
    return this.protection ? this.protection.pseudonym(uid) : uid;
  }

  /** A page for the API, sorted by pseudonym or a date (never by the UID, whose order would leak it). */
  async listPseudonymized(page: Page & { sort?: 'pseudonym' | 'createdAt' | 'updatedAt' | 'expiresAt'; order?: 'asc' | 'desc' }, filter: { status?: IdTokenStatus } = {}): Promise<{ rows: IdTokenRecord[]; total: number }> {
    let q = this.db.selectFrom('idTokens');
    if (filter.status) q = q.where('status', '=', filter.status);
    const [rows, total] = await Promise.all([
      q.selectAll().orderBy(page.sort ?? 'pseudonym', page.order ?? 'asc').orderBy('pseudonym').limit(page.limit).offset(page.offset ?? 0).execute(),
      q.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(total.n) };
  }

  /** Every token still holding a UID, in pseudonym order: the source local authorization lists are derived from. */
  async all(): Promise<TokenRow[]> {
    const rows = await this.revealAll(await this.db.selectFrom('idTokens').selectAll().orderBy('pseudonym').orderBy('idToken').execute());
    return rows.filter((r) => r.idToken !== '');
  }

  async setStatus(idToken: string, status: IdTokenStatus): Promise<boolean> {
    const r = await this.db
      .updateTable('idTokens')
      .set((eb) => ({ status, updatedAt: eb.fn<Date>('now') }))
      .where(await this.byUid(idToken))
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** Changes status and/or expiry of the token of a pseudonym; undefined when there is none. */
  async update(pseudonym: string, patch: { status?: IdTokenStatus; expiresAt?: Date | null }): Promise<TokenRow | undefined> {
    const row = await this.db
      .updateTable('idTokens')
      .set((eb) => ({ ...patch, updatedAt: eb.fn<Date>('now') }))
      .where('pseudonym', '=', pseudonym)
      .returningAll()
      .executeTakeFirst();
    return row && this.reveal(row);
  }

  /**
   * Protects the tokens still holding a plaintext UID (written before migrations 0019/0024, or by a
   * node without them), a batch at a time, and only then drops the plaintext; answers how many.
   * Idempotent: a row is picked by its plaintext, which the same update removes.
   */
  async backfill(batch = 200): Promise<number> {
    const protection = this.protection;
    if (!protection) return 0;
    let n = 0;
    for (;;) {
      const rows = await this.db.selectFrom('idTokens').select(['id', 'idToken', 'uidIndex']).where('idToken', 'is not', null).orderBy('id').limit(batch).execute();
      for (const { id, idToken, uidIndex } of rows) {
        if (idToken === null) continue;
        // a row protected by migration 0019 already has its box: only the plaintext goes
        const set = uidIndex === null ? await protection.protect(idToken) : {};
        try {
          const r = await this.db.updateTable('idTokens').set({ ...set, idToken: null }).where('id', '=', id).where('idToken', '=', idToken).executeTakeFirst();
          n += Number(r.numUpdatedRows);
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          // an upgraded node wrote the same UID protected meanwhile (rolling upgrade): that row is
          // the newer one, the plaintext duplicate goes
          await this.db.deleteFrom('idTokens').where('id', '=', id).where('idToken', '=', idToken).execute();
          n++;
        }
      }
      if (rows.length < batch) return n;
    }
  }

  /** Deletes the token of a UID (by blind index, or by the plaintext of a row not protected yet). */
  async remove(idToken: string): Promise<boolean> {
    const r = await this.db.deleteFrom('idTokens').where(await this.byUid(idToken)).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  /** Erasure: the UID goes (box and blind index), the pseudonym stays so CDRs and transactions still resolve. */
  async eraseUid(pseudonym: string): Promise<boolean> {
    const r = await this.db.updateTable('idTokens')
      .set((eb) => ({ idToken: null, uidEncrypted: null, uidIndex: null, status: 'Blocked' as const, updatedAt: eb.fn<Date>('now') }))
      .where('pseudonym', '=', pseudonym).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** The tokens of a customer (export and erasure). */
  async ofCustomer(customerId: number): Promise<TokenRow[]> {
    return this.revealAll(await this.db.selectFrom('idTokens').selectAll().where('customerId', '=', customerId).orderBy('id').execute());
  }

  /**
   * Sessions started with a token the platform does not know (no id_tokens row), newest first:
   * the pseudonym only, as the transactions store it. Retention removes them (unknownTokenAttempts).
   */
  async unknownAttempts(page: { limit: number; offset: number }): Promise<Array<{ transactionId: number; stationId: string; token: string; startedAt: Date }>> {
    const r = await sql<{ id: number; stationId: string; idToken: string; startedAt: Date }>`
      select t.id, t.station_id, t.id_token, t.started_at from transactions t
      where t.id_token is not null and not exists (select 1 from id_tokens k where k.pseudonym = t.id_token or k.id_token = t.id_token)
      order by t.started_at desc, t.id desc limit ${page.limit} offset ${page.offset}`.execute(this.db);
    return r.rows.map((x) => ({ transactionId: Number(x.id), stationId: x.stationId, token: x.idToken, startedAt: new Date(x.startedAt) }));
  }
}
