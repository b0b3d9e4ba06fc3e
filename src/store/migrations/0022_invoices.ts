// Invoices (issue 6): per customer, period and currency, built from CDRs; numbered only when
// issued, from a gapless series per year; immutable in the database once issued (like cdrs),
// except for the status moves paid/void and the erasure of the billing snapshot. Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per year: the last number handed out. Issuing updates it in the same transaction that
  // numbers the invoice, so a failed issue rolls the counter back (gapless) and the row lock
  // serializes concurrent issues (sequential).
  await db.schema
    .createTable('invoice_counters')
    .addColumn('year', 'integer', (c) => c.primaryKey())
    .addColumn('last_number', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('invoices')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    // no cascade: a customer with invoices is erased (pseudonymized), never deleted
    .addColumn('customer_id', 'bigint', (c) => c.notNull().references('customers.id'))
    // the public customer number, kept in clear: it is random and stays after an erasure
    .addColumn('customer_reference', 'text', (c) => c.notNull())
    // billing period `YYYY-MM` (UTC months) and its bounds; it bills the CDRs issued by its end that
    // no earlier invoice took (late ones are carried over, never lost)
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('period_start', 'timestamptz', (c) => c.notNull())
    .addColumn('period_end', 'timestamptz', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    // 'draft' | 'issued' | 'paid' | 'void'
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(sql`status in ('draft', 'issued', 'paid', 'void')`))
    // e.g. INV-2026-000042; null while a draft, kept when voided
    .addColumn('number', 'text', (c) => c.unique())
    .addColumn('number_year', 'integer')
    .addColumn('number_seq', 'integer')
    // totals in minor units; the V2G credit is already deducted from them (as in the CDRs)
    .addColumn('total_excl_vat_minor', 'bigint', (c) => c.notNull())
    .addColumn('total_incl_vat_minor', 'bigint', (c) => c.notNull())
    // [{ rate, baseMinor, vatMinor }] per VAT rate, for the VAT breakdown the law asks for
    .addColumn('vat_breakdown', 'jsonb', (c) => c.notNull())
    .addColumn('energy_import_wh', 'bigint', (c) => c.notNull())
    .addColumn('energy_export_wh', 'bigint', (c) => c.notNull())
    // the V2G remuneration of exported energy, shown as its own figure
    .addColumn('v2g_credit_excl_vat_minor', 'bigint', (c) => c.notNull())
    .addColumn('v2g_credit_incl_vat_minor', 'bigint', (c) => c.notNull())
    // AES-GCM box (PrivacyService.fields, aad bound to this row) of the name and billing address
    // at issue; null for drafts and after an erasure
    .addColumn('billing_snapshot_encrypted', 'text')
    .addColumn('billing_erased_at', 'timestamptz')
    .addColumn('issued_at', 'timestamptz')
    .addColumn('paid_at', 'timestamptz')
    .addColumn('voided_at', 'timestamptz')
    .addColumn('void_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // one invoice per customer × period × currency
    .addUniqueConstraint('invoices_customer_period_currency', ['customer_id', 'period', 'currency'])
    .addUniqueConstraint('invoices_number_seq', ['number_year', 'number_seq'])
    .addCheckConstraint('invoices_numbered', sql`(status = 'draft') = (number is null)`)
    .execute();
  await db.schema.createIndex('invoices_status_idx').on('invoices').columns(['status', 'period']).execute();

  await db.schema
    .createTable('invoice_lines')
    .addColumn('invoice_id', 'bigint', (c) => c.notNull().references('invoices.id').onDelete('cascade'))
    // a CDR is on at most one invoice: the primary key enforces it
    .addColumn('cdr_id', 'bigint', (c) => c.primaryKey().references('cdrs.id'))
    .execute();
  await db.schema.createIndex('invoice_lines_invoice_idx').on('invoice_lines').column('invoice_id').execute();

  // An issued invoice is a billing document: only the status moves (issued → paid | void,
  // paid → void) and the erasure of its billing snapshot may change it, and it is never deleted.
  await sql`CREATE FUNCTION invoices_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      mutable CONSTANT text[] := ARRAY['status', 'paid_at', 'voided_at', 'void_reason', 'billing_snapshot_encrypted', 'billing_erased_at', 'updated_at'];
    BEGIN
      IF OLD.status = 'draft' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
      END IF;
      IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'issued invoices are immutable: void it instead'; END IF;
      IF (to_jsonb(NEW) - mutable) IS DISTINCT FROM (to_jsonb(OLD) - mutable) THEN
        RAISE EXCEPTION 'issued invoices are immutable';
      END IF;
      IF NEW.status <> OLD.status AND NOT (
        (OLD.status = 'issued' AND NEW.status IN ('paid', 'void')) OR (OLD.status = 'paid' AND NEW.status = 'void')
      ) THEN
        RAISE EXCEPTION 'invoice status cannot move from % to %', OLD.status, NEW.status;
      END IF;
      IF NEW.billing_snapshot_encrypted IS NOT NULL AND NEW.billing_snapshot_encrypted IS DISTINCT FROM OLD.billing_snapshot_encrypted THEN
        RAISE EXCEPTION 'the billing snapshot of an issued invoice can only be erased';
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`CREATE TRIGGER invoices_immutable BEFORE UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION invoices_guard()`.execute(db);
  await sql`CREATE FUNCTION invoices_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'invoices are immutable: void them instead'; END $$`.execute(db);
  await sql`CREATE TRIGGER invoices_no_truncate BEFORE TRUNCATE ON invoices
    FOR EACH STATEMENT EXECUTE FUNCTION invoices_no_truncate()`.execute(db);

  // the lines of an invoice change only while it is a draft
  await sql`CREATE FUNCTION invoice_lines_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      s text;
    BEGIN
      SELECT status INTO s FROM invoices WHERE id = COALESCE(NEW.invoice_id, OLD.invoice_id);
      IF s IS NOT NULL AND s <> 'draft' THEN RAISE EXCEPTION 'the lines of an issued invoice are immutable'; END IF;
      IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`CREATE TRIGGER invoice_lines_immutable BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION invoice_lines_guard()`.execute(db);
}
