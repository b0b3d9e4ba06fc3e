// Consent history of customers (issue 6): customers.consents holds the current state of each
// consent; this append-only table keeps every grant and withdrawal with the version of the text
// the customer saw, which is what proves a consent (GDPR Art. 7(1)). It holds no personal data
// of its own (a consent name, a flag, a version), so it stays after an erasure, keyed by the
// erased customer's id. Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('customer_consent_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('customer_id', 'bigint', (c) => c.notNull().references('customers.id'))
    // e.g. `marketing-email`, `terms`: a fixed vocabulary of the operator, never free text of the customer
    .addColumn('consent', 'text', (c) => c.notNull())
    .addColumn('granted', 'boolean', (c) => c.notNull())
    // version of the consent text shown when it was given or withdrawn
    .addColumn('version', 'text')
    // who recorded it: the customer (`user:…` of the portal account) or a staff member
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('customer_consent_events_customer_idx').on('customer_consent_events').columns(['customer_id', 'id']).execute();
}
