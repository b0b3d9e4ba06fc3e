import { sql, type Kysely } from 'kysely';

/** The base tables of the public schema (the platform's and the migrator's), sorted. */
export async function tableNames<DB>(db: Kysely<DB>): Promise<string[]> {
  const r = await sql<{ name: string }>`select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(db.withoutPlugins());
  return r.rows.map((t) => t.name);
}

/** Rows per table: what a restore must reproduce. */
export async function rowCounts<DB>(db: Kysely<DB>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of await tableNames(db)) {
    const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(name)}`.execute(db.withoutPlugins());
    out[name] = Number(r.rows[0]!.n);
  }
  return out;
}

/**
 * A content checksum per table: md5 over the sorted md5s of its rows' text forms, so two
 * databases holding the same rows agree whatever their physical order. Reads every row: for
 * tests and deep checks, not for the scheduled job.
 */
export async function tableChecksums<DB>(db: Kysely<DB>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await tableNames(db)) {
    const r = await sql<{ digest: string | null }>`select md5(coalesce(string_agg(h, '' order by h), '')) as digest
      from (select md5(t::text) as h from ${sql.table(name)} t) rows`.execute(db.withoutPlugins());
    out[name] = r.rows[0]!.digest ?? '';
  }
  return out;
}

/** The last migration applied: the schema version a backup carries. */
export async function schemaVersion<DB>(db: Kysely<DB>): Promise<string | undefined> {
  try {
    const r = await sql<{ name: string }>`select name from kysely_migration order by name desc limit 1`.execute(db.withoutPlugins());
    return r.rows[0]?.name;
  } catch {
    return undefined;
  }
}

/** Differences between two row-count tables, e.g. `meter_values: 10 ≠ 9`; empty when equal. */
export function countDifferences(expected: Record<string, number>, actual: Record<string, number>): string[] {
  const names = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  return names.filter((n) => expected[n] !== actual[n]).map((n) => `${n}: ${expected[n] ?? 'absent'} ≠ ${actual[n] ?? 'absent'}`);
}
