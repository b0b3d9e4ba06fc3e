import type { GroupCommitOptions } from '../group-commit.js';
import type { Kysely } from 'kysely';
import { BatchWriter, type BatchWriterOptions } from '../batch-writer.js';
import type { Database, MeterValue } from '../schema.js';

export interface MeterValueInput {
  stationId: string;
  transactionId: number | null;
  evseId: number;
  sampledAt: Date;
  context: string | null;
  /** The OCPP sampledValue array, stored verbatim as json. */
  sampledValue: readonly unknown[];
}

const COLUMNS: BatchWriterOptions<MeterValueInput>['columns'] = [
  { name: 'stationId', pgType: 'text' },
  { name: 'transactionId', pgType: 'int8' },
  { name: 'evseId', pgType: 'int4' },
  { name: 'sampledAt', pgType: 'timestamptz' },
  { name: 'context', pgType: 'text' },
  { name: 'sampledValue', pgType: 'json' },
];

/** Meter values are the highest-volume write, so they go through group commit. */
export class MeterValueRepo {
  readonly #writer: BatchWriter<MeterValueInput>;

  constructor(
    private readonly db: Kysely<Database>,
    options: GroupCommitOptions = {},
  ) {
    this.#writer = new BatchWriter(db, { table: 'meterValues', columns: COLUMNS, ...options });
  }

  /** Resolves once the row is committed. */
  add(row: MeterValueInput): Promise<void> {
    return this.#writer.add(row);
  }

  /** Drains pending rows; later add() calls are refused. */
  close(): Promise<void> {
    return this.#writer.close();
  }

  /** In sampling order. */
  async listByTransaction(transactionId: number): Promise<MeterValue[]> {
    return this.db
      .selectFrom('meterValues')
      .selectAll()
      .where('transactionId', '=', transactionId)
      .orderBy('sampledAt')
      .orderBy('id')
      .execute();
  }

  /** Newest first: a station's latest readings, with or without a transaction. */
  async listByStation(stationId: string, options: { limit: number }): Promise<MeterValue[]> {
    return this.db
      .selectFrom('meterValues')
      .selectAll()
      .where('stationId', '=', stationId)
      .orderBy('sampledAt', 'desc')
      .orderBy('id', 'desc')
      .limit(options.limit)
      .execute();
  }
}
