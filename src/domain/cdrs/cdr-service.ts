import type { Logger } from '../../log/logger.js';
import type { CdrQuery, CdrRepo } from '../../store/repos/cdrs.js';
import type { MeterValueRepo, TransactionRepo } from '../../store/index.js';
import type { CdrRow, CdrTariffSnapshot } from '../../store/schema.js';
import type { DomainEvents } from '../events.js';
import { TariffError } from '../tariffs/cost.js';
import { tariffSnapshot, type CurrentTariff } from '../tariffs/snapshot.js';
import { sessionUsage, withTotalImport } from './periods.js';
import { priceUsage, type CdrPrice } from './pricing.js';
import type { CdrIssueContext } from './location.js';

export class CdrError extends Error {
  constructor(readonly code: 'not_found' | 'conflict', message: string) {
    super(message);
    this.name = 'CdrError';
  }
}

/**
 * Charge detail records. When a transaction starts (either OCPP version) the tariff that applies
 * is recorded; when it ends, one CDR is issued, priced by that tariff, with the token
 * pseudonymized. CDRs never change afterwards: a correction is a credit CDR.
 */
export class CdrService {
  /** snapshots being written, so an end that overtakes its start still prices by it */
  private readonly snapshots = new Map<number, Promise<void>>();
  private readonly pending = new Set<Promise<unknown>>();
  /** where the station stands and the token's OCPP type, at issue (set by describeWith) */
  private about?: (tx: { stationId: string; evseId: number | null; connectorId: number | null; idToken: string | null }) => Promise<CdrIssueContext>;

  constructor(
    private readonly repo: CdrRepo,
    private readonly transactions: TransactionRepo,
    private readonly meterValues: MeterValueRepo,
    /** the tariff that applies to a station now, with its version valid now (TariffService.forStation) */
    private readonly tariffOf: (stationId: string) => Promise<CurrentTariff | undefined>,
    private readonly pseudonym: (idToken: string) => string,
    events: DomainEvents,
    private readonly log: Logger,
  ) {
    events.subscribe((e) => {
      if (e.type === 'transaction.started') {
        const taking = this.track(this.takeSnapshot(e.stationId, e.transactionId)).finally(() => this.snapshots.delete(e.transactionId));
        this.snapshots.set(e.transactionId, taking);
      } else if (e.type === 'transaction.ended') {
        void this.track(this.issue(e.transactionId));
      }
    });
  }

  /** Gives issued CDRs their OCPI CdrLocation, OCPP token type and billed customer (see location.ts). */
  describeWith(about: NonNullable<CdrService['about']>): void {
    this.about = about;
  }

  /** Resolves once every snapshot and CDR under way is written (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /**
   * Issues the CDR of an ended transaction; the existing one when it has one already (the
   * database's unique transaction_id makes racing calls safe), undefined while it is still active.
   */
  async issue(transactionId: number): Promise<CdrRow | undefined> {
    const existing = await this.repo.byTransaction(transactionId);
    if (existing) return existing;
    const tx = await this.transactions.get(transactionId);
    if (!tx || tx.state !== 'ended' || !tx.endedAt) return undefined;
    await this.snapshots.get(transactionId);
    const taken = await this.repo.snapshot(transactionId);
    // a transaction begun before this service ran has no snapshot: the station's tariff now is the best there is
    const tariff = taken ? taken.tariff : await this.currentTariff(tx.stationId);
    const usage = sessionUsage(tx.startedAt, tx.endedAt, tx.meterStartWh, tx.meterStopWh, await this.meterValues.listByTransaction(transactionId));
    // the transaction's figure is what TransactionEvent's totalCost used; without a stop register, the readings tell
    const importWh = Math.max(0, Math.round(tx.energyWh ?? usage.importWh));
    const totalTimeMs = Math.max(0, tx.endedAt.getTime() - tx.startedAt.getTime());
    let price: CdrPrice | undefined;
    try {
      // the one pricing engine, over the session's timeline (the same one its 2.0.1 totalCost was priced over)
      price = tariff ? priceUsage(tariff, tx.startedAt, tx.endedAt, withTotalImport(usage.timeline, tx.startedAt, tx.endedAt, importWh)) : undefined;
    } catch (err) {
      if (!(err instanceof TariffError)) throw err;
      this.log.warn({ station: tx.stationId, transaction: tx.transactionRef, tariff: tariff?.id }, 'tariff cannot be priced: CDR issued without cost');
    }
    const about = await this.about?.(tx);
    const row = await this.repo.insertOnce({
      transactionId, creditOf: null, creditReason: null,
      stationId: tx.stationId, evseId: tx.evseId, connectorId: tx.connectorId, sessionId: tx.transactionRef, protocol: tx.protocol,
      startDateTime: tx.startedAt, endDateTime: tx.endedAt,
      tokenUid: tx.idToken === null ? null : this.pseudonym(tx.idToken),
      tokenType: about?.tokenType ?? (tx.idToken === null ? 'OTHER' : 'RFID'),
      cdrLocation: about?.location ? JSON.stringify(about.location) : null,
      // OCPI AuthMethod: started by a command, or by a token the CSMS authorized
      authMethod: tx.remoteStartId !== null ? 'COMMAND' : tx.idToken !== null ? 'AUTH_REQUEST' : 'WHITELIST',
      currency: price?.currency ?? null, tariff: price && tariff ? JSON.stringify(tariff) : null,
      chargingPeriods: JSON.stringify(usage.chargingPeriods),
      energyImportWh: importWh, energyExportWh: usage.exportWh, totalTimeMs, parkingTimeMs: usage.parkingMs,
      costExclVatMinor: price?.exclVatMinor ?? 0, costInclVatMinor: price?.inclVatMinor ?? 0,
      exportCreditExclVatMinor: price?.exportCredit?.exclVatMinor ?? null, exportCreditInclVatMinor: price?.exportCredit?.inclVatMinor ?? null,
      customerId: about?.customerId ?? null,
    });
    return row ?? this.repo.byTransaction(transactionId);
  }

  /**
   * A credit CDR reversing an issued one: the same session, negative costs, referencing the
   * original. @throws CdrError not_found for an unknown CDR, conflict for a credit CDR or one credited already
   */
  async credit(id: number, reason: string): Promise<CdrRow> {
    const original = await this.repo.get(id);
    if (!original) throw new CdrError('not_found', 'cdr not found');
    if (original.creditOf !== null) throw new CdrError('conflict', 'a credit CDR cannot itself be credited');
    const neg = (v: number | null): number | null => (v === null ? null : -v);
    const row = await this.repo.insertCredit({
      transactionId: null, creditOf: original.id, creditReason: reason,
      stationId: original.stationId, evseId: original.evseId, connectorId: original.connectorId, sessionId: original.sessionId,
      protocol: original.protocol, startDateTime: original.startDateTime, endDateTime: original.endDateTime,
      tokenUid: original.tokenUid, tokenType: original.tokenType, authMethod: original.authMethod,
      cdrLocation: original.cdrLocation === null ? null : JSON.stringify(original.cdrLocation),
      currency: original.currency, tariff: original.tariff === null ? null : JSON.stringify(original.tariff),
      chargingPeriods: JSON.stringify(original.chargingPeriods),
      energyImportWh: original.energyImportWh, energyExportWh: original.energyExportWh,
      totalTimeMs: original.totalTimeMs, parkingTimeMs: original.parkingTimeMs,
      costExclVatMinor: -original.costExclVatMinor, costInclVatMinor: -original.costInclVatMinor,
      exportCreditExclVatMinor: neg(original.exportCreditExclVatMinor), exportCreditInclVatMinor: neg(original.exportCreditInclVatMinor),
      // the credit is billed to whoever the original was billed to
      customerId: original.customerId,
    });
    if (!row) throw new CdrError('conflict', `cdr ${id} was credited already`);
    return row;
  }

  get(id: number): Promise<CdrRow | undefined> {
    return this.repo.get(id);
  }

  search(q: CdrQuery): Promise<{ items: CdrRow[]; total: number }> {
    return this.repo.search(q);
  }

  groupOf(stationId: string): Promise<string | null> {
    return this.repo.groupOf(stationId);
  }

  private async takeSnapshot(stationId: string, transactionId: number): Promise<void> {
    await this.repo.saveSnapshot(transactionId, await this.currentTariff(stationId), new Date());
  }

  private async currentTariff(stationId: string): Promise<CdrTariffSnapshot | null> {
    const t = await this.tariffOf(stationId);
    return t ? tariffSnapshot(t) : null;
  }

  private track<T>(p: Promise<T>): Promise<T | undefined> {
    const tracked = p.catch((err: unknown) => {
      this.log.error({ err }, 'charge detail record bookkeeping failed');
      return undefined;
    });
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
    return tracked;
  }
}
