import type { GroupCommitOptions } from '../group-commit.js';
import type { Kysely } from 'kysely';
import { BatchWriter, type BatchWriterOptions } from '../batch-writer.js';
import type { Connector, Database, StatusHistoryEntry } from '../schema.js';

export interface StatusUpdate {
  stationId: string;
  evseId: number;
  connectorId: number;
  status: string;
  errorCode?: string | null;
  info?: string | null;
  /** The station's timestamp for the status, not the time we received it. */
  statusAt: Date;
}

/** Records one status; resolves true when it became the live status. */
export type StatusWriter = ((update: StatusUpdate) => Promise<boolean>) & {
  /** Drains the history batch. */
  close(): Promise<void>;
};

type HistoryRow = Required<StatusUpdate>;

const HISTORY_COLUMNS: BatchWriterOptions<HistoryRow>['columns'] = [
  { name: 'stationId', pgType: 'text' },
  { name: 'evseId', pgType: 'int4' },
  { name: 'connectorId', pgType: 'int4' },
  { name: 'status', pgType: 'text' },
  { name: 'errorCode', pgType: 'text' },
  { name: 'info', pgType: 'text' },
  { name: 'statusAt', pgType: 'timestamptz' },
];

export class ConnectorRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Returns a writer that upserts the live connector status and appends every
   * report to status_history (batched). A report older than the stored one is
   * kept in the history but does not overwrite the live status: stations
   * replay queued StatusNotifications after being offline. Equal timestamps do
   * overwrite, since reports are processed in arrival order per station.
   */
  statusWriter(options: GroupCommitOptions = {}): StatusWriter {
    const history = new BatchWriter<HistoryRow>(this.db, {
      table: 'statusHistory',
      columns: HISTORY_COLUMNS,
      ...options,
    });
    const write = async (u: StatusUpdate): Promise<boolean> => {
      const row: HistoryRow = { ...u, errorCode: u.errorCode ?? null, info: u.info ?? null };
      const [live] = await Promise.all([this.#upsertLive(row), history.add(row)]);
      return live;
    };
    return Object.assign(write, { close: () => history.close() });
  }

  async #upsertLive(u: HistoryRow): Promise<boolean> {
    const r = await this.db
      .insertInto('connectors')
      .values({
        stationId: u.stationId,
        evseId: u.evseId,
        connectorId: u.connectorId,
        status: u.status,
        errorCode: u.errorCode,
        info: u.info,
        statusAt: u.statusAt,
      })
      .onConflict((oc) =>
        oc
          .columns(['stationId', 'evseId', 'connectorId'])
          .doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            errorCode: eb.ref('excluded.errorCode'),
            info: eb.ref('excluded.info'),
            statusAt: eb.ref('excluded.statusAt'),
            updatedAt: eb.fn<Date>('now'),
          }))
          .where('connectors.statusAt', '<=', (eb) => eb.ref('excluded.statusAt')),
      )
      .executeTakeFirst();
    return r.numInsertedOrUpdatedRows !== undefined && r.numInsertedOrUpdatedRows > 0n;
  }

  async listByStation(stationId: string): Promise<Connector[]> {
    return this.db
      .selectFrom('connectors')
      .selectAll()
      .where('stationId', '=', stationId)
      .orderBy('evseId')
      .orderBy('connectorId')
      .execute();
  }

  /** Most recent reports first. */
  async history(stationId: string, options: { limit: number }): Promise<StatusHistoryEntry[]> {
    return this.db
      .selectFrom('statusHistory')
      .selectAll()
      .where('stationId', '=', stationId)
      .orderBy('statusAt', 'desc')
      .orderBy('id', 'desc')
      .limit(options.limit)
      .execute();
  }
}
