import { sql, type Kysely } from 'kysely';
import type { CampaignState, CampaignStationState, Database, FirmwareCampaign, FirmwareCampaignStation } from '../schema.js';

export interface NewCampaign {
  name: string;
  firmwareId: number;
  groupId?: string;
  concurrency: number;
  failureThreshold: number;
  thresholdKind: 'count' | 'percent';
  stationTimeoutS: number;
  windowStart?: Date;
  windowEnd?: Date;
  createdBy: string;
}

export type StationCounts = Record<CampaignStationState, number>;

const noCounts = (): StationCounts => ({ pending: 0, active: 0, succeeded: 0, failed: 0, skipped: 0 });

/** Firmware campaigns and their stations (migration 0036): the scheduler's whole state. */
export class FirmwareCampaignRepo {
  constructor(private readonly db: Kysely<Database>) {}

  create(c: NewCampaign, stationIds: readonly string[]): Promise<FirmwareCampaign> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.insertInto('firmwareCampaigns').values({
        ...c, groupId: c.groupId ?? null, windowStart: c.windowStart ?? null, windowEnd: c.windowEnd ?? null,
        haltReason: null, startedAt: null, finishedAt: null,
      }).returningAll().executeTakeFirstOrThrow();
      await trx.insertInto('firmwareCampaignStations')
        .values(stationIds.map((stationId) => ({ campaignId: row.id, stationId, status: null, commandId: null, startedAt: null, lastUpdateAt: null, finishedAt: null })))
        .execute();
      return row;
    });
  }

  get(id: number): Promise<FirmwareCampaign | undefined> {
    return this.db.selectFrom('firmwareCampaigns').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(q: { groups?: readonly string[] | null; limit: number }): Promise<FirmwareCampaign[]> {
    let base = this.db.selectFrom('firmwareCampaigns').selectAll();
    if (q.groups) base = q.groups.length ? base.where('groupId', 'in', q.groups) : base.where(sql<boolean>`false`);
    return base.orderBy('id', 'desc').limit(q.limit).execute();
  }

  /** Campaigns the scheduler works on (running, or paused with stations still active), oldest first. */
  inProgress(limit: number): Promise<FirmwareCampaign[]> {
    return this.db.selectFrom('firmwareCampaigns').selectAll().where('state', 'in', ['running', 'paused']).orderBy('id').limit(limit).execute();
  }

  /** Moves a campaign from one of `from` to `to`; false when it was in none of them (someone else moved it). */
  async transition(id: number, from: readonly CampaignState[], to: CampaignState, extra: { haltReason?: string } = {}): Promise<boolean> {
    const now = new Date();
    const ending = to === 'completed' || to === 'aborted' || to === 'halted';
    const r = await this.db.updateTable('firmwareCampaigns')
      .set({
        state: to,
        ...(to === 'running' && { startedAt: sql<Date>`coalesce(started_at, ${now})` }),
        ...(ending && { finishedAt: now }),
        ...(extra.haltReason !== undefined && { haltReason: extra.haltReason }),
      })
      .where('id', '=', id).where('state', 'in', from)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  stations(campaignId: number): Promise<FirmwareCampaignStation[]> {
    return this.db.selectFrom('firmwareCampaignStations').selectAll().where('campaignId', '=', campaignId).orderBy('stationId').execute();
  }

  activeStations(campaignId: number): Promise<FirmwareCampaignStation[]> {
    return this.db.selectFrom('firmwareCampaignStations').selectAll()
      .where('campaignId', '=', campaignId).where('state', '=', 'active').orderBy('stationId').execute();
  }

  async counts(campaignId: number): Promise<StationCounts> {
    const rows = await this.db.selectFrom('firmwareCampaignStations')
      .select(['state', (eb) => eb.fn.countAll<string>().as('n')])
      .where('campaignId', '=', campaignId).groupBy('state').execute();
    const c = noCounts();
    for (const r of rows) c[r.state] = Number(r.n);
    return c;
  }

  /**
   * Takes up to `concurrency - active` pending stations of a running campaign and marks them
   * active, under a lock on the campaign row: two schedulers (nodes) cannot together start
   * more than the limit.
   */
  claim(campaignId: number, concurrency: number, now: Date): Promise<string[]> {
    return this.db.transaction().execute(async (trx) => {
      const c = await trx.selectFrom('firmwareCampaigns').select('state').where('id', '=', campaignId).forUpdate().executeTakeFirst();
      if (c?.state !== 'running') return [];
      const { n } = await trx.selectFrom('firmwareCampaignStations').select((eb) => eb.fn.countAll<string>().as('n'))
        .where('campaignId', '=', campaignId).where('state', '=', 'active').executeTakeFirstOrThrow();
      const slots = concurrency - Number(n);
      if (slots <= 0) return [];
      const pending = await trx.selectFrom('firmwareCampaignStations').select('stationId')
        .where('campaignId', '=', campaignId).where('state', '=', 'pending').orderBy('stationId').limit(slots).execute();
      if (!pending.length) return [];
      const ids = pending.map((p) => p.stationId);
      await trx.updateTable('firmwareCampaignStations').set({ state: 'active', status: 'Sending', startedAt: now, lastUpdateAt: now })
        .where('campaignId', '=', campaignId).where('stationId', 'in', ids).execute();
      return ids;
    });
  }

  async setCommand(campaignId: number, stationId: string, commandId: number): Promise<void> {
    await this.db.updateTable('firmwareCampaignStations').set({ commandId })
      .where('campaignId', '=', campaignId).where('stationId', '=', stationId).execute();
  }

  /** A new status of an active station; `final` ends its part of the campaign. */
  async update(campaignId: number, stationId: string, status: string, final?: 'succeeded' | 'failed', at = new Date()): Promise<void> {
    await this.db.updateTable('firmwareCampaignStations')
      .set({ status, lastUpdateAt: at, ...(final && { state: final, finishedAt: at }) })
      .where('campaignId', '=', campaignId).where('stationId', '=', stationId).where('state', '=', 'active').execute();
  }

  /** The stations still waiting for their turn when the campaign ends early. */
  async skipPending(campaignId: number, status: string): Promise<void> {
    await this.db.updateTable('firmwareCampaignStations').set({ state: 'skipped', status })
      .where('campaignId', '=', campaignId).where('state', '=', 'pending').execute();
  }
}
