// Group commit for hot single-row updates (transaction progress on every
// 2.0.1 TransactionEvent): many rows' updates travel in one UPDATE.
import { sql, type QueryExecutorProvider } from 'kysely';
import { GroupCommit, type GroupCommitOptions, type GroupCommitStats } from './group-commit.js';
import { checkColumns, unnestArrays, type ColumnSpec } from './unnest.js';

export interface BatchUpdaterOptions<Row> extends GroupCommitOptions {
  table: string;
  /** Identifies the row to update. */
  key: ColumnSpec<Row>;
  /** Columns to set from the row values. */
  columns: readonly ColumnSpec<Row>[];
  /** Columns set to now() on every updated row, e.g. 'updatedAt'. */
  nowColumns?: readonly string[];
}

/**
 * `UPDATE t SET c = u.c, ... FROM unnest($1::k[], $2::t[], ...) AS u(k, c, ...)
 * WHERE t.k = u.k`. add() resolves once the batch committed, also when no row
 * has that key (the caller already knows the row exists). Within one batch the
 * last update of a key wins: Postgres would apply an arbitrary one of several.
 */
export class BatchUpdater<Row extends object> {
  readonly #queue: GroupCommit<Row>;

  constructor(db: QueryExecutorProvider, options: BatchUpdaterOptions<Row>) {
    const owner = `BatchUpdater for ${options.table}`;
    const all = [options.key, ...options.columns];
    checkColumns(owner, all);
    const key = options.key.name;
    const sets = [
      ...options.columns.map((c) => sql`${sql.ref(c.name)} = ${sql.ref(`u.${c.name}`)}`),
      ...(options.nowColumns ?? []).map((c) => sql`${sql.ref(c)} = now()`),
    ];
    const update = async (rows: Row[]): Promise<void> => {
      const latest = [...new Map(rows.map((r) => [r[key], r])).values()];
      await sql`update ${sql.table(options.table)} as t set ${sql.join(sets)}
        from ${unnestArrays(all, latest)} as u(${sql.join(all.map((c) => sql.ref(c.name)))})
        where ${sql.ref(`t.${key}`)} = ${sql.ref(`u.${key}`)}`.execute(db);
    };
    this.#queue = new GroupCommit(owner, update, options);
  }

  add(row: Row): Promise<void> {
    return this.#queue.add(row);
  }

  flush(): Promise<void> {
    return this.#queue.flush();
  }

  close(): Promise<void> {
    return this.#queue.close();
  }

  get stats(): Readonly<GroupCommitStats> {
    return this.#queue.stats;
  }
}
