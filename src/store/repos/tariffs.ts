import { sql, type Kysely } from 'kysely';
import type { TariffDefinition } from '../../domain/tariffs/model.js';
import { DuplicateError, isUniqueViolation } from '../errors.js';
import type { Database, TariffRow, TariffVersionRow } from '../schema.js';

/** A flat tariff, as tariffs were before versions (migration 0021); stored with its version 1. */
export interface TariffInput {
  name: string;
  currency: string;
  pricePerKwh: string;
  pricePerMinute: string;
  startFee: string;
  vatRate: string;
  v2gPricePerKwh?: string | null;
}

/** Tariffs, their versions, the default one, and which station uses which. */
export class TariffRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * A tariff and its version 1, valid from now. `flat` keeps the pre-0021 price columns filled
   * for tariffs created the old way. @throws DuplicateError when the name is taken.
   */
  async create(t: TariffInput | { name: string }, definition: TariffDefinition, validFrom = new Date()): Promise<TariffRow> {
    const flat = 'pricePerKwh' in t ? t : undefined;
    try {
      return await this.db.transaction().execute(async (trx) => {
        const row = await trx.insertInto('tariffs').values({
          name: t.name, currency: definition.currency, vatRate: definition.vat_rate,
          pricePerKwh: flat?.pricePerKwh ?? null, pricePerMinute: flat?.pricePerMinute ?? null, startFee: flat?.startFee ?? null,
          v2gPricePerKwh: flat?.v2gPricePerKwh ?? null,
        }).returningAll().executeTakeFirstOrThrow();
        await trx.insertInto('tariffVersions').values({ tariffId: row.id, version: 1, validFrom, definition: JSON.stringify(definition) }).execute();
        return row;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('tariff', t.name, err);
      throw err;
    }
  }

  /** A new version, numbered after the last; undefined for an unknown tariff. */
  async addVersion(tariffId: number, definition: TariffDefinition, validFrom: Date): Promise<TariffVersionRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      // the row lock serializes version numbering per tariff
      if (!(await trx.selectFrom('tariffs').select('id').where('id', '=', tariffId).forUpdate().executeTakeFirst())) return undefined;
      const last = await trx.selectFrom('tariffVersions').select((eb) => eb.fn.max('version').as('v')).where('tariffId', '=', tariffId).executeTakeFirst();
      const version = Number(last?.v ?? 0) + 1;
      const row = await trx.insertInto('tariffVersions').values({ tariffId, version, validFrom, definition: JSON.stringify(definition) }).returningAll().executeTakeFirstOrThrow();
      await trx.updateTable('tariffs').set({ currency: definition.currency, vatRate: definition.vat_rate, updatedAt: sql<Date>`now()` }).where('id', '=', tariffId).execute();
      return row;
    });
  }

  versions(tariffId: number): Promise<TariffVersionRow[]> {
    return this.db.selectFrom('tariffVersions').selectAll().where('tariffId', '=', tariffId).orderBy('version').execute();
  }

  /** The version valid at `at`: the latest that began by then, else the first (a tariff always prices by something). */
  async versionAt(tariffId: number, at: Date): Promise<TariffVersionRow | undefined> {
    const valid = await this.db.selectFrom('tariffVersions').selectAll().where('tariffId', '=', tariffId).where('validFrom', '<=', at)
      .orderBy('validFrom', 'desc').orderBy('version', 'desc').limit(1).executeTakeFirst();
    return valid ?? this.db.selectFrom('tariffVersions').selectAll().where('tariffId', '=', tariffId).orderBy('version').limit(1).executeTakeFirst();
  }

  get(id: number): Promise<TariffRow | undefined> {
    return this.db.selectFrom('tariffs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(): Promise<TariffRow[]> {
    return this.db.selectFrom('tariffs').selectAll().orderBy('id').execute();
  }

  /** Stations the tariff is assigned to. */
  async stationsOf(tariffId: number): Promise<string[]> {
    const rows = await this.db.selectFrom('stationTariffs').select('stationId').where('tariffId', '=', tariffId).orderBy('stationId').execute();
    return rows.map((r) => r.stationId);
  }

  /**
   * Deletes a tariff that nothing uses: 'in_use' when it is the default or assigned to a station
   * (sessions that started under it keep their snapshot, so they are not a reason to refuse).
   */
  async delete(id: number): Promise<'deleted' | 'not_found' | 'in_use'> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('tariffs').select(['id', 'isDefault']).where('id', '=', id).forUpdate().executeTakeFirst();
      if (!row) return 'not_found';
      if (row.isDefault || (await trx.selectFrom('stationTariffs').select('stationId').where('tariffId', '=', id).limit(1).executeTakeFirst())) return 'in_use';
      await trx.deleteFrom('tariffs').where('id', '=', id).execute();
      return 'deleted';
    });
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
