import type { Logger } from '../../log/logger.js';
import type { CustomerInformationRepo, LocalAuthListRepo, TokenRepo, TransactionRepo } from '../../store/index.js';
import type { TokenRow } from '../../store/repos/tokens.js';
import type { CustomerInformationService } from '../customer-information/customer-information-service.js';
import type { CommandService } from '../journal/command-service.js';
import type { LocalAuthListService } from '../local-auth/local-auth-list-service.js';
import type { ErasureContext, PersonalDataHolder } from './data-subject.js';

/**
 * The `tokens` personal-data holder: a customer's token UIDs (id_tokens) and the transactions
 * charged with them. Erasure removes the UID (box and blind index) and blocks the token, keeping
 * the pseudonym so CDRs and transactions still resolve; then it clears the stations: the local
 * authorization lists that held the token are brought up to date (a full update, as the UID of a
 * removed entry is gone), a 2.0.1 station where the token was used gets CustomerInformation
 * (clear, by idToken), a 1.6 one ClearCache (1.6 has nothing finer). Every command is journalled
 * with the token's pseudonym, never its UID. Reports stations sent about the tokens
 * (NotifyCustomerInformation) are deleted too.
 */
export class TokenDataHolder implements PersonalDataHolder {
  readonly name = 'tokens';

  constructor(
    private readonly tokens: TokenRepo,
    private readonly transactions: TransactionRepo,
    private readonly lists: LocalAuthListRepo,
    private readonly localAuthList: LocalAuthListService,
    private readonly customerInformation: CustomerInformationService,
    private readonly commands: CommandService,
    private readonly reports: CustomerInformationRepo,
    private readonly log?: Logger,
  ) {}

  async export(customerId: number): Promise<unknown> {
    const tokens = await this.tokens.ofCustomer(customerId);
    const txs = await this.transactions.ofTokens(tokens.flatMap((t) => (t.pseudonym ? [t.pseudonym] : [])));
    return {
      tokens: tokens.map((t) => ({
        id: t.pseudonym, idToken: t.idToken || null, type: t.type, status: t.status, contractId: t.contractId,
        expiresAt: t.expiresAt?.toISOString() ?? null, createdAt: t.createdAt.toISOString(),
      })),
      transactions: txs.map((x) => ({
        token: x.idToken, stationId: x.stationId, transactionId: x.transactionRef, startedAt: x.startedAt.toISOString(),
        endedAt: x.endedAt?.toISOString() ?? null, energyWh: x.energyWh, stopReason: x.stopReason,
      })),
    };
  }

  async erase(ctx: ErasureContext): Promise<Record<string, number>> {
    // the UIDs are read once, into memory: after the erasure nothing stored can give them back
    const tokens = (await this.tokens.ofCustomer(ctx.customerId)).filter((t): t is TokenRow & { pseudonym: string } => t.pseudonym !== null);
    const live = tokens.filter((t) => t.idToken !== '');
    const refs = tokens.map((t) => t.pseudonym);
    // per station where a token was used: its protocol and which of the tokens
    const used = new Map<string, { protocol: string; refs: Set<string> }>();
    for (const x of await this.transactions.ofTokens(refs)) {
      const u = used.get(x.stationId) ?? { protocol: x.protocol, refs: new Set<string>() };
      if (x.idToken) u.refs.add(x.idToken);
      used.set(x.stationId, u);
    }
    const listed = await this.lists.holding(refs);

    for (const t of tokens) await this.tokens.eraseUid(t.pseudonym);
    const counts = { tokens: live.length, stationReports: await this.reports.eraseAbout(refs), localListsUpdated: 0, localListsFailed: 0, customerInformationAccepted: 0, customerInformationFailed: 0, clearCacheAccepted: 0, clearCacheFailed: 0 };
    for (const stationId of listed) {
      const r = await this.localAuthList.sync(stationId).catch(() => undefined);
      if (r?.status === 'Accepted') counts.localListsUpdated++;
      else counts.localListsFailed++;
    }
    // a repeated erasure has no UID left to clear on a station
    for (const [stationId, { protocol, refs: usedHere }] of live.length ? used : new Map<string, never>()) {
      if (protocol === 'ocpp2.0.1') {
        for (const t of live.filter((l) => usedHere.has(l.pseudonym))) {
          const r = await this.customerInformation.request(stationId, { customer: { idToken: t.idToken, type: t.type }, report: false, clear: true });
          if (r.status === 'Accepted') counts.customerInformationAccepted++;
          else counts.customerInformationFailed++;
        }
      } else {
        const r = await this.commands.send(stationId, { kind: 'clearCache' });
        if (r.status === 'Accepted') counts.clearCacheAccepted++;
        else counts.clearCacheFailed++;
      }
    }
    this.log?.info({ customerId: ctx.customerId, requestedBy: ctx.requestedBy, pseudonyms: refs, ...counts }, 'token data erased');
    return counts;
  }
}
