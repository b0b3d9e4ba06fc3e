import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Database, IdTokenRecord, IdTokenStatus } from '../schema.js';
import type { Page } from './page.js';

export interface IdTokenInput {
  idToken: string;
  /** OCPP 2.0.1 IdTokenEnumType; defaults to ISO14443 (RFID UID). */
  type?: string;
  status: IdTokenStatus;
  expiresAt?: Date | null;
  groupIdToken?: string | null;
}

/** What the privacy domain computes for a UID before it is stored (migration 0019). */
export interface TokenProtection {
  protect(uid: string): Promise<{ uidEncrypted: string; uidIndex: string; pseudonym: string }>;
  /** the blind index a UID is looked up by */
  index(uid: string): Promise<string>;
}

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
  async upsert(input: IdTokenInput): Promise<IdTokenRecord> {
    const values = {
      idToken: input.idToken,
      type: input.type ?? 'ISO14443',
      status: input.status,
      expiresAt: input.expiresAt ?? null,
      groupIdToken: input.groupIdToken ?? null,
      ...(this.protection && (await this.protection.protect(input.idToken))),
    };
    return this.db
      .insertInto('idTokens')
      .values(values)
      .onConflict((oc) =>
        oc.column('idToken').doUpdateSet((eb) => ({
          type: values.type,
          status: values.status,
          expiresAt: values.expiresAt,
          groupIdToken: values.groupIdToken,
          ...('uidIndex' in values && { uidEncrypted: values.uidEncrypted, uidIndex: values.uidIndex, pseudonym: values.pseudonym }),
          updatedAt: eb.fn<Date>('now'),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async get(idToken: string): Promise<IdTokenRecord | undefined> {
    return this.db.selectFrom('idTokens').selectAll().where(await this.byUid(idToken)).executeTakeFirst();
  }

  async byPseudonym(pseudonym: string): Promise<IdTokenRecord | undefined> {
    return this.db.selectFrom('idTokens').selectAll().where('pseudonym', '=', pseudonym).executeTakeFirst();
  }

  async list(page: Page): Promise<IdTokenRecord[]> {
    return this.db
      .selectFrom('idTokens')
      .selectAll()
      .orderBy('idToken')
      .limit(page.limit)
      .offset(page.offset ?? 0)
      .execute();
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

  /** Every token, in idToken order: the source local authorization lists are derived from. */
  async all(): Promise<IdTokenRecord[]> {
    return this.db.selectFrom('idTokens').selectAll().orderBy('idToken').execute();
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
  async update(pseudonym: string, patch: { status?: IdTokenStatus; expiresAt?: Date | null }): Promise<IdTokenRecord | undefined> {
    return this.db
      .updateTable('idTokens')
      .set((eb) => ({ ...patch, updatedAt: eb.fn<Date>('now') }))
      .where('pseudonym', '=', pseudonym)
      .returningAll()
      .executeTakeFirst();
  }

  /** Protects the tokens stored without encrypted UID (before migration 0019), a batch at a time; answers how many. */
  async backfill(batch = 200): Promise<number> {
    const protection = this.protection;
    if (!protection) return 0;
    let n = 0;
    for (;;) {
      const rows = await this.db.selectFrom('idTokens').select('idToken').where('uidIndex', 'is', null).orderBy('idToken').limit(batch).execute();
      for (const { idToken } of rows) {
        const r = await this.db.updateTable('idTokens').set(await protection.protect(idToken)).where('idToken', '=', idToken).where('uidIndex', 'is', null).executeTakeFirst();
        n += Number(r.numUpdatedRows);
      }
      if (rows.length < batch) return n;
    }
  }
}
