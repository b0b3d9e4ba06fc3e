import type { Kysely } from 'kysely';
import { DuplicateError, isUniqueViolation } from '../errors.js';
import type { Consent, CustomerRow, Database } from '../schema.js';

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

  update(id: number, patch: CustomerBoxes & { consents?: Record<string, Consent> }): Promise<CustomerRow | undefined> {
    const { consents, ...boxes } = patch;
    return this.db
      .updateTable('customers')
      .set((eb) => ({ ...boxes, ...(consents && { consents: JSON.stringify(consents) }), updatedAt: eb.fn<Date>('now') }))
      .where('id', '=', id)
      .where('status', '=', 'active')
      .returningAll()
      .executeTakeFirst();
  }
}
