import type { Logger } from '../../log/logger.js';
import type { MeterValueRepo, TransactionPatch, TransactionProgressWriter, TransactionRepo } from '../../store/index.js';
import type { DomainEvents } from '../events.js';
import type { Authorization, MeterReading } from '../model.js';
import type { SecurityLog } from '../security/security-log.js';
import type { TokenService } from '../tokens/token-service.js';
import { energyRegisterWh, lastEnergyWh } from './meter.js';

export interface StartInput {
  stationId: string;
  protocol: string;
  /** 2.0.1: the station's transactionId; absent for 1.6, where the CSMS assigns it */
  transactionRef?: string;
  evseId: number;
  connectorId: number;
  idToken?: string;
  startedAt: Date;
  meterStartWh?: number;
  remoteStartId?: number;
  reservationId?: number;
  seqNo?: number;
  offline?: boolean;
  chargingState?: string;
  readings?: MeterReading[];
}

export interface UpdateInput {
  stationId: string;
  transactionRef: string;
  evseId?: number;
  connectorId?: number;
  seqNo?: number;
  offline?: boolean;
  chargingState?: string;
  idToken?: string;
  remoteStartId?: number;
  readings: MeterReading[];
}

export interface EndInput extends UpdateInput {
  endedAt: Date;
  meterStopWh?: number;
  reason?: string;
}

interface ActiveTransaction {
  id: number;
  ref: string;
  evseId: number;
  connectorId: number;
  meterStartWh?: number;
  lastImportWh?: number;
  lastSeqNo?: number;
  seqGaps: number;
  /** 2.0.1 sends chargingState only when it changes: the last one reported */
  chargingState?: string;
  idToken?: string;
  remoteStartId?: number;
}

/** A station that booted: its transactions not heard of by `due` are closed (see stationRebooted). */
interface RebootCheck {
  due: number;
  /** refs of transactions the station mentioned since the boot */
  seen: Set<string>;
}

export interface TransactionOptions {
  /** how long (ms) a rebooted station has to mention a transaction before it is closed */
  zombieGraceMs?: number;
}

/**
 * Transactions of both OCPP versions: 1.6 Start/Stop/MeterValues and 2.0.1 TransactionEvent
 * Started/Updated/Ended reach the same operations. Active transactions are kept in memory per
 * station (loaded once) so the meter-value hot path needs no read query.
 */
export class TransactionService {
  /** per station: its active transactions by ref (a promise only while loading) */
  private readonly active = new Map<string, Map<string, ActiveTransaction> | Promise<Map<string, ActiveTransaction>>>();
  /** stations that booted and whose silent transactions are to be closed; one timer serves them all */
  private readonly rebootChecks = new Map<string, RebootCheck>();
  private rebootTimer: NodeJS.Timeout | undefined;
  private rebootSweep: Promise<void> | undefined;

  constructor(
    private readonly transactions: TransactionRepo,
    private readonly meterRepo: MeterValueRepo,
    private readonly progress: TransactionProgressWriter,
    private readonly tokens: TokenService,
    private readonly security: SecurityLog,
    private readonly events: DomainEvents,
    private readonly log: Logger,
    private readonly options: TransactionOptions = {},
  ) {}

  async started(s: StartInput): Promise<{ transactionId: number; transactionRef: string; authorization?: Authorization }> {
    const authorization = s.idToken !== undefined ? await this.tokens.authorize(s.idToken) : undefined;
    const active = await this.activeOf(s.stationId);
    if (s.transactionRef !== undefined) {
      // A repeated Started (offline queue replayed, or a retry after a lost response) is idempotent.
      const known = (await this.find(s.stationId, s.transactionRef)) ?? (await this.transactions.findByRef(s.stationId, s.transactionRef));
      if (known) return { transactionId: known.id, transactionRef: s.transactionRef, authorization };
    }
    // Zombie rule (a): one open transaction per connector. A new start means the station lost
    // or never sent the end of the previous one, so the platform closes it.
    if (s.evseId > 0) {
      for (const old of [...active.values()]) {
        if (old.evseId === s.evseId && old.connectorId === s.connectorId) await this.closeByPlatform(s.stationId, old, 'SupersededByNewTransaction', s.startedAt);
      }
    }
    const meterStartWh = s.meterStartWh ?? (s.readings ? lastEnergyWh(s.readings) : undefined);
    const { id, transactionRef } = await this.transactions.start({
      stationId: s.stationId, transactionRef: s.transactionRef ?? null, protocol: s.protocol, evseId: s.evseId,
      connectorId: s.connectorId, idToken: s.idToken ?? null, startedAt: s.startedAt, meterStartWh: meterStartWh ?? null,
      remoteStartId: s.remoteStartId ?? null, reservationId: s.reservationId ?? null, seqNo: s.seqNo ?? null,
      offline: s.offline ?? false, chargingState: s.chargingState ?? null,
    });
    const tx: ActiveTransaction = {
      id, ref: transactionRef, evseId: s.evseId, connectorId: s.connectorId, meterStartWh, lastImportWh: meterStartWh, lastSeqNo: s.seqNo, seqGaps: 0,
      chargingState: s.chargingState, idToken: s.idToken, remoteStartId: s.remoteStartId,
    };
    active.set(transactionRef, tx);
    this.rebootChecks.get(s.stationId)?.seen.add(transactionRef);
    if (s.readings?.length) await this.storeReadings(s.stationId, id, s.evseId, s.readings);
    this.events.emit({ type: 'transaction.started', stationId: s.stationId, transactionId: id, transactionRef, evseId: s.evseId, connectorId: s.connectorId, meterStartWh });
    return { transactionId: id, transactionRef, authorization };
  }

  /** 2.0.1 TransactionEvent Updated. An unknown transaction is recovered from the event itself. */
  async updated(u: UpdateInput): Promise<{ authorization?: Authorization }> {
    const tx = (await this.find(u.stationId, u.transactionRef)) ?? (await this.recover(u));
    const authorization = u.idToken !== undefined ? await this.tokens.authorize(u.idToken) : undefined;
    if (!tx) {
      const closed = await this.transactions.findByRef(u.stationId, u.transactionRef);
      if (closed?.closedBy === 'csms') {
        // the platform closed it; the station's late news is kept, not treated as an attack
        if (u.readings.length) await this.storeReadings(u.stationId, closed.id, u.evseId ?? closed.evseId ?? 0, u.readings);
        return { authorization };
      }
      await this.security.record({ stationId: u.stationId, type: 'TransactionAlreadyEnded', severity: 'warning', details: { transactionRef: u.transactionRef.slice(0, 40), operation: 'update' } });
      return { authorization };
    }
    const pending: Array<Promise<unknown>> = [];
    if (u.seqNo !== undefined || u.chargingState !== undefined) {
      this.trackSeqNo(tx, u.stationId, u.seqNo);
      if (u.chargingState !== undefined) tx.chargingState = u.chargingState;
      pending.push(this.progress.add({ id: tx.id, lastSeqNo: tx.lastSeqNo ?? null, seqGaps: tx.seqGaps, chargingState: tx.chargingState ?? null }));
    }
    const learned = this.learn(tx, u);
    if (learned) pending.push(this.transactions.update(tx.id, learned));
    if (u.readings.length) pending.push(this.storeReadings(u.stationId, tx.id, u.evseId ?? tx.evseId, u.readings, tx));
    await Promise.all(pending);
    return { authorization };
  }

  /** 1.6 StopTransaction and 2.0.1 TransactionEvent Ended. Returns false for a transaction we do not know. */
  async ended(e: EndInput, opts: { recoverUnknown: boolean }): Promise<{ known: boolean; authorization?: Authorization }> {
    let tx = await this.find(e.stationId, e.transactionRef);
    if (!tx && opts.recoverUnknown) tx = await this.recover(e);
    const authorization = e.idToken !== undefined ? await this.tokens.authorize(e.idToken) : undefined;
    if (!tx) {
      const ended = await this.transactions.findByRef(e.stationId, e.transactionRef);
      if (ended?.closedBy === 'csms') {
        // Zombie rule (c): the station's own end of a transaction the platform closed replaces
        // the platform's end data; this is the expected late message, not a security event.
        if (e.readings.length) await this.storeReadings(e.stationId, ended.id, e.evseId ?? ended.evseId ?? 0, e.readings);
        const meterStopWh = e.meterStopWh ?? lastEnergyWh(e.readings) ?? ended.meterStopWh ?? undefined;
        const energyWh = meterStopWh !== undefined && ended.meterStartWh !== null ? Math.max(0, meterStopWh - ended.meterStartWh) : undefined;
        await this.transactions.replacePlatformEnd(ended.id, { endedAt: e.endedAt, meterStopWh: meterStopWh ?? null, energyWh: energyWh ?? null, stopReason: e.reason ?? null });
        this.log.info({ station: e.stationId, transaction: e.transactionRef }, 'station ended a transaction the platform had closed: its end data replaces ours');
        return { known: true, authorization };
      }
      await this.security.record({
        stationId: e.stationId, type: ended ? 'TransactionAlreadyEnded' : 'UnknownTransaction', severity: 'warning',
        details: { transactionRef: e.transactionRef.slice(0, 40), operation: 'end' },
      });
      return { known: false, authorization };
    }
    this.trackSeqNo(tx, e.stationId, e.seqNo);
    if (e.chargingState !== undefined) tx.chargingState = e.chargingState;
    const learned = this.learn(tx, e);
    if (learned) await this.transactions.update(tx.id, learned);
    if (e.readings.length) await this.storeReadings(e.stationId, tx.id, e.evseId ?? tx.evseId, e.readings, tx);
    const meterStopWh = e.meterStopWh ?? tx.lastImportWh;
    const energyWh = meterStopWh !== undefined && tx.meterStartWh !== undefined ? Math.max(0, meterStopWh - tx.meterStartWh) : undefined;
    await this.progress.add({ id: tx.id, lastSeqNo: tx.lastSeqNo ?? null, seqGaps: tx.seqGaps, chargingState: tx.chargingState ?? null });
    await this.transactions.end(tx.id, { endedAt: e.endedAt, meterStopWh: meterStopWh ?? null, energyWh: energyWh ?? null, stopReason: e.reason ?? null });
    (await this.activeOf(e.stationId)).delete(tx.ref);
    this.events.emit({ type: 'transaction.ended', stationId: e.stationId, transactionId: tx.id, transactionRef: tx.ref, energyWh, reason: e.reason });
    return { known: true, authorization };
  }

  /** Meter values outside TransactionEvent (1.6 MeterValues, 2.0.1 MeterValues). */
  async meterValues(m: { stationId: string; evseId: number; transactionRef?: string; readings: MeterReading[] }): Promise<void> {
    let tx: ActiveTransaction | undefined;
    if (m.transactionRef !== undefined) {
      tx = await this.find(m.stationId, m.transactionRef);
      // an offline queue replays the readings of a transaction that has ended since (the platform closed it, or the
      // station's own stop overtook them): known, so kept with it and not an unknown transaction
      const ended = tx ? undefined : await this.transactions.findByRef(m.stationId, m.transactionRef);
      if (ended) {
        await this.storeReadings(m.stationId, ended.id, m.evseId, m.readings);
        return;
      }
      if (!tx) {
        await this.security.record({ stationId: m.stationId, type: 'UnknownTransaction', severity: 'warning', details: { transactionRef: m.transactionRef.slice(0, 40), operation: 'meterValues' } });
      }
    }
    await this.storeReadings(m.stationId, tx?.id ?? null, m.evseId, m.readings, tx);
  }

  /**
   * Zombie rule (b): an accepted BootNotification means the station restarted. Transactions it
   * had open and does not mention again within the grace period are closed with reason
   * StationRebooted. One timer serves every rebooted station.
   */
  stationRebooted(stationId: string, now = Date.now()): void {
    this.rebootChecks.set(stationId, { due: now + (this.options.zombieGraceMs ?? 120_000), seen: new Set() });
    this.armRebootTimer();
  }

  /** Closes the silent transactions of every rebooted station whose grace period is over. */
  async sweepRebooted(now = Date.now()): Promise<void> {
    const due: Array<[string, RebootCheck]> = [];
    for (const [stationId, check] of this.rebootChecks) {
      if (check.due <= now) due.push([stationId, check]);
    }
    for (const [stationId, check] of due) {
      if (this.rebootChecks.get(stationId) === check) this.rebootChecks.delete(stationId);
      const active = await this.activeOf(stationId);
      for (const tx of [...active.values()]) {
        if (!check.seen.has(tx.ref)) await this.closeByPlatform(stationId, tx, 'StationRebooted', new Date(now));
      }
    }
  }

  /** Stops the reboot sweep timer and waits for a sweep under way. */
  async close(): Promise<void> {
    clearTimeout(this.rebootTimer);
    this.rebootTimer = undefined;
    this.rebootChecks.clear();
    await this.rebootSweep;
  }

  private armRebootTimer(): void {
    if (this.rebootTimer || this.rebootSweep || this.rebootChecks.size === 0) return;
    let next = Infinity;
    for (const c of this.rebootChecks.values()) next = Math.min(next, c.due);
    this.rebootTimer = setTimeout(() => {
      this.rebootTimer = undefined;
      this.rebootSweep = this.sweepRebooted()
        .catch((err: unknown) => this.log.error({ err }, 'closing transactions of rebooted stations failed'))
        .finally(() => {
          this.rebootSweep = undefined;
          this.armRebootTimer();
        });
    }, Math.max(0, next - Date.now()));
    this.rebootTimer.unref();
  }

  /** Ends a transaction on the platform's own authority, with the last energy reading known. */
  private async closeByPlatform(stationId: string, tx: ActiveTransaction, reason: string, endedAt: Date): Promise<void> {
    const meterStopWh = tx.lastImportWh;
    const energyWh = meterStopWh !== undefined && tx.meterStartWh !== undefined ? Math.max(0, meterStopWh - tx.meterStartWh) : undefined;
    await this.transactions.end(tx.id, { endedAt, meterStopWh: meterStopWh ?? null, energyWh: energyWh ?? null, stopReason: reason, closedBy: 'csms' });
    (await this.activeOf(stationId)).delete(tx.ref);
    this.log.info({ station: stationId, transaction: tx.ref, reason }, 'transaction closed by the platform');
    this.events.emit({ type: 'transaction.ended', stationId, transactionId: tx.id, transactionRef: tx.ref, energyWh, reason });
  }

  /** Forgets a station's cached state (on disconnect); the database stays the truth. */
  forget(stationId: string): void {
    this.active.delete(stationId);
  }

  /** Creates an active transaction from an Updated/Ended event; undefined if it already ended. */
  private async recover(u: UpdateInput): Promise<ActiveTransaction | undefined> {
    if (await this.transactions.findByRef(u.stationId, u.transactionRef)) return undefined;
    this.log.info({ station: u.stationId }, 'transaction event for an unknown transaction: recovering it from the event');
    // kept, but a 2.0.1 station never started it here: worth recording (the IDS counts these, T2)
    await this.security.record({ stationId: u.stationId, type: 'UnknownTransaction', severity: 'warning', details: { transactionRef: u.transactionRef.slice(0, 40), operation: 'recover' } });
    const first = u.readings[0];
    await this.started({
      stationId: u.stationId, protocol: 'ocpp2.0.1', transactionRef: u.transactionRef, evseId: u.evseId ?? 0, connectorId: 1,
      idToken: u.idToken, startedAt: first?.timestamp ?? new Date(), seqNo: u.seqNo, offline: u.offline, chargingState: u.chargingState,
    });
    return (await this.activeOf(u.stationId)).get(u.transactionRef);
  }

  /**
   * What a later event tells about a transaction that its Started event could not: the idToken
   * presented after plug-in (cable-first, EVDetected starts), the remoteStartId of a remote start
   * on a plugged-in EV, the EVSE when it was not known at the start, the Transaction.Begin meter
   * value. Facts already known are kept (a stop token does not replace the start token).
   */
  private learn(tx: ActiveTransaction, u: UpdateInput): TransactionPatch | undefined {
    const patch: TransactionPatch = {};
    if (u.idToken !== undefined && tx.idToken === undefined) patch.idToken = tx.idToken = u.idToken;
    if (u.remoteStartId !== undefined && tx.remoteStartId === undefined) patch.remoteStartId = tx.remoteStartId = u.remoteStartId;
    if (u.evseId !== undefined && u.evseId > 0 && tx.evseId === 0) {
      patch.evseId = tx.evseId = u.evseId;
      patch.connectorId = tx.connectorId = u.connectorId ?? tx.connectorId;
    }
    if (tx.meterStartWh === undefined) {
      const begin = lastEnergyWh(u.readings.filter((r) => r.context === 'Transaction.Begin'));
      if (begin !== undefined) patch.meterStartWh = tx.meterStartWh = begin;
    }
    return Object.keys(patch).length > 0 ? patch : undefined;
  }

  private trackSeqNo(tx: ActiveTransaction, stationId: string, seqNo: number | undefined): void {
    if (seqNo === undefined) return;
    if (tx.lastSeqNo !== undefined && seqNo > tx.lastSeqNo + 1) {
      tx.seqGaps += seqNo - tx.lastSeqNo - 1;
      this.log.info({ station: stationId, transaction: tx.ref, expected: tx.lastSeqNo + 1, got: seqNo }, 'transaction event sequence gap');
    }
    if (tx.lastSeqNo === undefined || seqNo > tx.lastSeqNo) tx.lastSeqNo = seqNo;
  }

  private async storeReadings(stationId: string, transactionId: number | null, evseId: number, readings: MeterReading[], tx?: ActiveTransaction): Promise<void> {
    const writes = readings.map((r) =>
      this.meterRepo.add({ stationId, transactionId, evseId, sampledAt: r.timestamp, context: r.context ?? r.samples[0]?.context ?? null, sampledValue: r.raw }),
    );
    if (tx) {
      for (const r of readings) {
        const wh = energyRegisterWh(r);
        if (wh !== undefined) tx.lastImportWh = wh;
      }
    }
    await Promise.all(writes);
    if (this.events.hasListeners) this.events.emit({ type: 'meter.values', stationId, transactionId: transactionId ?? undefined, evseId, readings });
  }

  private async find(stationId: string, ref: string): Promise<ActiveTransaction | undefined> {
    const tx = (await this.activeOf(stationId)).get(ref);
    if (tx) this.rebootChecks.get(stationId)?.seen.add(ref);
    return tx;
  }

  private activeOf(stationId: string): Map<string, ActiveTransaction> | Promise<Map<string, ActiveTransaction>> {
    const known = this.active.get(stationId);
    if (known) return known;
    const loading: Promise<Map<string, ActiveTransaction>> = this.transactions.listActive(stationId).then((rows) => {
      const loaded = new Map(rows.map((t) => [t.transactionRef, {
        id: t.id, ref: t.transactionRef, evseId: t.evseId ?? 0, connectorId: t.connectorId ?? 0,
        meterStartWh: t.meterStartWh ?? undefined, lastImportWh: t.meterStopWh ?? t.meterStartWh ?? undefined,
        lastSeqNo: t.lastSeqNo ?? undefined, seqGaps: t.seqGaps,
        chargingState: t.chargingState ?? undefined, idToken: t.idToken ?? undefined, remoteStartId: t.remoteStartId ?? undefined,
      }]));
      // keep the plain map, not the promise, unless the station was forgotten meanwhile
      if (this.active.get(stationId) === loading) this.active.set(stationId, loaded);
      return loaded;
    });
    loading.catch(() => {
      if (this.active.get(stationId) === loading) this.active.delete(stationId);
    });
    this.active.set(stationId, loading);
    return loading;
  }
}
