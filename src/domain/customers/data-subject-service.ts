import type { CustomerRepo } from '../../store/repos/customers.js';
import type { DataSubjectRegistry, ErasureContext, PersonalDataHolder } from '../privacy/data-subject.js';
import type { CustomerCharging } from './customer-charging.js';
import type { CustomerService } from './customer-service.js';

/** The holder of the customer row itself: it is erased after every other one, which may still need it. */
export const CUSTOMERS_HOLDER = 'customers';

/** What GET /customers/{id}/export answers: one section per registered holder (Art. 15/20). */
export interface DataSubjectExport {
  format: 'ov2x.data-subject-export.v1';
  customer: string;
  generatedAt: string;
  sections: Record<string, unknown>;
}

/** What an erasure did, holder by holder (counts only: the report itself is kept and must hold nothing personal). */
export interface ErasureReport {
  customer: string;
  requestedBy: string;
  at: string;
  holders: Record<string, Record<string, number>>;
}

/**
 * Data-subject requests (GDPR Art. 15, 17, 20) over every registered personal-data holder: an
 * export is the JSON of all of them; an erasure runs each holder's erase, the customer row last.
 * Erasure is idempotent, so a request interrupted halfway is finished by asking again.
 */
export class DataSubjectService {
  constructor(
    private readonly repo: CustomerRepo,
    /** read at each request: modules register their holders after this service is built */
    private readonly registry: () => DataSubjectRegistry,
  ) {}

  /** undefined when there is no such customer */
  async export(customerId: number): Promise<DataSubjectExport | undefined> {
    const row = await this.repo.get(customerId);
    if (!row) return undefined;
    const sections: Record<string, unknown> = {};
    for (const h of this.registry().holders()) sections[h.name] = await h.export(customerId);
    return { format: 'ov2x.data-subject-export.v1', customer: row.reference, generatedAt: new Date().toISOString(), sections };
  }

  /** undefined when there is no such customer */
  async erase(customerId: number, requestedBy: string): Promise<ErasureReport | undefined> {
    const row = await this.repo.get(customerId);
    if (!row) return undefined;
    const ctx: ErasureContext = { customerId, requestedBy, at: new Date() };
    const holders = [...this.registry().holders()];
    // stable: every other holder in registration order, then the customer row
    holders.sort((a, b) => Number(a.name === CUSTOMERS_HOLDER) - Number(b.name === CUSTOMERS_HOLDER));
    const report: ErasureReport = { customer: row.reference, requestedBy, at: ctx.at.toISOString(), holders: {} };
    for (const h of holders) report.holders[h.name] = await h.erase(ctx);
    return report;
  }
}

/** The CRM's data: profile (decrypted), consents with their history, portal accounts, linked tokens. */
export function customersHolder(customers: CustomerService, repo: CustomerRepo): PersonalDataHolder {
  return {
    name: CUSTOMERS_HOLDER,
    async export(customerId) {
      const c = await customers.get(customerId);
      if (!c) return null;
      const [history, accounts, tokens] = await Promise.all([customers.consentHistory(customerId), repo.portalAccounts(customerId), repo.tokensOf(customerId)]);
      return {
        reference: c.reference, status: c.status, name: c.name ?? null, email: c.email ?? null, phone: c.phone ?? null,
        billingAddress: c.billingAddress ?? null, paymentReference: c.paymentReference ?? null,
        consents: c.consents,
        consentHistory: history.map((e) => ({ consent: e.consent, granted: e.granted, version: e.version, at: e.at.toISOString(), recordedBy: e.recordedBy })),
        portalAccounts: accounts.map((u) => ({ username: u.username, createdAt: u.createdAt.toISOString(), disabled: u.disabled, passwordChangedAt: u.passwordChangedAt?.toISOString() ?? null })),
        linkedTokens: tokens.map((t) => ({ id: t.pseudonym, contractId: t.contractId, status: t.status })),
        createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString(), erasedAt: c.erasedAt?.toISOString() ?? null,
      };
    },
    // the consent history stays: it holds no personal data and proves what was consented to
    erase: ({ customerId }) => repo.erase(customerId),
  };
}

/**
 * Charging history: sessions and CDRs. Export only: CDRs are immutable accounting records that
 * already name the token by a pseudonym, so an erasure keeps them (Art. 17(3)(b), retention
 * duties) and the customer link then points at an erased row.
 */
export function cdrsHolder(charging: CustomerCharging): PersonalDataHolder {
  return {
    name: 'cdrs',
    export: (customerId) => charging.history(customerId, 100_000, 0),
    erase: () => Promise.resolve({}),
  };
}
