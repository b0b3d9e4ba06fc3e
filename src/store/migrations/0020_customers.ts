// Customers of the eMSP (issue 6, P3/G2): every personal field is stored only as an AEAD box
// (PrivacyService.fields), with a blind index for the one lookup by value (e-mail). Tokens, portal
// accounts and CDRs point at the customer they belong to. Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('customers')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    // public customer number shown on invoices and in the portal (`C-…`, random, never personal)
    .addColumn('reference', 'text', (c) => c.notNull().unique())
    // 'active' | 'erased' (after a data-subject erasure every *_encrypted column is null)
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('name_encrypted', 'text')
    .addColumn('email_encrypted', 'text')
    // HMAC of the normalized e-mail address: lookups and uniqueness without the plaintext
    .addColumn('email_index', 'text', (c) => c.unique())
    .addColumn('phone_encrypted', 'text')
    // AES-GCM box of the JSON billing address
    .addColumn('billing_address_encrypted', 'text')
    // the payment provider's token for the customer's payment means, never a card number
    .addColumn('payment_reference_encrypted', 'text')
    // consent name → { granted, at, version }
    .addColumn('consents', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('erased_at', 'timestamptz')
    .execute();
  await db.schema
    .alterTable('id_tokens')
    .addColumn('customer_id', 'bigint', (c) => c.references('customers.id').onDelete('set null'))
    // eMSP contract the token charges under (an eMAID such as NL-TNM-C12345678-X); not personal by itself
    .addColumn('contract_id', 'text')
    .execute();
  await db.schema.createIndex('id_tokens_customer_idx').on('id_tokens').column('customer_id').execute();
  // a portal account of a customer (role `customer`) sees only that customer's data
  await db.schema.alterTable('users').addColumn('customer_id', 'bigint', (c) => c.references('customers.id').onDelete('cascade')).execute();
  // the customer a CDR is billed to, fixed when it is issued (cdrs are immutable: set on insert only)
  await db.schema.alterTable('cdrs').addColumn('customer_id', 'bigint', (c) => c.references('customers.id')).execute();
  await db.schema.createIndex('cdrs_customer_idx').on('cdrs').columns(['customer_id', 'start_date_time']).execute();
}
