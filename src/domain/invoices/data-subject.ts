import type { PersonalDataHolder } from '../privacy/data-subject.js';
import type { InvoiceService } from './invoice-service.js';

/**
 * The `invoices` holder of a customer's personal data (GDPR Art. 15/17/20).
 *
 * Export: every invoice of the customer with its lines and the billing snapshot in clear.
 *
 * Erasure drops only the billing snapshot (name and address as sealed at issue); the customer
 * reference, the invoice numbers, lines, amounts and VAT stay. That is deliberate: invoices are
 * accounting records that tax law makes the seller keep unchanged for years (e.g. 10 years under
 * the German AO §147 / HGB §257, 7–10 elsewhere in the EU), which Art. 17(3)(b) GDPR puts
 * above the right to erasure. Keeping the documents but not the name and address is the
 * narrowest retention that still lets the books add up and be audited: an auditor can trace an
 * invoice to its CDRs and the pseudonymous customer reference, and the seller can restore the
 * addressee from its accounting archive only if an authority demands it. A stricter reading
 * (keeping the full invoice for the retention period, then erasing) would be a configuration of
 * its own; it is not implemented.
 */
export function invoiceDataHolder(invoices: InvoiceService): PersonalDataHolder {
  return {
    name: 'invoices',
    async export(customerId) {
      return (await invoices.ofCustomer(customerId)).map((i) => ({
        number: i.number, status: i.status, period: i.period, currency: i.currency, issuedAt: i.issuedAt, paidAt: i.paidAt, voidedAt: i.voidedAt,
        billing: i.billing, totalExclVatMinor: i.totalExclVatMinor, totalInclVatMinor: i.totalInclVatMinor, vatBreakdown: i.vatBreakdown,
        energyImportWh: i.energyImportWh, energyExportWh: i.energyExportWh, v2gCreditExclVatMinor: i.v2gCreditExclVatMinor, v2gCreditInclVatMinor: i.v2gCreditInclVatMinor,
        lines: i.lines,
      }));
    },
    async erase(ctx) {
      return { billingSnapshots: await invoices.eraseBilling(ctx.customerId) };
    },
  };
}
