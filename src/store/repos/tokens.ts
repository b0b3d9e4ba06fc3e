import type { Kysely } from 'kysely';
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

export class TokenRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Creates the token or replaces all its attributes. */
  async upsert(input: IdTokenInput): Promise<IdTokenRecord> {
    const values = {
      idToken: input.idToken,
      type: input.type ?? 'ISO14443',
      status: input.status,
      expiresAt: input.expiresAt ?? null,
      groupIdToken: input.groupIdToken ?? null,
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
          updatedAt: eb.fn<Date>('now'),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async get(idToken: string): Promise<IdTokenRecord | undefined> {
    return this.db.selectFrom('idTokens').selectAll().where('idToken', '=', idToken).executeTakeFirst();
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

  /** Every token, in idToken order: the source local authorization lists are derived from. */
  async all(): Promise<IdTokenRecord[]> {
    return this.db.selectFrom('idTokens').selectAll().orderBy('idToken').execute();
  }

  async setStatus(idToken: string, status: IdTokenStatus): Promise<boolean> {
    const r = await this.db
      .updateTable('idTokens')
      .set((eb) => ({ status, updatedAt: eb.fn<Date>('now') }))
      .where('idToken', '=', idToken)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }
}
