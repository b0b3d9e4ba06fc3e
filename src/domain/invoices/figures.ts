import type { CdrRow, VatLine } from '../../store/schema.js';

/** One invoice line: a CDR, with a credit CDR as a negative line. Money in minor units. */
export interface InvoiceLine {
  cdrId: number;
  sessionId: string;
  stationId: string;
  startDateTime: Date;
  endDateTime: Date;
  /** a credit CDR reversing `creditOf` */
  creditOf: number | null;
  /** Wh, negative on a credit line */
  energyImportWh: number;
  energyExportWh: number;
  vatRate: string;
  /** what the imported energy, time and fees cost, before the V2G credit */
  chargeExclVatMinor: number;
  chargeInclVatMinor: number;
  /** the V2G remuneration of the exported energy (positive = owed to the customer) */
  v2gCreditExclVatMinor: number;
  v2gCreditInclVatMinor: number;
  /** the line's amount: charge minus V2G credit, exactly the CDR's cost */
  amountExclVatMinor: number;
  amountInclVatMinor: number;
}

export interface InvoiceFigures {
  totalExclVatMinor: number;
  totalInclVatMinor: number;
  vatBreakdown: VatLine[];
  energyImportWh: number;
  energyExportWh: number;
  v2gCreditExclVatMinor: number;
  v2gCreditInclVatMinor: number;
}

export function invoiceLine(c: CdrRow): InvoiceLine {
  // a credit CDR repeats the original's energy with negated money; on an invoice it is all negative
  const sign = c.creditOf === null ? 1 : -1;
  const creditExcl = c.exportCreditExclVatMinor ?? 0;
  const creditIncl = c.exportCreditInclVatMinor ?? 0;
  return {
    cdrId: c.id, sessionId: c.sessionId, stationId: c.stationId, startDateTime: c.startDateTime, endDateTime: c.endDateTime, creditOf: c.creditOf,
    energyImportWh: sign * c.energyImportWh, energyExportWh: sign * c.energyExportWh,
    vatRate: c.tariff?.vatRate ?? '0',
    chargeExclVatMinor: c.costExclVatMinor + creditExcl, chargeInclVatMinor: c.costInclVatMinor + creditIncl,
    v2gCreditExclVatMinor: creditExcl, v2gCreditInclVatMinor: creditIncl,
    amountExclVatMinor: c.costExclVatMinor, amountInclVatMinor: c.costInclVatMinor,
  };
}

/**
 * The invoice figures are plain sums of its CDRs' figures (no rounding of its own), so the
 * invoice always equals the CDRs it lists; VAT is broken down per rate of the tariffs.
 */
export function invoiceFigures(lines: readonly InvoiceLine[]): InvoiceFigures {
  const vat = new Map<string, VatLine>();
  const f: InvoiceFigures = { totalExclVatMinor: 0, totalInclVatMinor: 0, vatBreakdown: [], energyImportWh: 0, energyExportWh: 0, v2gCreditExclVatMinor: 0, v2gCreditInclVatMinor: 0 };
  for (const l of lines) {
    f.totalExclVatMinor += l.amountExclVatMinor;
    f.totalInclVatMinor += l.amountInclVatMinor;
    f.energyImportWh += l.energyImportWh;
    f.energyExportWh += l.energyExportWh;
    f.v2gCreditExclVatMinor += l.v2gCreditExclVatMinor;
    f.v2gCreditInclVatMinor += l.v2gCreditInclVatMinor;
    const v = vat.get(l.vatRate) ?? { rate: l.vatRate, baseMinor: 0, vatMinor: 0 };
    v.baseMinor += l.amountExclVatMinor;
    v.vatMinor += l.amountInclVatMinor - l.amountExclVatMinor;
    vat.set(l.vatRate, v);
  }
  f.vatBreakdown = [...vat.values()].sort((a, b) => Number(a.rate) - Number(b.rate));
  return f;
}
