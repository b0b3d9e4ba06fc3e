import type { InvoiceQuery, InvoiceRepo } from '../../store/repos/invoices.js';
import { InvoiceStateError } from '../../store/repos/invoices.js';
import { isUniqueViolation } from '../../store/errors.js';
import type { InvoiceRow, InvoiceStatus } from '../../store/schema.js';
import type { FieldEncryption } from '../crypto/field-encryption.js';
import type { BillingAddress, BillingDetails } from '../customers/customer-service.js';
import { invoiceFigures, invoiceLine, type InvoiceFigures, type InvoiceLine } from './figures.js';
import { billingPeriod } from './period.js';
import { renderInvoicePdf, type PdfOptions } from './pdf.js';

export class InvoiceError extends Error {
  constructor(readonly code: 'not_found' | 'conflict' | 'invalid', message: string) {
    super(message);
    this.name = 'InvoiceError';
  }
}

/** Who the invoice is addressed to, as it was at issue (null after an erasure or on a draft). */
export interface BillingSnapshot {
  name?: string;
  billingAddress?: BillingAddress;
}

/** An invoice as the API, the PDF and the data-subject export show it. */
export interface Invoice extends InvoiceFigures {
  id: number;
  number: string | null;
  status: InvoiceStatus;
  customerId: number;
  customerReference: string;
  period: string;
  periodStart: Date;
  periodEnd: Date;
  currency: string;
  /** decrypted; null for drafts and once erased */
  billing: BillingSnapshot | null;
  billingErasedAt: Date | null;
  issuedAt: Date | null;
  paidAt: Date | null;
  voidedAt: Date | null;
  voidReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface InvoiceWithLines extends Invoice {
  lines: InvoiceLine[];
}

/** What a monthly run did. */
export interface RunReport {
  period: string;
  customers: number;
  drafts: number;
  issued: number;
  /** customers whose invoice could not be built (logged by id only) */
  failed: number[];
}

/** The aad of an invoice's billing snapshot: the box cannot be moved to another invoice. */
const snapshotAad = (invoiceId: number) => `invoices.billing:${invoiceId}`;
const numberOf = (year: number, seq: number) => `INV-${year}-${String(seq).padStart(6, '0')}`;

/**
 * Invoices per customer, period and currency, built from the customer's CDRs. A draft can be
 * rebuilt any time; issuing numbers it (gapless per year, see InvoiceRepo.issue) and seals the
 * customer's name and billing address as they are at that moment; then only its status moves.
 */
export class InvoiceService {
  constructor(
    private readonly repo: InvoiceRepo,
    /** CustomerService.billingDetails */
    private readonly billingOf: (customerId: number) => Promise<BillingDetails | undefined>,
    private readonly fields: FieldEncryption,
    private readonly now: () => Date = () => new Date(),
    /** the seller block of every PDF (OV2X_INVOICE_SELLER) */
    private readonly seller: readonly string[] = [],
  ) {}

  /** The invoice as a PDF, with the operator's seller block (one rendering for the API and the CLI). */
  pdf(inv: InvoiceWithLines, opts: Omit<PdfOptions, 'seller'> = {}): Promise<Buffer> {
    return renderInvoicePdf(inv, { ...opts, seller: this.seller });
  }

  /**
   * Builds (or rebuilds) the drafts of a customer for a period from the priced CDRs issued in it
   * (or before it, if no invoice took them yet) that no other invoice holds: one per currency.
   * Issued invoices of the period are kept.
   * @throws InvoiceError not_found for an unknown customer, invalid for a bad period, conflict when another run took the same CDRs meanwhile
   */
  async generate(customerId: number, period: string): Promise<Invoice[]> {
    const p = this.period(period);
    const billing = await this.billingOf(customerId);
    if (!billing) throw new InvoiceError('not_found', 'customer not found');
    const cdrs = await this.repo.billable(customerId, p.period, p.end);
    const byCurrency = new Map<string, typeof cdrs>();
    for (const c of cdrs) byCurrency.set(c.currency!, [...(byCurrency.get(c.currency!) ?? []), c]);
    const drafts = [...byCurrency].map(([currency, rows]) => ({
      customerId, customerReference: billing.reference, period: p.period, periodStart: p.start, periodEnd: p.end, currency,
      ...(({ vatBreakdown, ...rest }) => ({ ...rest, vatBreakdown: JSON.stringify(vatBreakdown) }))(invoiceFigures(rows.map(invoiceLine))),
      cdrIds: rows.map((r) => r.id),
    }));
    try {
      const rows = await this.repo.saveDrafts(customerId, p.period, drafts);
      return Promise.all(rows.map((r) => this.open(r)));
    } catch (err) {
      if (isUniqueViolation(err)) throw new InvoiceError('conflict', 'a CDR of this draft was invoiced meanwhile; generate again');
      throw err;
    }
  }

  /**
   * Numbers a draft and seals the billing snapshot.
   * @throws InvoiceError not_found, or conflict when it is not a draft
   */
  async issue(id: number): Promise<Invoice> {
    const draft = await this.repo.get(id);
    if (!draft) throw new InvoiceError('not_found', 'invoice not found');
    const billing = await this.billingOf(draft.customerId);
    const snapshot: BillingSnapshot = { name: billing?.name, billingAddress: billing?.billingAddress };
    // sealed before the numbering transaction, which then runs SQL only
    const box = billing?.name || billing?.billingAddress ? await this.fields.encryptField(JSON.stringify(snapshot), snapshotAad(id)) : null;
    try {
      return await this.open(await this.repo.issue(id, this.now(), numberOf, box));
    } catch (err) {
      if (err instanceof InvoiceStateError) throw new InvoiceError(err.status ? 'conflict' : 'not_found', err.message);
      throw err;
    }
  }

  /** @throws InvoiceError not_found, conflict unless issued */
  async markPaid(id: number): Promise<Invoice> {
    return this.move(id, ['issued'], { status: 'paid', paidAt: this.now() });
  }

  /** Void keeps the number (the series stays gapless) and the lines: its CDRs stay billed by it. */
  async void(id: number, reason: string): Promise<Invoice> {
    return this.move(id, ['issued', 'paid'], { status: 'void', voidedAt: this.now(), voidReason: reason });
  }

  async get(id: number): Promise<InvoiceWithLines | undefined> {
    const row = await this.repo.get(id);
    if (!row) return undefined;
    return { ...(await this.open(row)), lines: (await this.repo.lines(id)).map(invoiceLine) };
  }

  async search(q: InvoiceQuery): Promise<{ items: Invoice[]; total: number }> {
    const { items, total } = await this.repo.search(q);
    return { items: await Promise.all(items.map((r) => this.open(r))), total };
  }

  async ofCustomer(customerId: number): Promise<InvoiceWithLines[]> {
    const rows = await this.repo.ofCustomer(customerId);
    return Promise.all(rows.map(async (r) => ({ ...(await this.open(r)), lines: (await this.repo.lines(r.id)).map(invoiceLine) })));
  }

  /** Erasure: every billing snapshot of the customer dropped; the reference, numbers, lines and amounts stay. */
  eraseBilling(customerId: number): Promise<number> {
    return this.repo.eraseBilling(customerId, this.now());
  }

  /**
   * The monthly run: drafts for every customer with uninvoiced CDRs issued by the period's end, issued too when
   * asked. One customer failing does not stop the others.
   */
  async run(period: string, opts: { issue: boolean }, onError?: (customerId: number, err: unknown) => void): Promise<RunReport> {
    const p = this.period(period);
    const customers = await this.repo.customersToBill(p.end);
    const report: RunReport = { period: p.period, customers: customers.length, drafts: 0, issued: 0, failed: [] };
    for (const customerId of customers) {
      try {
        const drafts = (await this.generate(customerId, p.period)).filter((d) => d.status === 'draft');
        report.drafts += drafts.length;
        if (opts.issue) for (const d of drafts) { await this.issue(d.id); report.issued++; }
      } catch (err) {
        report.failed.push(customerId);
        onError?.(customerId, err);
      }
    }
    return report;
  }

  private period(period: string) {
    try {
      return billingPeriod(period);
    } catch (err) {
      throw new InvoiceError('invalid', (err as Error).message);
    }
  }

  private async move(id: number, from: InvoiceStatus[], set: Parameters<InvoiceRepo['setStatus']>[2]): Promise<Invoice> {
    const row = await this.repo.setStatus(id, from, set);
    if (row) return this.open(row);
    const current = await this.repo.get(id);
    if (!current) throw new InvoiceError('not_found', 'invoice not found');
    throw new InvoiceError('conflict', `invoice ${id} is ${current.status}; ${set.status} needs ${from.join(' or ')}`);
  }

  private async open(r: InvoiceRow): Promise<Invoice> {
    const billing = r.billingSnapshotEncrypted ? (JSON.parse(await this.fields.decryptField(r.billingSnapshotEncrypted, snapshotAad(r.id))) as BillingSnapshot) : null;
    return {
      id: r.id, number: r.number, status: r.status, customerId: r.customerId, customerReference: r.customerReference,
      period: r.period, periodStart: r.periodStart, periodEnd: r.periodEnd, currency: r.currency,
      totalExclVatMinor: r.totalExclVatMinor, totalInclVatMinor: r.totalInclVatMinor, vatBreakdown: r.vatBreakdown,
      energyImportWh: r.energyImportWh, energyExportWh: r.energyExportWh,
      v2gCreditExclVatMinor: r.v2gCreditExclVatMinor, v2gCreditInclVatMinor: r.v2gCreditInclVatMinor,
      billing, billingErasedAt: r.billingErasedAt,
      issuedAt: r.issuedAt, paidAt: r.paidAt, voidedAt: r.voidedAt, voidReason: r.voidReason, createdAt: r.createdAt, updatedAt: r.updatedAt,
    };
  }
}
