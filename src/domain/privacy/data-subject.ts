/**
 * Data-subject rights (GDPR Art. 15/17/20) across modules: each module that holds personal data
 * about a customer registers a holder here, so an export is complete and an erasure reaches
 * every table without the privacy module knowing them all. The DataSubjectService (customers
 * module) walks the holders in registration order.
 */
export interface ErasureContext {
  /** the customer being erased */
  customerId: number;
  /** who asked (principal id), for the audit trail */
  requestedBy: string;
  at: Date;
}

export interface PersonalDataHolder {
  /** the section of the export and the line of the erasure report, e.g. `tokens` */
  readonly name: string;
  /** everything this module holds about the customer, decrypted, as plain JSON */
  export(customerId: number): Promise<unknown>;
  /**
   * Removes or pseudonymizes the customer's personal data; records needed for accounting
   * (CDRs, invoices) stay, keyed by pseudonyms. Idempotent. Answers what it changed (counts).
   */
  erase(ctx: ErasureContext): Promise<Record<string, number>>;
}

export class DataSubjectRegistry {
  private readonly list: PersonalDataHolder[] = [];

  register(holder: PersonalDataHolder): void {
    if (this.list.some((h) => h.name === holder.name)) throw new Error(`personal data holder ${holder.name} registered twice`);
    this.list.push(holder);
  }

  holders(): readonly PersonalDataHolder[] {
    return this.list;
  }
}
