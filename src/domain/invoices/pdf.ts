import PDFDocument from 'pdfkit';
import { formatMinor } from '../cdrs/pricing.js';
import type { InvoiceWithLines } from './invoice-service.js';

export interface PdfOptions {
  /** the seller's name and address lines at the top (OV2X_* config; default: none) */
  seller?: readonly string[];
  /** false keeps the content streams readable (tests) */
  compress?: boolean;
}

/** Wh as kWh with three decimals, from the integer (no float rounding). */
export function kwh(wh: number): string {
  const sign = wh < 0 ? '-' : '';
  const s = Math.abs(wh).toString().padStart(4, '0');
  return `${sign}${s.slice(0, -3)}.${s.slice(-3)}`;
}

const day = (d: Date | null): string => (d ? d.toISOString().slice(0, 10) : '-');

const titles = { draft: 'DRAFT invoice (not valid for tax purposes)', issued: 'Invoice', paid: 'Invoice (paid)', void: 'Invoice (VOID)' } as const;

/** the line table: header, width in points, alignment */
const columns = [
  ['Date', 62, 'left'], ['Station', 88, 'left'], ['Session', 80, 'left'], ['kWh imported', 62, 'right'], ['kWh exported', 62, 'right'],
  ['Charge', 56, 'right'], ['V2G credit', 56, 'right'], ['Amount', 56, 'right'],
] as const;

/**
 * The invoice as a PDF (A4, the standard Helvetica fonts, no images): number and dates, the
 * customer reference with the billing name and address sealed at issue, one line per CDR
 * (credit CDRs negative), the V2G credit, the VAT breakdown and the totals. Amounts are the
 * stored minor units formatted exactly; the document dates come from the invoice, so the same
 * invoice renders the same text.
 */
export function renderInvoicePdf(inv: InvoiceWithLines, opts: PdfOptions = {}): Promise<Buffer> {
  const at = inv.issuedAt ?? inv.createdAt;
  const doc = new PDFDocument({
    size: 'A4', margin: 50, compress: opts.compress ?? true,
    info: { Title: inv.number ? `Invoice ${inv.number}` : `Draft invoice ${inv.id}`, Creator: 'OV2X', Producer: 'OV2X', CreationDate: at, ModDate: at },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const money = (minor: number) => `${formatMinor(minor, inv.currency)}`;
  const left = doc.page.margins.left;
  const bottom = () => doc.page.height - doc.page.margins.bottom;

  doc.font('Helvetica');
  for (const l of opts.seller ?? []) doc.fontSize(9).text(l);
  doc.moveDown().font('Helvetica-Bold').fontSize(16).text(titles[inv.status]).font('Helvetica').fontSize(10);
  doc.text(`Invoice number: ${inv.number ?? '(assigned at issue)'}`);
  doc.text(`Issue date: ${day(inv.issuedAt)}`);
  doc.text(`Period: ${inv.period} (${day(inv.periodStart)} to ${day(new Date(inv.periodEnd.getTime() - 1))})`);
  doc.text(`Currency: ${inv.currency}`);
  if (inv.paidAt) doc.text(`Paid: ${day(inv.paidAt)}`);
  if (inv.voidedAt) doc.text(`Voided: ${day(inv.voidedAt)}${inv.voidReason ? ` (${inv.voidReason})` : ''}`);
  doc.moveDown();
  doc.font('Helvetica-Bold').text('Bill to').font('Helvetica');
  doc.text(`Customer reference: ${inv.customerReference}`);
  if (inv.billing?.name) doc.text(inv.billing.name);
  const a = inv.billing?.billingAddress;
  if (a) for (const l of [a.line1, a.line2, `${a.postalCode} ${a.city}`, a.country]) if (l) doc.text(l);
  if (inv.billingErasedAt) doc.text('(name and address erased at the customer\'s request)');
  doc.moveDown();

  const row = (cells: readonly string[], bold = false) => {
    if (doc.y + 24 > bottom()) doc.addPage();
    const y = doc.y;
    let x = left;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    let next = y;
    columns.forEach(([, width, align], i) => {
      doc.text(cells[i] ?? '', x, y, { width: width - 4, align });
      next = Math.max(next, doc.y);
      x += width;
    });
    doc.x = left;
    doc.y = next + 2;
  };
  row(columns.map(([h]) => h), true);
  for (const l of inv.lines) {
    row([
      day(l.startDateTime), l.stationId, l.creditOf === null ? l.sessionId : `credit of CDR ${l.creditOf}`,
      kwh(l.energyImportWh), kwh(l.energyExportWh), money(l.chargeExclVatMinor), money(-l.v2gCreditExclVatMinor), money(l.amountExclVatMinor),
    ]);
  }
  doc.fontSize(8).text('Amounts excl. VAT; a credit line reverses an earlier session.', left);
  doc.moveDown();

  const sum = (label: string, value: string, bold = false) => {
    if (doc.y + 14 > bottom()) doc.addPage();
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(10);
    doc.text(label, left + 200, y, { width: 200 });
    doc.text(value, left + 400, y, { width: 95, align: 'right' });
    doc.x = left;
  };
  const charges = inv.totalExclVatMinor + inv.v2gCreditExclVatMinor;
  sum('Energy imported (kWh)', kwh(inv.energyImportWh));
  sum('Energy exported (kWh)', kwh(inv.energyExportWh));
  sum(`Charges excl. VAT (${inv.currency})`, money(charges));
  sum(`V2G credit excl. VAT (${inv.currency})`, money(-inv.v2gCreditExclVatMinor));
  sum(`Total excl. VAT (${inv.currency})`, money(inv.totalExclVatMinor), true);
  for (const v of inv.vatBreakdown) sum(`VAT ${v.rate}% on ${money(v.baseMinor)}`, money(v.vatMinor));
  sum(`Total incl. VAT (${inv.currency})`, money(inv.totalInclVatMinor), true);
  doc.end();
  return done;
}
