import type { TariffRepo, TransactionRepo } from '../../store/index.js';
import type { TariffRow } from '../../store/schema.js';
import type { DomainEvents } from '../events.js';
import type { CommandRecord, CommandService } from '../journal/command-service.js';
import type { MeterReading } from '../model.js';
import { lastEnergyWh } from '../transactions/meter.js';
import { sessionCost, TariffError, validatePrices, type Cost, type TariffPrices } from './cost.js';

export interface TariffInput extends TariffPrices {
  name: string;
}

/**
 * Tariffs (a default one and per-station assignments) and the cost of transactions under them
 * (2.0.1 block I: TransactionEventResponse.totalCost and CostUpdated). The station → tariff
 * lookup is cached briefly, as it is asked on every TransactionEvent; every change here clears it.
 */
/** How long a station's tariff lookup is trusted: other processes (the CLI) may change tariffs too. */
const TARIFF_CACHE_MS = 30_000;

export class TariffService {
  private readonly byStation = new Map<string, { tariff: TariffRow | null; at: number }>();
  /** last energy register (Wh) seen per active transaction, for Updated events without one */
  private readonly lastRegister = new Map<string, number>();
  /** per running transaction, its start-of-session tariff once snapshotted (null: none applies); snapshots never change */
  private readonly startTariff = new Map<string, TariffPrices | null>();

  constructor(
    private readonly repo: TariffRepo,
    private readonly transactions: TransactionRepo,
    private readonly commands: CommandService,
    events: DomainEvents,
    /** the tariff a transaction started under (taken by the CDR service), so the station is told what the CDR will say */
    private readonly atStart?: { snapshot(transactionId: number): Promise<{ tariff: TariffPrices | null } | undefined> },
  ) {
    // a transaction that ends without an Ended event priced here (1.6, zombie closing) leaves no register behind
    events.subscribe((e) => {
      if (e.type !== 'transaction.ended') return;
      this.lastRegister.delete(`${e.stationId}\n${e.transactionRef}`);
      this.startTariff.delete(`${e.stationId}\n${e.transactionRef}`);
    });
  }

  /** @throws TariffError for bad prices, DuplicateError for a taken name */
  async create(t: TariffInput): Promise<TariffRow> {
    validatePrices(t);
    if (typeof t.name !== 'string' || t.name.trim() === '' || t.name.length > 100) throw new TariffError('name must be 1..100 characters');
    const row = await this.repo.create({ name: t.name, currency: t.currency, pricePerKwh: t.pricePerKwh, pricePerMinute: t.pricePerMinute, startFee: t.startFee, vatRate: t.vatRate });
    this.byStation.clear();
    return row;
  }

  async setDefault(tariffId: number): Promise<void> {
    if (!(await this.repo.setDefault(tariffId))) throw new TariffError(`unknown tariff ${tariffId}`);
    this.byStation.clear();
  }

  async assign(stationId: string, tariffId: number): Promise<void> {
    if (!(await this.repo.get(tariffId))) throw new TariffError(`unknown tariff ${tariffId}`);
    await this.repo.assign(stationId, tariffId);
    this.byStation.delete(stationId);
  }

  async unassign(stationId: string): Promise<void> {
    await this.repo.unassign(stationId);
    this.byStation.delete(stationId);
  }

  list(): Promise<TariffRow[]> {
    return this.repo.list();
  }

  /** The station's tariff, else the default one, else none. */
  async forStation(stationId: string): Promise<TariffRow | undefined> {
    const cached = this.byStation.get(stationId);
    if (cached && Date.now() - cached.at < TARIFF_CACHE_MS) return cached.tariff ?? undefined;
    const tariff = (await this.repo.forStation(stationId)) ?? null;
    this.byStation.set(stationId, { tariff, at: Date.now() });
    return tariff ?? undefined;
  }

  /**
   * The cost of a transaction so far (or in total once ended) under the station's tariff;
   * undefined when no tariff applies or the transaction is unknown. `readings` are the event's
   * own meter values, the freshest energy register there is.
   */
  async costOf(stationId: string, transactionRef: string, at: Date, readings: readonly MeterReading[] = []): Promise<Cost | undefined> {
    const key = `${stationId}\n${transactionRef}`;
    // every TransactionEvent asks: a transaction known to be unpriced costs no database read
    if (this.startTariff.get(key) === null) return undefined;
    const tx = await this.transactions.findByRef(stationId, transactionRef);
    if (!tx) return undefined;
    let tariff = this.startTariff.get(key);
    if (tariff === undefined) {
      // a transaction begun before snapshots existed (or whose snapshot is still being written) is priced as the station is now
      const taken = await this.atStart?.snapshot(tx.id);
      tariff = taken ? taken.tariff : (await this.forStation(stationId)) ?? null;
      if (taken && tx.state !== 'ended') this.startTariff.set(key, tariff);
    }
    if (!tariff) return undefined;
    const seen = lastEnergyWh(readings);
    if (seen !== undefined) this.lastRegister.set(key, seen);
    let energyWh: number;
    if (tx.state === 'ended') {
      this.lastRegister.delete(key);
      energyWh = tx.energyWh ?? 0;
    } else {
      const register = this.lastRegister.get(key) ?? tx.meterStartWh ?? 0;
      energyWh = register - (tx.meterStartWh ?? register);
    }
    const end = tx.endedAt ?? at;
    return sessionCost(tariff, { energyWh, durationMs: end.getTime() - tx.startedAt.getTime() });
  }

  /**
   * The total cost as TransactionEventResponse.totalCost carries it (major units). A tariff
   * that cannot be priced (edited into the database by hand) means no cost, never a failed
   * TransactionEvent.
   */
  async totalCost(stationId: string, transactionRef: string, at: Date, readings?: readonly MeterReading[]): Promise<number | undefined> {
    try {
      const cost = await this.costOf(stationId, transactionRef, at, readings);
      return cost && Number(cost.total);
    } catch (err) {
      if (err instanceof TariffError) return undefined;
      throw err;
    }
  }

  /** Sends the running cost of a transaction (as of `at`) to a 2.0.1 station (CostUpdated). */
  async sendCost(stationId: string, transactionRef: string, at = new Date()): Promise<CommandRecord> {
    const cost = await this.costOf(stationId, transactionRef, at);
    if (!cost) throw new TariffError(`no tariff applies to transaction ${transactionRef.slice(0, 40)} of ${stationId}`);
    return this.commands.send(stationId, { kind: 'costUpdated', transactionRef, totalCost: Number(cost.total) });
  }
}
