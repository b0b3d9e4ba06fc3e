import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvoiceService, invoiceFigures, invoiceLine, kwh, renderInvoicePdf, type InvoiceWithLines } from '../../src/domain/invoices/index.js';
import type { CdrRow } from '../../src/store/schema.js';
import { pdfText } from '../helpers/pdf-text.js';

const cdr = (id: number, extra: Partial<CdrRow> = {}): CdrRow => ({
  id, transactionId: id, creditOf: null, creditReason: null, stationId: `CS-${id}`, evseId: 1, connectorId: 1, sessionId: `SESSION-${id}`, protocol: 'ocpp2.0.1',
  startDateTime: new Date('2026-01-05T10:00:00Z'), endDateTime: new Date('2026-01-05T11:00:00Z'), tokenUid: 'tok_x', tokenType: 'RFID', authMethod: 'AUTH_REQUEST',
  currency: 'EUR', tariff: { id: 1, name: 'T', currency: 'EUR', pricePerKwh: '0.30', pricePerMinute: '0', startFee: '0', vatRate: '19', v2gPricePerKwh: '0.10' },
  chargingPeriods: [], energyImportWh: 12_345, energyExportWh: 0, totalTimeMs: 3_600_000, parkingTimeMs: 0,
  costExclVatMinor: 370, costInclVatMinor: 441, exportCreditExclVatMinor: null, exportCreditInclVatMinor: null, issuedAt: new Date('2026-01-05T11:00:00Z'), customerId: 1, cdrLocation: null, ...extra,
});

const invoiceOf = (rows: CdrRow[], extra: Partial<InvoiceWithLines> = {}): InvoiceWithLines => {
  const lines = rows.map(invoiceLine);
  return {
    id: 7, number: 'INV-2026-000042', status: 'issued', customerId: 1, customerReference: 'C-ABCDEFGHIJKLM', period: '2026-01',
    periodStart: new Date('2026-01-01T00:00:00Z'), periodEnd: new Date('2026-02-01T00:00:00Z'), currency: 'EUR', ...invoiceFigures(lines),
    billing: { name: 'Jörg Müller', billingAddress: { line1: 'Hauptstraße 1', postalCode: '10115', city: 'Berlin', country: 'DE' } },
    billingErasedAt: null, issuedAt: new Date('2026-02-01T08:00:00Z'), paidAt: null, voidedAt: null, voidReason: null,
    createdAt: new Date('2026-02-01T07:00:00Z'), updatedAt: new Date('2026-02-01T08:00:00Z'), lines, ...extra,
  };
};

describe('invoice PDF', () => {
  const rows = [
    cdr(1),
    // V2G: 20 kWh in, 4 kWh out; credit 0.40 net / 0.48 gross already deducted
    cdr(2, { energyImportWh: 20_000, energyExportWh: 4000, costExclVatMinor: 560, costInclVatMinor: 666, exportCreditExclVatMinor: 40, exportCreditInclVatMinor: 48 }),
    cdr(3, { creditOf: 1, transactionId: null, costExclVatMinor: -370, costInclVatMinor: -441 }),
  ];

  it('prints the seller block configured for the service (OV2X_INVOICE_SELLER) on every PDF it renders', async () => {
    // pdf() renders only: no store or keys are needed
    const service = new InvoiceService(null as never, () => Promise.resolve(undefined), null as never, undefined, ['OV2X Charging GmbH', 'VAT DE123456789']);
    const text = pdfText(await service.pdf(invoiceOf(rows), { compress: false }));
    for (const s of ['OV2X Charging GmbH', 'VAT DE123456789']) assert.ok(text.some((t) => t.includes(s)), `${s} in ${JSON.stringify(text)}`);
    const without = pdfText(await renderInvoicePdf(invoiceOf(rows), { compress: false }));
    assert.ok(!without.some((t) => t.includes('OV2X Charging GmbH')));
  });

  it('shows the number, dates, customer, one line per CDR with kWh in and out, the V2G credit, VAT and totals', async () => {
    const text = pdfText(await renderInvoicePdf(invoiceOf(rows), { compress: false }));
    const has = (s: string) => assert.ok(text.some((t) => t.includes(s)), `${JSON.stringify(s)} in ${JSON.stringify(text)}`);
    has('Invoice number: INV-2026-000042');
    has('Issue date: 2026-02-01');
    has('Period: 2026-01 (2026-01-01 to 2026-01-31)');
    has('Customer reference: C-ABCDEFGHIJKLM');
    has('Jörg Müller');
    has('Hauptstraße 1');
    has('10115 Berlin');
    for (const s of ['SESSION-1', 'SESSION-2', 'credit of CDR 1', '12.345', '-12.345', '20.000', '4.000', '-0.40', '-3.70']) has(s);
    has('Energy imported (kWh)');
    assert.ok(text.includes('20.000'), 'net energy imported: 12.345 + 20.000 - 12.345');
    has('V2G credit excl. VAT (EUR)');
    has('VAT 19% on 5.60');
    has('Total excl. VAT (EUR)');
    assert.ok(text.includes('5.60') && text.includes('6.66'), 'the totals');
    assert.equal(kwh(5), '0.005');
  });

  it('renders an erased invoice with the reference only, and a draft as not valid', async () => {
    const erased = pdfText(await renderInvoicePdf(invoiceOf(rows, { billing: null, billingErasedAt: new Date() }), { compress: false }));
    assert.ok(!erased.some((t) => t.includes('Müller') || t.includes('Berlin')));
    assert.ok(erased.some((t) => t.includes('C-ABCDEFGHIJKLM')));
    const draft = pdfText(await renderInvoicePdf(invoiceOf(rows, { status: 'draft', number: null, issuedAt: null, billing: null }), { compress: false }));
    assert.ok(draft.some((t) => t.startsWith('DRAFT')));
    assert.ok(draft.some((t) => t.includes('(assigned at issue)')));
  });

  it('is compressed by default and starts as a PDF', async () => {
    const pdf = await renderInvoicePdf(invoiceOf(rows));
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    assert.ok(!pdf.toString('latin1').includes('TJ'), 'content streams deflated');
  });
});
