import type { TariffRepo, TransactionRepo } from '../../store/index.js';
import type { CdrTariffSnapshot, TariffRow, TariffVersionRow } from '../../store/schema.js';
import { sessionUsage, withTotalImport, type StoredReading } from '../cdrs/periods.js';
import type { DomainEvents } from '../events.js';
import type { CommandRecord, CommandService } from '../journal/command-service.js';
import type { MeterReading } from '../model.js';
import { lastEnergyWh } from '../transactions/meter.js';
import { formatMinor } from '../cdrs/pricing.js';
import { TariffError, validatePrices, type Cost, type TariffPrices } from './cost.js';
import { priceTimeline, type PriceBreakdown, type TimelinePeriod } from './engine.js';
import { flatDefinition, validateDefinition, type TariffDefinition } from './model.js';
import { definitionOf, tariffSnapshot, type CurrentTariff } from './snapshot.js';

/** A flat tariff, the way tariffs were made before elements and versions; becomes a one-element version 1. */
export interface TariffInput extends TariffPrices {
  name: string;
  /** V2G remuneration per exported kWh, net; absent: exported energy is not credited */
  v2gPricePerKwh?: string | null;
}

/** What a quote is asked for: one session, its charging stretch first, then its parking. */
export interface QuoteInput {
  start: Date;
  end: Date;
  energyKwh: number;
  exportedKwh?: number;
  parkingMinutes?: number;
}

/** How long a station's tariff lookup is trusted: other processes (the CLI) may change tariffs too. */
const TARIFF_CACHE_MS = 30_000;

const ISO = (d: Date): boolean => Number.isFinite(d.getTime());

/**
 * Tariffs (versioned; a default one and per-station assignments) and the cost of transactions
 * under them (2.0.1 block I: TransactionEventResponse.totalCost and CostUpdated), priced by the
 * one engine the CDRs use. The station → tariff lookup is cached briefly, as it is asked on
 * every TransactionEvent; every change here clears it.
 */
export class TariffService {
  private readonly byStation = new Map<string, { tariff: (TariffRow & { versions: TariffVersionRow[] }) | null; at: number }>();
  /** last energy register (Wh) seen per active transaction, for Updated events without one */
  private readonly lastRegister = new Map<string, number>();
  /** per running transaction, its start-of-session tariff once snapshotted (null: none applies); snapshots never change */
  private readonly startTariff = new Map<string, CdrTariffSnapshot | null>();
  private meterValues?: { listByTransaction(transactionId: number): Promise<StoredReading[]> };

  constructor(
    private readonly repo: TariffRepo,
    private readonly transactions: TransactionRepo,
    private readonly commands: CommandService,
    events: DomainEvents,
    /** the tariff a transaction started under (taken by the CDR service), so the station is told what the CDR will say */
    private readonly atStart?: { snapshot(transactionId: number): Promise<{ tariff: CdrTariffSnapshot | null } | undefined> },
  ) {
    // a transaction that ends without an Ended event priced here (1.6, zombie closing) leaves no register behind
    events.subscribe((e) => {
      if (e.type !== 'transaction.ended') return;
      this.lastRegister.delete(`${e.stationId}\n${e.transactionRef}`);
      this.startTariff.delete(`${e.stationId}\n${e.transactionRef}`);
    });
  }

  /** The stored meter values, so a running cost is priced over the same timeline its CDR will be. */
  useMeterValues(repo: { listByTransaction(transactionId: number): Promise<StoredReading[]> }): void {
    this.meterValues = repo;
  }

  /** A flat tariff. @throws TariffError for bad prices, DuplicateError for a taken name */
  async create(t: TariffInput): Promise<TariffRow> {
    validatePrices(t);
    const definition = flatDefinition(t);
    validateDefinition(definition);
    return this.createTariff(t.name, definition, new Date(), t);
  }

  /** A tariff of elements, version 1 valid from `validFrom`. @throws TariffError, DuplicateError */
  async createTariff(name: string, definition: TariffDefinition, validFrom = new Date(), flat?: TariffInput): Promise<TariffRow> {
    if (typeof name !== 'string' || name.trim() === '' || name.length > 100) throw new TariffError('name must be 1..100 characters');
    validateDefinition(definition);
    if (!ISO(validFrom)) throw new TariffError('valid_from must be a date-time');
    const row = await this.repo.create(flat ?? { name }, definition, validFrom);
    this.byStation.clear();
    return row;
  }

  /**
   * Edits a tariff by adding a version valid from `validFrom` (now by default). Versions only
   * move forward: one may not start before the latest, which would change what already began.
   * Undefined for an unknown tariff.
   */
  async addVersion(tariffId: number, definition: TariffDefinition, validFrom = new Date()): Promise<TariffVersionRow | undefined> {
    validateDefinition(definition);
    if (!ISO(validFrom)) throw new TariffError('valid_from must be a date-time');
    const last = (await this.repo.versions(tariffId)).at(-1);
    if (last && validFrom < last.validFrom) throw new TariffError(`valid_from must not precede version ${last.version}'s (${last.validFrom.toISOString()})`);
    const row = await this.repo.addVersion(tariffId, definition, validFrom);
    this.byStation.clear();
    return row;
  }

  async get(tariffId: number): Promise<{ tariff: TariffRow; versions: TariffVersionRow[]; stations: string[] } | undefined> {
    const tariff = await this.repo.get(tariffId);
    if (!tariff) return undefined;
    const [versions, stations] = await Promise.all([this.repo.versions(tariffId), this.repo.stationsOf(tariffId)]);
    return { tariff, versions, stations };
  }

  versions(tariffId: number): Promise<TariffVersionRow[]> {
    return this.repo.versions(tariffId);
  }

  /** 'in_use' while it is the default or assigned to a station. */
  async delete(tariffId: number): Promise<'deleted' | 'not_found' | 'in_use'> {
    const result = await this.repo.delete(tariffId);
    this.byStation.clear();
    return result;
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

  /** The station's tariff, else the default one, else none; with its version valid at `at`. */
  async forStation(stationId: string, at = new Date()): Promise<CurrentTariff | undefined> {
    let cached = this.byStation.get(stationId);
    if (!cached || Date.now() - cached.at >= TARIFF_CACHE_MS) {
      const tariff = await this.repo.forStation(stationId);
      cached = { tariff: tariff ? { ...tariff, versions: await this.repo.versions(tariff.id) } : null, at: Date.now() };
      this.byStation.set(stationId, cached);
    }
    if (!cached.tariff) return undefined;
    const { versions, ...tariff } = cached.tariff;
    const current = versionAt(versions, at);
    return current && { ...tariff, current };
  }

  /** A session's cost under the tariff's version valid at its start: charging first, parking after. */
  async quote(tariffId: number, q: QuoteInput): Promise<{ version: TariffVersionRow; breakdown: PriceBreakdown } | undefined> {
    const timeline = quoteTimeline(q);
    const version = versionAt(await this.repo.versions(tariffId), q.start);
    if (!version) return undefined;
    return { version, breakdown: priceTimeline(version.definition, timeline) };
  }

  /** A quote under a definition not stored yet: the tariff editor's preview (checked as saving it would be). */
  quoteDraft(definition: TariffDefinition, q: QuoteInput): PriceBreakdown {
    const timeline = quoteTimeline(q);
    validateDefinition(definition);
    return priceTimeline(definition, timeline);
  }

  /**
   * A transaction's cost under the tariff it started with (running: so far, as of `at`), over the
   * timeline of its stored meter values; undefined for an unknown transaction or when no tariff applies.
   */
  async costOfTransaction(transactionId: number, at = new Date()): Promise<{ stationId: string; tariff: CdrTariffSnapshot; breakdown: PriceBreakdown } | undefined> {
    const tx = await this.transactions.get(transactionId);
    if (!tx) return undefined;
    const { tariff } = await this.startTariffOf(tx.id, tx.stationId, tx.startedAt);
    if (!tariff) return undefined;
    const end = tx.endedAt ?? at;
    const readings = (await this.meterValues?.listByTransaction(tx.id)) ?? [];
    const usage = sessionUsage(tx.startedAt, end, tx.meterStartWh, tx.meterStopWh, readings);
    const timeline = tx.energyWh !== null ? withTotalImport(usage.timeline, tx.startedAt, end, Math.max(0, Math.round(tx.energyWh))) : usage.timeline;
    return { stationId: tx.stationId, tariff, breakdown: priceTimeline(definitionOf(tariff), { start: tx.startedAt, end, periods: timeline }) };
  }

  /**
   * The cost of a transaction so far (or in total once ended) under the tariff it started with;
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
      const start = await this.startTariffOf(tx.id, stationId, tx.startedAt);
      tariff = start.tariff;
      if (start.taken && tx.state !== 'ended') this.startTariff.set(key, tariff);
    }
    if (!tariff) return undefined;
    const seen = lastEnergyWh(readings);
    if (seen !== undefined) this.lastRegister.set(key, seen);
    // the freshest register closes the timeline: the stop register once ended, else the last one seen
    let register: number | null;
    if (tx.state === 'ended') {
      this.lastRegister.delete(key);
      register = tx.meterStopWh ?? (tx.energyWh !== null && tx.meterStartWh !== null ? tx.meterStartWh + tx.energyWh : null);
    } else {
      register = this.lastRegister.get(key) ?? null;
    }
    const end = tx.endedAt ?? at;
    const stored = (await this.meterValues?.listByTransaction(tx.id)) ?? [];
    const usage = sessionUsage(tx.startedAt, end, tx.meterStartWh, register, stored);
    const timeline = tx.state === 'ended' && tx.energyWh !== null ? withTotalImport(usage.timeline, tx.startedAt, end, Math.max(0, Math.round(tx.energyWh))) : usage.timeline;
    const breakdown = priceTimeline(definitionOf(tariff), { start: tx.startedAt, end, periods: timeline });
    return costFrom(breakdown);
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

  /**
   * The snapshot the transaction started under (`taken`); a transaction begun before snapshots
   * existed (or whose snapshot is still being written) is priced by the station's tariff now, in
   * the version valid at the transaction's start.
   */
  private async startTariffOf(transactionId: number, stationId: string, startedAt: Date): Promise<{ tariff: CdrTariffSnapshot | null; taken: boolean }> {
    const taken = await this.atStart?.snapshot(transactionId);
    if (taken) return { tariff: taken.tariff, taken: true };
    const now = await this.forStation(stationId, startedAt);
    return { tariff: now ? tariffSnapshot(now) : null, taken: false };
  }
}

function versionAt(versions: readonly TariffVersionRow[], at: Date): TariffVersionRow | undefined {
  let found: TariffVersionRow | undefined;
  for (const v of versions) if (v.validFrom <= at && (!found || v.validFrom >= found.validFrom)) found = v;
  return found ?? versions[0];
}

/** The breakdown's total as the Cost the 2.0.1 messages carry. */
function costFrom(b: PriceBreakdown): Cost {
  const { exclVatMinor, vatMinor, inclVatMinor } = b.total;
  return {
    currency: b.currency, netMinor: exclVatMinor, vatMinor, totalMinor: inclVatMinor,
    net: formatMinor(exclVatMinor, b.currency), vat: formatMinor(vatMinor, b.currency), total: formatMinor(inclVatMinor, b.currency),
  };
}

/** A quoted session as a timeline: charging first, then `parkingMinutes` parked at its end. */
function quoteTimeline(q: QuoteInput): { start: Date; end: Date; periods: TimelinePeriod[] } {
  if (!ISO(q.start) || !ISO(q.end) || q.end < q.start) throw new TariffError('end must not precede start');
  const parkingMs = Math.round((q.parkingMinutes ?? 0) * 60_000);
  const total = q.end.getTime() - q.start.getTime();
  if (parkingMs > total) throw new TariffError('parking_minutes exceed the session');
  const split = new Date(q.end.getTime() - parkingMs);
  const periods: TimelinePeriod[] = [{ start: q.start, end: split, parking: false, importWh: q.energyKwh * 1000, exportWh: (q.exportedKwh ?? 0) * 1000 }];
  if (parkingMs > 0) periods.push({ start: split, end: q.end, parking: true, importWh: 0, exportWh: 0 });
  return { start: q.start, end: q.end, periods };
}
