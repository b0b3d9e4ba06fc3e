// Kysely dialect for PGlite 0.5. Hand-written because kysely-pglite-dialect only
// supports PGlite <= 0.4; SQL generation and introspection are Kysely's own
// Postgres classes, only the driver (how a compiled query reaches PGlite) is ours.
import { Mutex } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  createQueryId,
  sql,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { PGliteSession } from './pglite-session.js';

export interface PGliteDialectConfig {
  /** An open PGlite session (in this thread or a worker); the driver owns it and closes it on destroy. */
  session: PGliteSession;
}

export class PGliteDialect implements Dialect {
  readonly #config: PGliteDialectConfig;

  constructor(config: PGliteDialectConfig) {
    this.#config = config;
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PGliteDriver(this.#config.session);
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}

const MUTATING_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

class PGliteConnection implements DatabaseConnection {
  readonly #session: PGliteSession;

  constructor(session: PGliteSession) {
    this.#session = session;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#session.query<R>(compiledQuery.sql, compiledQuery.parameters);
    const affected = result.affectedRows;
    return {
      rows: result.rows,
      numAffectedRows:
        result.command !== undefined && MUTATING_COMMANDS.has(result.command) && affected !== undefined
          ? BigInt(affected)
          : undefined,
    };
  }

  // PGlite materialises every result in memory, so this pages through the
  // finished result rather than holding a server-side cursor.
  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) throw new Error('chunkSize must be a positive integer');
    const { rows } = await this.executeQuery<R>(compiledQuery);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }
}

class PGliteDriver implements Driver {
  readonly #session: PGliteSession;
  readonly #connection: PGliteConnection;
  // PGlite is one Postgres session. Without this lock, a query issued by one
  // caller while another caller's BEGIN ... COMMIT is open would silently run
  // inside that transaction (and be rolled back with it). So every
  // acquireConnection() takes the lock and releaseConnection() frees it, which
  // serialises callers the way a pool of size one would. (PGlite's exported
  // Mutex is async-mutex: FIFO, so no caller starves.)
  readonly #mutex = new Mutex();

  constructor(session: PGliteSession) {
    this.#session = session;
    this.#connection = new PGliteConnection(session);
  }

  async init(): Promise<void> {
    // the session is open when handed over
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.acquire();
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.release();
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let statement = 'begin';
    if (settings.isolationLevel) statement += ` isolation level ${settings.isolationLevel}`;
    if (settings.accessMode) statement += ` ${settings.accessMode}`;
    await connection.executeQuery(CompiledQuery.raw(statement));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compile(sql`savepoint ${sql.id(name)}`.toOperationNode(), createQueryId()));
  }

  async rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await connection.executeQuery(
      compile(sql`rollback to savepoint ${sql.id(name)}`.toOperationNode(), createQueryId()),
    );
  }

  async releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await connection.executeQuery(compile(sql`release savepoint ${sql.id(name)}`.toOperationNode(), createQueryId()));
  }

  async destroy(): Promise<void> {
    await this.#session.close();
  }
}
