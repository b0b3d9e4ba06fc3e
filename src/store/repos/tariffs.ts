import { sql, type Kysely } from 'kysely';
import { DuplicateError, isUniqueViolation } from '../errors.js';
import type { Database, TariffRow } from '../schema.js';

export interface TariffInput {
  name: string;
  currency: string;
  pricePerKwh: string;
  pricePerMinute: string;
  startFee: string;
  vatRate: string;
}

/** Tariffs, the default one, and which station uses which. */
export class TariffRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** @throws DuplicateError when the name is taken. */
  async create(t: TariffInput): Promise<TariffRow> {
    try {
      return await this.db.insertInto('tariffs').values(t).returningAll().executeTakeFirstOrThrow();
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('tariff', t.name, err);
      throw err;
    }
  }

  get(id: number): Promise<TariffRow | undefined> {
    return this.db.selectFrom('tariffs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(): Promise<TariffRow[]> {
    return this.db.selectFrom('tariffs').selectAll().orderBy('id').execute();
  }

  /** Makes one tariff the default (unsetting the previous one); false for an unknown id. */
  async setDefault(id: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // an unknown id must leave the current default alone
      if (!(await trx.selectFrom('tariffs').select('id').where('id', '=', id).forUpdate().executeTakeFirst())) return false;
      await trx.updateTable('tariffs').set({ isDefault: false, updatedAt: sql<Date>`now()` }).where('isDefault', '=', true).where('id', '!=', id).execute();
      await trx.updateTable('tariffs').set({ isDefault: true, updatedAt: sql<Date>`now()` }).where('id', '=', id).execute();
      return true;
    });
  }

  async assign(stationId: string, tariffId: number): Promise<void> {
    await this.db.insertInto('stationTariffs').values({ stationId, tariffId })
      .onConflict((oc) => oc.column('stationId').doUpdateSet({ tariffId })).execute();
  }

  async unassign(stationId: string): Promise<void> {
    await this.db.deleteFrom('stationTariffs').where('stationId', '=', stationId).execute();
  }

  /** The station's own tariff, else the default one. */
  async forStation(stationId: string): Promise<TariffRow | undefined> {
    const own = await this.db.selectFrom('stationTariffs').innerJoin('tariffs', 'tariffs.id', 'stationTariffs.tariffId')
      .selectAll('tariffs').where('stationTariffs.stationId', '=', stationId).executeTakeFirst();
    return own ?? this.db.selectFrom('tariffs').selectAll().where('isDefault', '=', true).executeTakeFirst();
  }
}
