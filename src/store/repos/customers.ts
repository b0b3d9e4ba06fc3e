import type { Kysely } from 'kysely';
import { DuplicateError, isUniqueViolation } from '../errors.js';
import type { CdrRow, Consent, CustomerConsentEvent, CustomerRow, Database, IdTokenRecord, Transaction, UserRow } from '../schema.js';

/** The encrypted columns of a customer, as the customer service computed them. */
export interface CustomerBoxes {
  nameEncrypted?: string | null;
  emailEncrypted?: string | null;
  emailIndex?: string | null;
  phoneEncrypted?: string | null;
  billingAddressEncrypted?: string | null;
  paymentReferenceEncrypted?: string | null;
}

/** Customers (migration 0020). Only boxes and blind indexes pass through here, never plaintext. */
export class CustomerRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** @throws DuplicateError when the e-mail index (or, improbably, the reference) is taken */
  async create(reference: string, boxes: CustomerBoxes, consents: Record<string, Consent> = {}): Promise<CustomerRow> {
    try {
      return await this.db.insertInto('customers').values({ reference, ...boxes, consents: JSON.stringify(consents) }).returningAll().executeTakeFirstOrThrow();
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('customer', reference, err);
      throw err;
    }
  }

  get(id: number): Promise<CustomerRow | undefined> {
    return this.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  byReference(reference: string): Promise<CustomerRow | undefined> {
    return this.db.selectFrom('customers').selectAll().where('reference', '=', reference).executeTakeFirst();
  }

  byEmailIndex(emailIndex: string): Promise<CustomerRow | undefined> {
    return this.db.selectFrom('customers').selectAll().where('emailIndex', '=', emailIndex).executeTakeFirst();
  }

  /** @throws DuplicateError when a new e-mail index is another customer's */
  async update(id: number, patch: CustomerBoxes & { consents?: Record<string, Consent> }): Promise<CustomerRow | undefined> {
    const { consents, ...boxes } = patch;
    try {
      return await this.db
        .updateTable('customers')
        .set((eb) => ({ ...boxes, ...(consents && { consents: JSON.stringify(consents) }), updatedAt: eb.fn<Date>('now') }))
        .where('id', '=', id)
        .where('status', '=', 'active')
        .returningAll()
        .executeTakeFirst();
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('customer', String(id), err);
      throw err;
    }
  }

  async list(opts: { limit: number; offset: number; status?: CustomerRow['status']; sort?: 'id' | 'reference' | 'createdAt'; order?: 'asc' | 'desc' }): Promise<{ rows: CustomerRow[]; total: number }> {
    let q = this.db.selectFrom('customers');
    if (opts.status) q = q.where('status', '=', opts.status);
    const [rows, total] = await Promise.all([
      q.selectAll().orderBy(opts.sort ?? 'id', opts.order ?? 'asc').orderBy('id').limit(opts.limit).offset(opts.offset).execute(),
      q.select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow().then((r) => Number(r.n)),
    ]);
    return { rows, total };
  }

  /** Sets the current state of consents and appends each change to the history, in one transaction. */
  async recordConsents(id: number, consents: Record<string, Consent>, changes: { consent: string; granted: boolean; version: string | null }[], recordedBy: string): Promise<CustomerRow | undefined> {
    return this.db.transaction().execute(async (tx) => {
      const row = await tx.updateTable('customers').set((eb) => ({ consents: JSON.stringify(consents), updatedAt: eb.fn<Date>('now') }))
        .where('id', '=', id).where('status', '=', 'active').returningAll().executeTakeFirst();
      if (row && changes.length) await tx.insertInto('customerConsentEvents').values(changes.map((c) => ({ customerId: id, ...c, recordedBy }))).execute();
      return row;
    });
  }

  consentHistory(id: number): Promise<CustomerConsentEvent[]> {
    return this.db.selectFrom('customerConsentEvents').selectAll().where('customerId', '=', id).orderBy('id').execute();
  }

  /** Links a token (by pseudonym) to a customer, or unlinks it (null); undefined when no such token. */
  linkToken(pseudonym: string, customerId: number | null, contractId: string | null): Promise<IdTokenRecord | undefined> {
    return this.db.updateTable('idTokens').set((eb) => ({ customerId, contractId, updatedAt: eb.fn<Date>('now') }))
      .where('pseudonym', '=', pseudonym).returningAll().executeTakeFirst();
  }

  tokensOf(customerId: number): Promise<IdTokenRecord[]> {
    return this.db.selectFrom('idTokens').selectAll().where('customerId', '=', customerId).orderBy('pseudonym').execute();
  }

  /** Transactions started with one of the given tokens (by pseudonym, as transactions store them), newest first. */
  transactionsOf(tokens: readonly string[], limit: number, offset: number): Promise<Transaction[]> {
    if (!tokens.length) return Promise.resolve([]);
    return this.db.selectFrom('transactions').selectAll().where('idToken', 'in', [...tokens]).orderBy('startedAt', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute();
  }

  /** CDRs billed to the customer or issued for one of its tokens (by their CDR pseudonyms), newest first. */
  cdrsOf(customerId: number, tokenPseudonyms: readonly string[], limit: number, offset: number): Promise<CdrRow[]> {
    return this.db.selectFrom('cdrs').selectAll()
      .where((eb) => eb.or([eb('customerId', '=', customerId), ...(tokenPseudonyms.length ? [eb('tokenUid', 'in', [...tokenPseudonyms])] : [])]))
      .orderBy('startDateTime', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute();
  }

  /** One CDR, only if it is the customer's (billed to it or issued for one of its tokens). */
  cdrOf(customerId: number, tokenPseudonyms: readonly string[], cdrId: number): Promise<CdrRow | undefined> {
    return this.db.selectFrom('cdrs').selectAll().where('id', '=', cdrId)
      .where((eb) => eb.or([eb('customerId', '=', customerId), ...(tokenPseudonyms.length ? [eb('tokenUid', 'in', [...tokenPseudonyms])] : [])]))
      .executeTakeFirst();
  }

  /** The original (not credit) CDRs of the given transactions. */
  cdrsOfTransactions(transactionIds: readonly number[]): Promise<CdrRow[]> {
    if (!transactionIds.length) return Promise.resolve([]);
    return this.db.selectFrom('cdrs').selectAll().where('transactionId', 'in', [...transactionIds]).where('creditOf', 'is', null).execute();
  }

  portalAccounts(customerId: number): Promise<UserRow[]> {
    return this.db.selectFrom('users').selectAll().where('customerId', '=', customerId).orderBy('id').execute();
  }

  /** Links a portal account to its customer (right after UserAdmin created it). */
  async linkAccount(userId: number, customerId: number): Promise<void> {
    await this.db.updateTable('users').set({ customerId }).where('id', '=', userId).execute();
  }

  /**
   * Erasure of the customer row (G3): every box and the blind index nulled, status `erased`,
   * portal accounts deleted (their sessions go with them). One transaction: half an erasure
   * would leave a customer who can still sign in but has no data.
   */
  async erase(id: number): Promise<{ customers: number; portalAccounts: number }> {
    return this.db.transaction().execute(async (tx) => {
      const users = await tx.deleteFrom('users').where('customerId', '=', id).executeTakeFirst();
      const row = await tx.updateTable('customers').set((eb) => ({
        status: 'erased', nameEncrypted: null, emailEncrypted: null, emailIndex: null, phoneEncrypted: null,
        billingAddressEncrypted: null, paymentReferenceEncrypted: null, updatedAt: eb.fn<Date>('now'), erasedAt: eb.fn<Date>('now'),
      })).where('id', '=', id).where('status', '=', 'active').executeTakeFirst();
      return { customers: Number(row.numUpdatedRows), portalAccounts: Number(users.numDeletedRows) };
    });
  }
}
