// Shared by the batch writers: one array parameter per column, so a statement
// carries any number of rows with a fixed parameter count and text.
import { sql, type RawBuilder } from 'kysely';

export interface ColumnSpec<Row> {
  /** Row property; also the column, through the store's CamelCasePlugin. */
  name: keyof Row & string;
  /** Postgres type of the column, e.g. 'text', 'int4', 'timestamptz', 'jsonb'. */
  pgType: string;
}

// Type names are spliced into the SQL text, so only plain type names pass.
const PG_TYPE = /^[a-z][a-z0-9_]*( [a-z][a-z0-9_]*)*$/;
const JSON_TYPES = new Set(['json', 'jsonb']);

export function checkColumns<Row>(owner: string, columns: readonly ColumnSpec<Row>[]): void {
  if (columns.length === 0) throw new Error(`${owner} needs at least one column`);
  for (const c of columns) {
    if (!PG_TYPE.test(c.pgType)) throw new Error(`${owner}: unsupported column type ${JSON.stringify(c.pgType)}`);
  }
}

/** `unnest($1::t1[], $2::t2[], ...)` over the rows, column by column. */
export function unnestArrays<Row>(columns: readonly ColumnSpec<Row>[], rows: readonly Row[]): RawBuilder<unknown> {
  return sql`unnest(${sql.join(
    columns.map((c) => {
      const values = rows.map((r) => toParam(r[c.name], c.pgType));
      // JSON travels as text[]: drivers would otherwise serialise JS arrays
      // inside the values as Postgres arrays.
      return JSON_TYPES.has(c.pgType)
        ? sql`${values}::text[]::${sql.raw(c.pgType)}[]`
        : sql`${values}::${sql.raw(c.pgType)}[]`;
    }),
  )})`;
}

function toParam(value: unknown, pgType: string): unknown {
  if (value === undefined || value === null) return null;
  if (JSON_TYPES.has(pgType)) return JSON.stringify(value);
  // ISO text is unambiguous to both drivers (pg would otherwise use local time).
  if (value instanceof Date) return value.toISOString();
  return value;
}
