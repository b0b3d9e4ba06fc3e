import type { CustomerRepo } from '../../store/repos/customers.js';
import type { CdrRow, IdTokenRecord, Transaction } from '../../store/schema.js';
import { ocpiCdr, type OcpiCdr } from '../cdrs/index.js';
import type { PrivacyService } from '../privacy/privacy-service.js';

/** A token as its customer and the CRM see it: the pseudonym, never the UID. */
export interface CustomerToken {
  id: string;
  type: string;
  status: string;
  contractId: string | null;
  expiresAt: string | null;
}

/** One charging session of the customer, with its cost once the CDR is issued. */
export interface ChargingSession {
  transactionId: number;
  stationId: string;
  evseId: number | null;
  startedAt: string;
  endedAt: string | null;
  state: string;
  energyWh: number | null;
  /** pseudonym of the token it was started with */
  token: string;
  cdrId: string | null;
  cost: { currency: string | null; exclVat: number; inclVat: number } | null;
}

/**
 * A customer's tokens and charging history (issue 6: CRM and customer-facing API), found through
 * the pseudonyms of the customer's own tokens; UIDs are never returned.
 */
export class CustomerCharging {
  constructor(
    private readonly repo: CustomerRepo,
    private readonly privacy: PrivacyService,
    /** the CDR service's token pseudonym (cdrs.token_uid) */
    private readonly cdrPseudonym: (idToken: string) => string,
  ) {}

  async tokens(customerId: number): Promise<CustomerToken[]> {
    return (await this.repo.tokensOf(customerId)).map(view);
  }

  /** Links a token (by pseudonym) to a customer, with its contract id; undefined when there is no such token. */
  async link(customerId: number, pseudonym: string, contractId: string | null): Promise<CustomerToken | undefined> {
    const t = await this.repo.linkToken(pseudonym, customerId, contractId);
    return t && view(t);
  }

  /** Unlinks a token of this customer; false when it is not one of theirs. */
  async unlink(customerId: number, pseudonym: string): Promise<boolean> {
    if (!(await this.repo.tokensOf(customerId)).some((t) => t.pseudonym === pseudonym)) return false;
    return (await this.repo.linkToken(pseudonym, null, null)) !== undefined;
  }

  /**
   * The customer's token pseudonyms (what transactions store since migration 0024) and what CDRs
   * may carry: the pseudonym, or for a CDR issued before 0024 the legacy CDR pseudonym of the UID
   * (decrypted here in memory only; an erased token has none left, and its old CDRs are found by customer id).
   */
  private async refs(customerId: number): Promise<{ tokens: string[]; cdrTokens: string[] }> {
    const tokens: string[] = [];
    const cdrTokens: string[] = [];
    for (const t of await this.repo.tokensOf(customerId)) {
      if (!t.pseudonym) continue;
      tokens.push(t.pseudonym);
      cdrTokens.push(t.pseudonym);
      if (t.uidEncrypted && t.uidIndex) cdrTokens.push(this.cdrPseudonym(await this.privacy.revealUid(t)));
    }
    return { tokens, cdrTokens };
  }

  /** One CDR of the customer; undefined when it is someone else's or does not exist (the same answer). */
  async cdr(customerId: number, cdrId: number): Promise<OcpiCdr | undefined> {
    const row = await this.repo.cdrOf(customerId, (await this.refs(customerId)).cdrTokens, cdrId);
    return row && ocpiCdr(row);
  }

  /** The customer's sessions (newest first) and CDRs, each page `limit` long. */
  async history(customerId: number, limit: number, offset: number): Promise<{ sessions: ChargingSession[]; cdrs: OcpiCdr[] }> {
    const refs = await this.refs(customerId);
    const [transactions, cdrs] = await Promise.all([
      this.repo.transactionsOf(refs.tokens, limit, offset),
      this.repo.cdrsOf(customerId, refs.cdrTokens, limit, offset),
    ]);
    // the cost of each session on this page, whichever page of CDRs its own CDR is on
    const byTransaction = new Map((await this.repo.cdrsOfTransactions(transactions.map((t) => t.id))).map((c) => [c.transactionId!, c]));
    return { sessions: transactions.map((t) => session(t, t.idToken ?? '', byTransaction.get(t.id))), cdrs: cdrs.map(ocpiCdr) };
  }
}

function view(t: IdTokenRecord): CustomerToken {
  return { id: t.pseudonym ?? '', type: t.type, status: t.status, contractId: t.contractId, expiresAt: t.expiresAt?.toISOString() ?? null };
}

function session(t: Transaction, token: string, cdr: CdrRow | undefined): ChargingSession {
  const o = cdr && ocpiCdr(cdr);
  return {
    transactionId: t.id, stationId: t.stationId, evseId: t.evseId, startedAt: t.startedAt.toISOString(), endedAt: t.endedAt?.toISOString() ?? null,
    state: t.state, energyWh: t.energyWh, token, cdrId: o?.id ?? null,
    cost: o ? { currency: o.currency, exclVat: o.total_cost.excl_vat, inclVat: o.total_cost.incl_vat } : null,
  };
}
