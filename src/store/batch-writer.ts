// Group commit for append-only tables (meter values, status history): rows that
// arrive close together are written by one INSERT, and each caller learns when
// its own row is committed.
import { sql, type QueryExecutorProvider } from 'kysely';
import { GroupCommit, type GroupCommitOptions, type GroupCommitStats } from './group-commit.js';
import { checkColumns, unnestArrays, type ColumnSpec } from './unnest.js';

export type { ColumnSpec } from './unnest.js';
export type BatchWriterStats = GroupCommitStats;

export interface BatchWriterOptions<Row> extends GroupCommitOptions {
  table: string;
  /** Columns not listed get their database default. */
  columns: readonly ColumnSpec<Row>[];
}

/**
 * Inserts rows with `INSERT INTO t (cols) SELECT * FROM unnest($1::type[], ...)`:
 * one parameter per column whatever the batch size, and the same statement
 * text every time, on PGlite and PostgreSQL alike. Flushes at maxBatch rows
 * (default 500) or flushMs after the first row (default 5 ms).
 *
 * Each OCPP station has at most one call in flight, so one busy station adds at
 * most one row per message to a batch and cannot crowd the others out; the
 * maxBatch cap keeps a single flush short on top of that.
 */
export class BatchWriter<Row extends object> {
  readonly #queue: GroupCommit<Row>;

  /** `db` is the store's Kysely instance (any schema type) or a transaction. */
  constructor(db: QueryExecutorProvider, options: BatchWriterOptions<Row>) {
    checkColumns(`BatchWriter for ${options.table}`, options.columns);
    const names = sql.join(options.columns.map((c) => sql.ref(c.name)));
    const insert = async (rows: Row[]): Promise<void> => {
      await sql`insert into ${sql.table(options.table)} (${names})
        select * from ${unnestArrays(options.columns, rows)}`.execute(db);
    };
    this.#queue = new GroupCommit(`BatchWriter for ${options.table}`, insert, options);
  }

  /** Resolves once the row is committed; rejects with the error if its batch failed. */
  add(row: Row): Promise<void> {
    return this.#queue.add(row);
  }

  /** Writes everything added so far (and anything added while it runs). */
  flush(): Promise<void> {
    return this.#queue.flush();
  }

  /** Refuses new rows and drains the rest. */
  close(): Promise<void> {
    return this.#queue.close();
  }

  get stats(): Readonly<BatchWriterStats> {
    return this.#queue.stats;
  }

  get pending(): number {
    return this.#queue.pending;
  }
}
