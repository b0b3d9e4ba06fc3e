import { sql, type Kysely } from 'kysely';
import type { Connector, Database, MeterValue, Severity, Transaction, TransactionState } from '../schema.js';

/** Station groups a caller sees: null = every station. */
export type Scope = readonly string[] | null;

export interface ScopedTransactionQuery {
  groups: Scope;
  stationId?: string;
  state?: TransactionState;
  /** started at or after */
  from?: Date;
  limit: number;
  offset: number;
}

/**
 * Read models of the operator portal over stations, transactions, meter values and alerts,
 * each within a station-group scope: counts for the dashboard and scoped session lists.
 */
export class OperationsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** stations.id in scope, as a subquery (null scope: no restriction) */
  private inScope(groups: Scope) {
    let q = this.db.selectFrom('stations').select('id');
    if (groups) q = groups.length ? q.where('groupId', 'in', groups) : q.where(sql<boolean>`false`);
    return q;
  }

  /** Ids of the stations in service within scope. */
  async stationIds(groups: Scope): Promise<string[]> {
    let q = this.db.selectFrom('stations').select('id').where('decommissionedAt', 'is', null);
    if (groups) q = groups.length ? q.where('groupId', 'in', groups) : q.where(sql<boolean>`false`);
    return (await q.execute()).map((r) => r.id);
  }

  /** Stations in scope with at least one connector reporting Faulted. */
  async faultedStations(groups: Scope): Promise<number> {
    const r = await this.db.selectFrom('connectors')
      .select((e) => e.fn.count<string>('stationId').distinct().as('n'))
      .where('status', '=', 'Faulted')
      .where('stationId', 'in', this.inScope(groups))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** The connector states of these stations, those in scope only, by station, EVSE, connector. */
  async connectors(stationIds: readonly string[], groups: Scope): Promise<Connector[]> {
    if (!stationIds.length) return [];
    return this.db.selectFrom('connectors').selectAll()
      .where('stationId', 'in', stationIds).where('stationId', 'in', this.inScope(groups))
      .orderBy('stationId').orderBy('evseId').orderBy('connectorId').execute();
  }

  /** Newest first, with the total count. */
  async transactions(q: ScopedTransactionQuery): Promise<{ items: Transaction[]; total: number }> {
    let base = this.db.selectFrom('transactions').where('stationId', 'in', this.inScope(q.groups));
    if (q.stationId !== undefined) base = base.where('stationId', '=', q.stationId);
    if (q.state !== undefined) base = base.where('state', '=', q.state);
    if (q.from !== undefined) base = base.where('startedAt', '>=', q.from);
    const [items, count] = await Promise.all([
      base.selectAll().orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute(),
      base.select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(count.n) };
  }

  async transaction(id: number): Promise<Transaction | undefined> {
    return this.db.selectFrom('transactions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** A transaction's meter values in sampling order, at most `max` (the first ones). */
  async meterValues(transactionId: number, max: number): Promise<MeterValue[]> {
    return this.db.selectFrom('meterValues').selectAll().where('transactionId', '=', transactionId).orderBy('sampledAt').orderBy('id').limit(max).execute();
  }

  /** Energy (Wh) of the transactions in scope that ended since `since`, and how many started since then. */
  async since(groups: Scope, since: Date): Promise<{ endedEnergyWh: number; started: number }> {
    const [ended, started] = await Promise.all([
      this.db.selectFrom('transactions').select((e) => e.fn.sum<string | null>('energyWh').as('wh'))
        .where('state', '=', 'ended').where('endedAt', '>=', since).where('stationId', 'in', this.inScope(groups)).executeTakeFirstOrThrow(),
      this.db.selectFrom('transactions').select((e) => e.fn.countAll<string>().as('n'))
        .where('startedAt', '>=', since).where('stationId', 'in', this.inScope(groups)).executeTakeFirstOrThrow(),
    ]);
    return { endedEnergyWh: Number(ended.wh ?? 0), started: Number(started.n) };
  }

  /** Per hour since `since`: sessions started and energy (Wh) of sessions ended, in scope. */
  async hourly(groups: Scope, since: Date): Promise<Array<{ hour: Date; started: number; energyWh: number }>> {
    const [starts, ends] = await Promise.all([
      this.db.selectFrom('transactions')
        .select([sql<Date>`date_trunc('hour', started_at)`.as('hour'), (e) => e.fn.countAll<string>().as('n')])
        .where('startedAt', '>=', since).where('stationId', 'in', this.inScope(groups))
        .groupBy(sql`1`).execute(),
      this.db.selectFrom('transactions')
        .select([sql<Date>`date_trunc('hour', ended_at)`.as('hour'), (e) => e.fn.sum<string | null>('energyWh').as('wh')])
        .where('state', '=', 'ended').where('endedAt', '>=', since).where('stationId', 'in', this.inScope(groups))
        .groupBy(sql`1`).execute(),
    ]);
    const byHour = new Map<number, { hour: Date; started: number; energyWh: number }>();
    const at = (d: Date | string) => {
      const t = new Date(d).getTime();
      let row = byHour.get(t);
      if (!row) byHour.set(t, row = { hour: new Date(t), started: 0, energyWh: 0 });
      return row;
    };
    for (const s of starts) at(s.hour).started = Number(s.n);
    for (const e of ends) at(e.hour).energyWh = Number(e.wh ?? 0);
    return [...byHour.values()].sort((a, b) => a.hour.getTime() - b.hour.getTime());
  }

  /** The active transactions in scope with their latest meter value (if any). */
  async activeWithLatestReading(groups: Scope): Promise<Array<{ tx: Transaction; latest?: MeterValue }>> {
    const active = await this.db.selectFrom('transactions').selectAll().where('state', '=', 'active').where('stationId', 'in', this.inScope(groups)).execute();
    if (!active.length) return [];
    const latest = await this.db.selectFrom('meterValues').selectAll()
      .distinctOn('transactionId')
      .where('transactionId', 'in', active.map((t) => t.id))
      .orderBy('transactionId').orderBy('sampledAt', 'desc').orderBy('id', 'desc')
      .execute();
    const byTx = new Map(latest.map((m) => [m.transactionId, m]));
    return active.map((tx) => ({ tx, latest: byTx.get(tx.id) }));
  }

  /** Open IDS alerts by severity: of stations in scope, and (unrestricted callers only) those about no station. */
  async openAlerts(groups: Scope): Promise<Record<Severity, number>> {
    let q = this.db.selectFrom('idsAlerts').select(['severity', (e) => e.fn.countAll<string>().as('n')]).where('status', '=', 'open');
    q = groups ? q.where('stationId', 'in', this.inScope(groups)) : q;
    const rows = await q.groupBy('severity').execute();
    const out: Record<Severity, number> = { info: 0, warning: 0, high: 0, critical: 0 };
    for (const r of rows) out[r.severity] = Number(r.n);
    return out;
  }
}
