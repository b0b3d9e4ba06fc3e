import type { Kysely } from 'kysely';
import type { Database, StationGroup } from '../schema.js';

/** Station groups (sites): the unit of RBAC scoping. */
export class StationGroupRepo {
  constructor(private readonly db: Kysely<Database>) {}

  create(id: string, name: string): Promise<StationGroup> {
    return this.db.insertInto('stationGroups').values({ id, name }).returningAll().executeTakeFirstOrThrow();
  }

  list(): Promise<StationGroup[]> {
    return this.db.selectFrom('stationGroups').selectAll().orderBy('id').execute();
  }

  get(id: string): Promise<StationGroup | undefined> {
    return this.db.selectFrom('stationGroups').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async assign(stationId: string, groupId: string | null): Promise<boolean> {
    const r = await this.db.updateTable('stations').set({ groupId }).where('id', '=', stationId).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** The group of a station: undefined when the station does not exist, null when it is in none. */
  async groupOf(stationId: string): Promise<string | null | undefined> {
    const r = await this.db.selectFrom('stations').select('groupId').where('id', '=', stationId).executeTakeFirst();
    return r && r.groupId;
  }
}
