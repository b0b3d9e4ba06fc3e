import type { Kysely } from 'kysely';
import type { CdrRow, CdrTariffSnapshot, Database, NewCdr } from '../schema.js';

export interface CdrQuery {
  limit: number;
  offset: number;
  stationId?: string;
  /** start of the session, inclusive */
  from?: Date;
  /** start of the session, exclusive */
  to?: Date;
  /** station groups in scope; null = all (a station outside every group is then visible too) */
  groups: readonly string[] | null;
  sort?: 'id' | 'startDateTime';
  order?: 'asc' | 'desc';
}

/** CDRs (insert and read only: the table refuses UPDATE and DELETE) and tariff snapshots. */
export class CdrRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts a CDR unless its transaction already has one; undefined then. */
  async insertOnce(cdr: NewCdr): Promise<CdrRow | undefined> {
    return this.db.insertInto('cdrs').values(cdr)
      .onConflict((oc) => oc.column('transactionId').doNothing())
      .returningAll().executeTakeFirst();
  }

  /** Inserts a credit CDR unless the original was credited already; undefined then. */
  async insertCredit(cdr: NewCdr): Promise<CdrRow | undefined> {
    return this.db.insertInto('cdrs').values(cdr)
      .onConflict((oc) => oc.column('creditOf').doNothing())
      .returningAll().executeTakeFirst();
  }

  get(id: number): Promise<CdrRow | undefined> {
    return this.db.selectFrom('cdrs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  byTransaction(transactionId: number): Promise<CdrRow | undefined> {
    return this.db.selectFrom('cdrs').selectAll().where('transactionId', '=', transactionId).executeTakeFirst();
  }

  creditOf(id: number): Promise<CdrRow | undefined> {
    return this.db.selectFrom('cdrs').selectAll().where('creditOf', '=', id).executeTakeFirst();
  }

  /** The station group of a CDR's station (null: none, or the station is gone). */
  async groupOf(stationId: string): Promise<string | null> {
    const s = await this.db.selectFrom('stations').select('groupId').where('id', '=', stationId).executeTakeFirst();
    return s?.groupId ?? null;
  }

  async search(q: CdrQuery): Promise<{ items: CdrRow[]; total: number }> {
    let base = this.db.selectFrom('cdrs');
    if (q.groups !== null) {
      // scoped by the group the station is in now, like every other station-bound resource
      const groups = q.groups.length > 0 ? [...q.groups] : [''];
      base = base.where('stationId', 'in', (eb) => eb.selectFrom('stations').select('stations.id').where('stations.groupId', 'in', groups));
    }
    if (q.stationId !== undefined) base = base.where('stationId', '=', q.stationId);
    if (q.from) base = base.where('startDateTime', '>=', q.from);
    if (q.to) base = base.where('startDateTime', '<', q.to);
    const [items, count] = await Promise.all([
      base.selectAll().orderBy(q.sort ?? 'id', q.order ?? 'asc').orderBy('id', q.order ?? 'asc').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(count.n) };
  }

  /** `tariff` null records that no tariff applied. The first snapshot of a transaction stays. */
  async saveSnapshot(transactionId: number, tariff: CdrTariffSnapshot | null, validFrom: Date): Promise<void> {
    await this.db.insertInto('cdrTariffSnapshots').values({ transactionId, tariff: JSON.stringify(tariff), validFrom })
      .onConflict((oc) => oc.column('transactionId').doNothing()).execute();
  }

  /** undefined: no snapshot was taken (the transaction started before CDRs existed) */
  snapshot(transactionId: number): Promise<{ tariff: CdrTariffSnapshot | null } | undefined> {
    return this.db.selectFrom('cdrTariffSnapshots').select('tariff').where('transactionId', '=', transactionId).executeTakeFirst();
  }
}
