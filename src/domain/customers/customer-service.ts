import { randomBytes } from 'node:crypto';
import type { CustomerRepo } from '../../store/repos/customers.js';
import type { Consent, CustomerConsentEvent, CustomerRow } from '../../store/schema.js';
import type { FieldEncryption, KeyRing } from '../crypto/field-encryption.js';
import { KeyedHash, toBase32 } from '../privacy/keyed-hash.js';
import { checkPaymentReference, type PaymentReferenceProblem } from './payment-reference.js';

export interface BillingAddress {
  line1: string;
  line2?: string;
  postalCode: string;
  city: string;
  /** ISO 3166-1 alpha-2 */
  country: string;
}

/** A customer's personal data in clear: only ever in memory, never stored or logged as such. */
export interface CustomerDetails {
  name: string;
  email: string;
  phone?: string;
  billingAddress?: BillingAddress;
  /** the payment provider's token (e.g. a PSP customer or mandate id), never a card number */
  paymentReference?: string;
}

export interface Customer extends Partial<CustomerDetails> {
  id: number;
  reference: string;
  status: CustomerRow['status'];
  consents: Record<string, Consent>;
  createdAt: Date;
  updatedAt: Date;
  erasedAt: Date | null;
}

/** What an invoice needs to address the customer. */
export interface BillingDetails {
  reference: string;
  name?: string;
  billingAddress?: BillingAddress;
}

type Field = 'name' | 'email' | 'phone' | 'billingAddress' | 'paymentReference';
const column = {
  name: 'nameEncrypted', email: 'emailEncrypted', phone: 'phoneEncrypted',
  billingAddress: 'billingAddressEncrypted', paymentReference: 'paymentReferenceEncrypted',
} as const satisfies Record<Field, keyof CustomerRow>;

/** The aad of a customer field: a box cannot be moved to another customer or column. */
const aad = (customerId: number | string, field: Field) => `customers.${field}:${customerId}`;

/** A change of one consent, as the customer or staff recorded it. */
export interface ConsentChange {
  consent: string;
  granted: boolean;
  /** version of the consent text shown */
  version?: string;
}

/** Why a customer change is refused; the API maps the code to its status. */
export class CustomerRefused extends Error {
  constructor(readonly code: PaymentReferenceProblem | 'erased', message: string) {
    super(message);
    this.name = 'CustomerRefused';
  }
}

/** Refuses a payment reference that is not a PSP token; the value itself never goes into the message. */
function checkDetails(details: Partial<{ paymentReference: string | null }>): void {
  const ref = details.paymentReference;
  if (ref === undefined || ref === null) return;
  const problem = checkPaymentReference(ref);
  if (problem === 'card_number') throw new CustomerRefused(problem, 'the payment reference looks like a card number: store the payment provider\'s token instead');
  if (problem) throw new CustomerRefused(problem, 'the payment reference must be the payment provider\'s token: 3–128 printable characters without spaces');
}

export const normalizeEmail = (email: string): string => email.trim().normalize('NFC').toLowerCase();

/**
 * Customers of the eMSP with their personal fields encrypted at rest (G2): each field an AEAD
 * box bound to its row and column, the e-mail also as a blind index for lookups and uniqueness.
 */
export class CustomerService {
  private readonly emailHash: KeyedHash;

  constructor(private readonly repo: CustomerRepo, private readonly fields: FieldEncryption, keys: KeyRing) {
    this.emailHash = new KeyedHash(keys, 'email-index-1', 'blind-index');
  }

  async emailIndex(email: string): Promise<string> {
    return (await this.emailHash.digest(normalizeEmail(email))).toString('base64url');
  }

  /** @throws DuplicateError (store) when the e-mail address is taken */
  async create(details: CustomerDetails, consents: Record<string, Consent> = {}, recordedBy = 'system'): Promise<Customer> {
    checkDetails(details);
    // the reference is random: sequential numbers would tell how many customers there are
    const reference = `C-${toBase32(randomBytes(8)).toUpperCase()}`;
    const row = await this.repo.create(reference, { emailIndex: await this.emailIndex(details.email) }, consents);
    const updated = await this.repo.update(row.id, await this.boxes(row.id, details));
    // consents given at sign-up start the history like any later change
    const initial = Object.entries(consents).map(([consent, c]) => ({ consent, granted: c.granted, version: c.version ?? null }));
    if (initial.length) await this.repo.recordConsents(row.id, consents, initial, recordedBy);
    return this.open(updated ?? row);
  }

  async get(id: number): Promise<Customer | undefined> {
    const row = await this.repo.get(id);
    return row && this.open(row);
  }

  async billingDetails(customerId: number): Promise<BillingDetails | undefined> {
    const c = await this.get(customerId);
    return c && { reference: c.reference, name: c.name, billingAddress: c.billingAddress };
  }

  /** The boxes of the given fields (undefined fields are left out, null clears). */
  async boxes(customerId: number, details: Partial<{ [F in Field]: CustomerDetails[F] | null }>): Promise<Partial<Record<(typeof column)[Field], string | null>> & { emailIndex?: string }> {
    const out: Partial<Record<(typeof column)[Field], string | null>> & { emailIndex?: string } = {};
    for (const field of Object.keys(column) as Field[]) {
      const value = details[field];
      if (value === undefined) continue;
      out[column[field]] = value === null ? null : await this.fields.encryptField(typeof value === 'string' ? value : JSON.stringify(value), aad(customerId, field));
    }
    if (details.email) out.emailIndex = await this.emailIndex(details.email);
    return out;
  }

  /** A stored customer with its fields decrypted. */
  async open(row: CustomerRow): Promise<Customer> {
    const c: Customer = { id: row.id, reference: row.reference, status: row.status, consents: row.consents, createdAt: row.createdAt, updatedAt: row.updatedAt, erasedAt: row.erasedAt };
    for (const field of Object.keys(column) as Field[]) {
      const box = row[column[field]];
      if (!box) continue;
      const clear = await this.fields.decryptField(box, aad(row.id, field));
      (c as unknown as Record<string, unknown>)[field] = field === 'billingAddress' ? (JSON.parse(clear) as BillingAddress) : clear;
    }
    return c;
  }

  /**
   * Changes personal fields (undefined: unchanged, null: cleared; name and e-mail cannot be
   * cleared). Undefined when there is no such customer.
   * @throws CustomerRefused (erased customer, card number as payment reference)
   * @throws DuplicateError (store) when the new e-mail address is another customer's
   */
  async update(id: number, details: Partial<{ name: string; email: string; phone: string | null; billingAddress: BillingAddress | null; paymentReference: string | null }>): Promise<Customer | undefined> {
    checkDetails(details);
    const row = await this.repo.get(id);
    if (!row) return undefined;
    if (row.status === 'erased') throw new CustomerRefused('erased', 'the customer was erased');
    const updated = await this.repo.update(id, await this.boxes(id, details));
    if (!updated) throw new CustomerRefused('erased', 'the customer was erased');
    return this.open(updated);
  }

  async list(opts: Parameters<CustomerRepo['list']>[0]): Promise<{ items: Customer[]; total: number }> {
    const { rows, total } = await this.repo.list(opts);
    return { items: await Promise.all(rows.map((r) => this.open(r))), total };
  }

  async byReference(reference: string): Promise<Customer | undefined> {
    const row = await this.repo.byReference(reference);
    return row && this.open(row);
  }

  /** By exact e-mail address, through the blind index: the plaintext is never searched or stored. */
  async byEmail(email: string): Promise<Customer | undefined> {
    const row = await this.repo.byEmailIndex(await this.emailIndex(email));
    return row && this.open(row);
  }

  /**
   * Grants or withdraws consents: the current state on the customer, each change appended to
   * the history with its time and text version (the proof of consent, Art. 7(1)).
   */
  async setConsents(id: number, changes: readonly ConsentChange[], recordedBy: string): Promise<Customer | undefined> {
    const row = await this.repo.get(id);
    if (!row) return undefined;
    if (row.status === 'erased') throw new CustomerRefused('erased', 'the customer was erased');
    const at = new Date().toISOString();
    const consents = { ...row.consents };
    for (const c of changes) consents[c.consent] = { granted: c.granted, at, ...(c.version !== undefined && { version: c.version }) };
    const updated = await this.repo.recordConsents(id, consents, changes.map((c) => ({ consent: c.consent, granted: c.granted, version: c.version ?? null })), recordedBy);
    if (!updated) throw new CustomerRefused('erased', 'the customer was erased');
    return this.open(updated);
  }

  consentHistory(id: number): Promise<CustomerConsentEvent[]> {
    return this.repo.consentHistory(id);
  }
}
