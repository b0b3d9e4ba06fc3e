import { sql, type Kysely } from 'kysely';
import type { CdrRow, Database, InvoiceRow, InvoiceStatus, NewInvoice } from '../schema.js';

/** What a draft holds; the repo writes it with its lines in one transaction. */
export type DraftInvoice = Omit<NewInvoice, 'status' | 'number' | 'numberYear' | 'numberSeq' | 'billingSnapshotEncrypted' | 'issuedAt'> & { cdrIds: readonly number[] };

export interface InvoiceQuery {
  limit: number;
  offset: number;
  customerId?: number;
  status?: InvoiceStatus;
  period?: string;
  /** drafts left out (what a customer sees) */
  issuedOnly?: boolean;
}

/** Thrown when an invoice is not in the state a change needs (e.g. issuing a paid one). */
export class InvoiceStateError extends Error {
  constructor(readonly status: InvoiceStatus | undefined, message: string) {
    super(message);
    this.name = 'InvoiceStateError';
  }
}

/** Invoices and their lines (migration 0022); the database guards issued invoices. */
export class InvoiceRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * The priced CDRs of a customer issued before `to` that no invoice holds, except drafts of the
   * same customer and period (they are rebuilt), oldest first. No lower bound: a CDR issued after
   * its month's invoice (a late session, a credit CDR) is carried to the next invoice instead of
   * being lost, since there is one invoice per customer, period and currency.
   */
  billable(customerId: number, period: string, to: Date): Promise<CdrRow[]> {
    return this.db.selectFrom('cdrs').selectAll('cdrs')
      .where('cdrs.customerId', '=', customerId)
      .where('cdrs.issuedAt', '<', to)
      .where('cdrs.currency', 'is not', null)
      .where(({ not, exists, selectFrom }) => not(exists(
        selectFrom('invoiceLines').innerJoin('invoices', 'invoices.id', 'invoiceLines.invoiceId').select('invoiceLines.cdrId')
          .whereRef('invoiceLines.cdrId', '=', 'cdrs.id')
          .where((eb) => eb.or([eb('invoices.status', '<>', 'draft'), eb('invoices.customerId', '<>', customerId), eb('invoices.period', '<>', period)])),
      )))
      .orderBy('cdrs.issuedAt').orderBy('cdrs.id')
      .execute();
  }

  /** Customers with priced CDRs issued before `to` that no issued invoice holds, drafts included (the monthly run). */
  async customersToBill(to: Date): Promise<number[]> {
    const rows = await this.db.selectFrom('cdrs').select('customerId').distinct()
      .where('customerId', 'is not', null).where('currency', 'is not', null)
      .where('issuedAt', '<', to)
      .where(({ not, exists, selectFrom }) => not(exists(
        selectFrom('invoiceLines').innerJoin('invoices', 'invoices.id', 'invoiceLines.invoiceId').select('invoiceLines.cdrId')
          .whereRef('invoiceLines.cdrId', '=', 'cdrs.id').where('invoices.status', '<>', 'draft'),
      )))
      .orderBy('customerId').execute();
    return rows.map((r) => r.customerId!);
  }

  /**
   * Writes the drafts of a customer and period (one per currency), replacing the earlier drafts
   * and their lines; drafts of currencies no longer billed are deleted. Issued invoices of the
   * same currency are left alone (their draft is skipped). A CDR another invoice took meanwhile
   * fails the whole write on the lines' primary key.
   */
  async saveDrafts(customerId: number, period: string, drafts: readonly DraftInvoice[]): Promise<InvoiceRow[]> {
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('invoices').selectAll().where('customerId', '=', customerId).where('period', '=', period).forUpdate().execute();
      const out: InvoiceRow[] = [];
      for (const old of existing) {
        if (old.status === 'draft' && !drafts.some((d) => d.currency === old.currency)) await trx.deleteFrom('invoices').where('id', '=', old.id).execute();
      }
      for (const { cdrIds, ...d } of drafts) {
        const old = existing.find((e) => e.currency === d.currency);
        if (old && old.status !== 'draft') continue;
        let row: InvoiceRow;
        if (old) {
          await trx.deleteFrom('invoiceLines').where('invoiceId', '=', old.id).execute();
          row = await trx.updateTable('invoices').set((eb) => ({ ...d, updatedAt: eb.fn<Date>('now') })).where('id', '=', old.id).returningAll().executeTakeFirstOrThrow();
        } else {
          row = await trx.insertInto('invoices').values(d).returningAll().executeTakeFirstOrThrow();
        }
        if (cdrIds.length) await trx.insertInto('invoiceLines').values(cdrIds.map((cdrId) => ({ invoiceId: row.id, cdrId }))).execute();
        out.push(row);
      }
      return out;
    });
  }

  get(id: number): Promise<InvoiceRow | undefined> {
    return this.db.selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The CDRs of an invoice, oldest first. */
  lines(invoiceId: number): Promise<CdrRow[]> {
    return this.db.selectFrom('invoiceLines').innerJoin('cdrs', 'cdrs.id', 'invoiceLines.cdrId').selectAll('cdrs')
      .where('invoiceLines.invoiceId', '=', invoiceId).orderBy('cdrs.issuedAt').orderBy('cdrs.id').execute();
  }

  async search(q: InvoiceQuery): Promise<{ items: InvoiceRow[]; total: number }> {
    let base = this.db.selectFrom('invoices');
    if (q.customerId !== undefined) base = base.where('customerId', '=', q.customerId);
    if (q.status !== undefined) base = base.where('status', '=', q.status);
    if (q.period !== undefined) base = base.where('period', '=', q.period);
    if (q.issuedOnly) base = base.where('status', '<>', 'draft');
    const [items, count] = await Promise.all([
      base.selectAll().orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(count.n) };
  }

  /** Every invoice of a customer, oldest first (the data-subject export). */
  ofCustomer(customerId: number): Promise<InvoiceRow[]> {
    return this.db.selectFrom('invoices').selectAll().where('customerId', '=', customerId).orderBy('id').execute();
  }

  /**
   * Numbers and issues a draft in one transaction: the year's counter row is incremented (and
   * locked until commit, so concurrent issues queue) and the invoice takes that number. Anything
   * failing rolls both back, so the series has no gaps. The billing snapshot box is sealed by the
   * caller beforehand (its aad names the invoice id), so nothing but SQL runs inside.
   * @throws InvoiceStateError when the invoice is not a draft
   */
  async issue(id: number, at: Date, format: (year: number, seq: number) => string, billingSnapshotEncrypted: string | null): Promise<InvoiceRow> {
    return this.db.transaction().execute(async (trx) => {
      const draft = await trx.selectFrom('invoices').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!draft || draft.status !== 'draft') throw new InvoiceStateError(draft?.status, draft ? `invoice ${id} is ${draft.status}, not a draft` : `invoice ${id} not found`);
      const year = at.getUTCFullYear();
      const { lastNumber } = await trx.insertInto('invoiceCounters').values({ year, lastNumber: 1 })
        .onConflict((oc) => oc.column('year').doUpdateSet({ lastNumber: sql<number>`invoice_counters.last_number + 1` }))
        .returning('lastNumber').executeTakeFirstOrThrow();
      return trx.updateTable('invoices')
        .set({ status: 'issued', number: format(year, lastNumber), numberYear: year, numberSeq: lastNumber, issuedAt: at, updatedAt: at, billingSnapshotEncrypted })
        .where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    });
  }

  /** Moves an issued (or paid) invoice on; undefined when it is not in one of the `from` states. */
  setStatus(id: number, from: readonly InvoiceStatus[], set: { status: 'paid'; paidAt: Date } | { status: 'void'; voidedAt: Date; voidReason: string }): Promise<InvoiceRow | undefined> {
    return this.db.updateTable('invoices').set((eb) => ({ ...set, updatedAt: eb.fn<Date>('now') }))
      .where('id', '=', id).where('status', 'in', [...from]).returningAll().executeTakeFirst();
  }

  /** Erasure: the billing snapshots of a customer's invoices are dropped; counts the invoices changed. */
  async eraseBilling(customerId: number, at: Date): Promise<number> {
    const r = await this.db.updateTable('invoices').set({ billingSnapshotEncrypted: null, billingErasedAt: at, updatedAt: at })
      .where('customerId', '=', customerId).where('billingSnapshotEncrypted', 'is not', null).executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}
