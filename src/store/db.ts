// Opens the database: embedded PGlite by default, a PostgreSQL server when a
// URL is given. Both speak the same SQL and return the same JS types, so the
// repositories do not know which one they run on.
import { mkdir } from 'node:fs/promises';
import { lockDataDir } from './data-lock.js';
import { join } from 'node:path';
import { CamelCasePlugin, Kysely, PostgresDialect, sql, type Dialect } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './dialect/pglite.js';
import { openInThread, openInWorker, type PGliteSession } from './dialect/pglite-session.js';
import type { Database } from './schema.js';

export interface StoreOptions {
  /** postgres:// URL; when absent, PGlite is used under `${dataDir}/pg`. */
  databaseUrl?: string;
  dataDir: string;
  /** Maximum pg connections (PostgreSQL only). Default 10. */
  poolSize?: number;
  /**
   * Errors of idle pooled connections (e.g. the server restarted). pg drops
   * such a connection and opens a new one on demand; without a listener the
   * error would crash the process.
   */
  onPoolError?: (err: Error) => void;
  /** Run embedded PGlite in a worker thread (default) rather than on the event loop. */
  pgliteWorker?: boolean;
}

export interface Store {
  db: Kysely<Database>;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
  /**
   * PGlite only: the data folder as a gzipped tar, taken while no transaction is open (it holds
   * the driver's connection), with the row counts `during` reads on that same connection.
   */
  dumpDataDir?<T>(during: (db: Kysely<Database>) => Promise<T>): Promise<{ tar: Uint8Array; during: T }>;
}

const OID = { int8: 20, numeric: 1700 } as const;

// Node's Number keeps ids and counters exact below 2^53, which ours stay under;
// numeric is only used for measured quantities where a double is precise enough.
const parseNumber = (text: string): number => Number(text);

/**
 * PGlite runs Postgres inside our event loop, so anything slow it does stalls every station.
 * Zero-filling (or recycling) each new 16 MB WAL segment took 50–80 ms every ~1.4 s at
 * 20k rows/s; without it the worst insert took 10 ms in the same measurement. Safe: WAL
 * records carry CRCs, so recovery still finds the end of the log in a non-zeroed segment.
 */
const PGLITE_SETTINGS = ['-c', 'wal_init_zero=off', '-c', 'wal_recycle=off'];

/**
 * Type parsers that make pg return what PGlite returns (and vice versa) for the
 * column types we use: timestamptz -> Date and jsonb -> parsed value are the
 * default on both; int8 and numeric come back as strings from pg by default.
 */
function pgTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(OID.int8, parseNumber);
  types.setTypeParser(OID.numeric, parseNumber);
  return types;
}

export async function openStore(o: StoreOptions): Promise<Store> {
  let dialect: Dialect;
  let kind: Store['kind'];
  // the embedded database's folder lock; nothing to release for a server database
  let release: () => void = () => undefined;
  let session: PGliteSession | undefined;
  if (o.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: o.databaseUrl,
      max: o.poolSize ?? 10,
      types: pgTypes(),
      application_name: 'ov2x',
    });
    pool.on('error', (err) => o.onPoolError?.(err));
    dialect = new PostgresDialect({ pool });
    kind = 'postgres';
  } else {
    const dataDir = join(o.dataDir, 'pg');
    await mkdir(dataDir, { recursive: true });
    release = lockDataDir(dataDir);
    try {
      const open = o.pgliteWorker === false ? openInThread : openInWorker;
      session = await open({ dataDir, settings: PGLITE_SETTINGS });
      dialect = new PGliteDialect({ session });
    } catch (err) {
      release();
      throw err;
    }
    kind = 'pglite';
  }
  // maintainNestedObjectKeys: jsonb documents (OCPP payloads) keep their keys verbatim.
  const db = new Kysely<Database>({ dialect, plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })] });
  // Fail at start-up, not on the first OCPP message, when the server is unreachable.
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    release();
    const where = o.databaseUrl ? redactUrl(o.databaseUrl) : join(o.dataDir, 'pg');
    throw new Error(`cannot open ${kind} database at ${where}: ${(err as Error).message}`, { cause: err });
  }
  const dumpable = session;
  return {
    db, kind,
    ...(dumpable && {
      // the one PGlite session serves one statement at a time: holding its connection keeps writers out
      dumpDataDir: <T>(during: (db: Kysely<Database>) => Promise<T>) => db.connection().execute(async (conn) => {
        const seen = await during(conn);
        return { tar: await dumpable.dumpDataDir(), during: seen };
      }),
    }),
    async close() {
      await db.destroy();
      release();
    },
  };
}

/** A database URL safe to print: the password is masked. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable database URL>';
  }
}
