export { InvoiceError, InvoiceService, type Invoice, type InvoiceWithLines, type BillingSnapshot, type RunReport } from './invoice-service.js';
export { invoiceFigures, invoiceLine, type InvoiceFigures, type InvoiceLine } from './figures.js';
export { billingPeriod, previousPeriod, PERIOD, type BillingPeriod } from './period.js';
export { renderInvoicePdf, kwh, type PdfOptions } from './pdf.js';
export { invoiceDataHolder } from './data-subject.js';
