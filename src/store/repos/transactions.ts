import type { GroupCommitOptions } from '../group-commit.js';
import type { Kysely } from 'kysely';
import { BatchUpdater } from '../batch-updater.js';
import { DuplicateError, isUniqueViolation } from '../errors.js';
import type { ClosedBy, Database, Transaction, TransactionState } from '../schema.js';
import type { Page } from './page.js';
import { isTokenRef, type TokenRefs } from './token-refs.js';

export interface StartTransactionInput {
  stationId: string;
  /** OCPP 2.0.1 transactionId chosen by the station; omit for 1.6, where it becomes String(id). */
  transactionRef?: string | null;
  protocol: string;
  evseId: number | null;
  connectorId: number | null;
  idToken: string | null;
  startedAt: Date;
  meterStartWh: number | null;
  remoteStartId?: number | null;
  reservationId?: number | null;
  seqNo?: number | null;
  offline?: boolean;
  chargingState?: string | null;
}

export interface TransactionPatch {
  lastSeqNo?: number | null;
  seqGaps?: number;
  chargingState?: string | null;
  idToken?: string | null;
  remoteStartId?: number | null;
  evseId?: number | null;
  connectorId?: number | null;
  meterStartWh?: number | null;
  offline?: boolean;
  meterStopWh?: number | null;
  energyWh?: number | null;
}

export interface EndTransactionInput {
  endedAt: Date;
  meterStopWh: number | null;
  energyWh: number | null;
  stopReason: string | null;
  /** who ended it; absent = the station */
  closedBy?: ClosedBy;
}

/** What changes on every 2.0.1 TransactionEvent of an active transaction. */
export interface TransactionProgressRow {
  id: number;
  lastSeqNo: number | null;
  seqGaps: number;
  chargingState: string | null;
}

export interface TransactionProgressWriter {
  /** Resolves once committed (also for an unknown id, which changes nothing). */
  add(p: TransactionProgressRow): Promise<void>;
  flush(): Promise<void>;
  /** Drains pending updates; later add() calls are refused. */
  close(): Promise<void>;
}

export interface TransactionQuery extends Page {
  stationId?: string;
  state?: TransactionState;
}

export class TransactionRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private tokenRefs?: TokenRefs;

  /** From here on the token columns store pseudonyms (migration 0024); see TokenRefs. */
  referTokens(refs: TokenRefs): void {
    this.tokenRefs = refs;
  }

  private async ref(uid: string): Promise<string>;
  private async ref(uid: string | null | undefined): Promise<string | null | undefined>;
  private async ref(uid: string | null | undefined): Promise<string | null | undefined> {
    return uid && this.tokenRefs && !isTokenRef(uid) ? this.tokenRefs.ref(uid) : uid;
  }

  /**
   * Inserts an active transaction. The id is drawn from the sequence first so
   * a 1.6 start can store transaction_ref = String(id) in the same INSERT.
   * @throws DuplicateError when the station already used this transactionRef.
   */
  async start(input: StartTransactionInput): Promise<{ id: number; transactionRef: string }> {
    const { id } = await this.db
      .selectNoFrom((eb) => eb.fn<number>('nextval', [eb.val('transactions_id_seq')]).as('id'))
      .executeTakeFirstOrThrow();
    const transactionRef = input.transactionRef ?? String(id);
    try {
      await this.db
        .insertInto('transactions')
        .values({
          id,
          stationId: input.stationId,
          transactionRef,
          protocol: input.protocol,
          evseId: input.evseId,
          connectorId: input.connectorId,
          idToken: await this.ref(input.idToken),
          startedAt: input.startedAt,
          meterStartWh: input.meterStartWh,
          remoteStartId: input.remoteStartId ?? null,
          reservationId: input.reservationId ?? null,
          lastSeqNo: input.seqNo ?? null,
          offline: input.offline ?? false,
          chargingState: input.chargingState ?? null,
        })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('transaction', `${input.stationId}/${transactionRef}`, err);
      throw err;
    }
    return { id, transactionRef };
  }

  async get(id: number): Promise<Transaction | undefined> {
    return this.db.selectFrom('transactions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findByRef(stationId: string, transactionRef: string): Promise<Transaction | undefined> {
    return this.db
      .selectFrom('transactions')
      .selectAll()
      .where('stationId', '=', stationId)
      .where('transactionRef', '=', transactionRef)
      .executeTakeFirst();
  }

  async listActive(stationId: string): Promise<Transaction[]> {
    return this.db
      .selectFrom('transactions')
      .selectAll()
      .where('stationId', '=', stationId)
      .where('state', '=', 'active')
      .orderBy('id')
      .execute();
  }

  /** Newest first. */
  async list(q: TransactionQuery): Promise<Transaction[]> {
    let query = this.db.selectFrom('transactions').selectAll();
    if (q.stationId !== undefined) query = query.where('stationId', '=', q.stationId);
    if (q.state !== undefined) query = query.where('state', '=', q.state);
    return query
      .orderBy('id', 'desc')
      .limit(q.limit)
      .offset(q.offset ?? 0)
      .execute();
  }

  /** The transactions of tokens, by the pseudonyms they store (data-subject export and erasure). */
  async ofTokens(refs: readonly string[]): Promise<Transaction[]> {
    if (refs.length === 0) return [];
    return this.db.selectFrom('transactions').selectAll().where('idToken', 'in', [...refs]).orderBy('id').execute();
  }

  /** Applies the given fields (absent ones are left alone). Returns false for an unknown id. */
  async update(id: number, patch: TransactionPatch): Promise<boolean> {
    const idToken = await this.ref(patch.idToken);
    const r = await this.db
      .updateTable('transactions')
      // Kysely leaves out keys whose value is undefined. Fields are picked one
      // by one so a wider object passed at run time cannot reach other columns.
      .set((eb) => ({
        lastSeqNo: patch.lastSeqNo,
        seqGaps: patch.seqGaps,
        chargingState: patch.chargingState,
        idToken,
        remoteStartId: patch.remoteStartId,
        evseId: patch.evseId,
        connectorId: patch.connectorId,
        meterStartWh: patch.meterStartWh,
        offline: patch.offline,
        meterStopWh: patch.meterStopWh,
        energyWh: patch.energyWh,
        updatedAt: eb.fn<Date>('now'),
      }))
      .where('id', '=', id)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /**
   * Coalesces progress updates of many transactions into one UPDATE per flush,
   * so the per-event bookkeeping costs no round trip of its own.
   */
  progressWriter(options: GroupCommitOptions = {}): TransactionProgressWriter {
    return new BatchUpdater<TransactionProgressRow>(this.db, {
      table: 'transactions',
      key: { name: 'id', pgType: 'int8' },
      columns: [
        { name: 'lastSeqNo', pgType: 'int4' },
        { name: 'seqGaps', pgType: 'int4' },
        { name: 'chargingState', pgType: 'text' },
      ],
      nowColumns: ['updatedAt'],
      ...options,
    });
  }

  /** Ends an active transaction; false if it is unknown or already ended. */
  async end(id: number, e: EndTransactionInput): Promise<boolean> {
    const r = await this.db
      .updateTable('transactions')
      .set((eb) => ({
        state: 'ended' as const,
        endedAt: e.endedAt,
        meterStopWh: e.meterStopWh,
        energyWh: e.energyWh,
        stopReason: e.stopReason,
        closedBy: e.closedBy ?? 'station',
        updatedAt: eb.fn<Date>('now'),
      }))
      .where('id', '=', id)
      .where('state', '=', 'active')
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /**
   * The station's own end data replaces what the platform wrote when it closed the transaction
   * itself; false unless the transaction was closed by the platform.
   */
  async replacePlatformEnd(id: number, e: EndTransactionInput): Promise<boolean> {
    const r = await this.db
      .updateTable('transactions')
      .set((eb) => ({
        endedAt: e.endedAt, meterStopWh: e.meterStopWh, energyWh: e.energyWh, stopReason: e.stopReason,
        closedBy: 'station' as const, updatedAt: eb.fn<Date>('now'),
      }))
      .where('id', '=', id)
      .where('state', '=', 'ended')
      .where('closedBy', '=', 'csms')
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }
}
