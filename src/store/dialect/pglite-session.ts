// Where PGlite runs. PGlite executes Postgres (WASM) synchronously on the thread that hosts
// it, so on the event loop every statement stalls every station's socket (measured: 37-41%
// of the serving core at 10k stations). Hosting it in a worker thread lets the OCPP loop
// decode, validate and answer while Postgres writes. The in-thread session remains for
// tools that want no extra thread.
import { Worker } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

export interface QueryOutcome<R> {
  rows: R[];
  command?: string;
  affectedRows?: number;
}

/** One PGlite Postgres session, wherever it runs. */
export interface PGliteSession {
  query<R>(sql: string, params: readonly unknown[]): Promise<QueryOutcome<R>>;
  /** the data folder as a gzipped tar (PGlite's dumpDataDir), taken between two statements */
  dumpDataDir(): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface PGliteOpenOptions {
  dataDir: string;
  /** extra postgres start parameters (-c name=value pairs) */
  settings: readonly string[];
}

const OID = { int8: 20, numeric: 1700 } as const;
// PGlite already returns int8 as number while it fits (bigint beyond, which our ids never
// reach); numeric is a string there too. Same parsing as the pg pool (see db.ts).
const parsers = { [OID.int8]: Number, [OID.numeric]: Number };

export async function openInThread(o: PGliteOpenOptions): Promise<PGliteSession> {
  const pglite = await PGlite.create({ dataDir: o.dataDir, parsers, startParams: [...PGlite.defaultStartParams, ...o.settings] });
  return {
    async query<R>(sql: string, params: readonly unknown[]) {
      const r = await pglite.query<R>(sql, [...params], { rowMode: 'object' });
      return { rows: r.rows, command: r.command, affectedRows: r.affectedRows ?? r.rowCount };
    },
    async dumpDataDir() {
      return new Uint8Array(await (await pglite.dumpDataDir('gzip')).arrayBuffer());
    },
    async close() {
      if (!pglite.closed) await pglite.close();
    },
  };
}

type Reply = { id: number; ok: true; outcome: QueryOutcome<unknown> | Uint8Array } | { id: number; ok: false; error: Record<string, unknown> };

/** An Error rebuilt from the fields the worker copied (message, code, detail, constraint, ...). */
function revive(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields.message ?? 'PGlite error')), fields);
}

export async function openInWorker(o: PGliteOpenOptions): Promise<PGliteSession> {
  const worker = new Worker(new URL('./pglite-worker.js', import.meta.url), { workerData: { dataDir: o.dataDir, settings: [...o.settings] } });
  const pending = new Map<number, { resolve(v: QueryOutcome<unknown> | Uint8Array): void; reject(e: Error): void }>();
  let nextId = 1;
  let failure: Error | undefined;
  const failAll = (err: Error) => {
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('message', (m: Reply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.outcome);
    else p.reject(revive(m.error));
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => failAll(new Error(`PGlite worker exited (code ${code})`)));

  const ask = <T>(message: Record<string, unknown>): Promise<T> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, ...message });
    });
  };
  const session: PGliteSession = {
    query<R>(sql: string, params: readonly unknown[]) {
      return ask<QueryOutcome<R>>({ sql, params });
    },
    dumpDataDir() {
      return ask<Uint8Array>({ dump: true });
    },
    async close() {
      if (failure) return;
      await new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.postMessage({ id: 0, close: true });
      });
    },
  };
  // the first query waits for PGlite to open (or fails with the reason it could not)
  try {
    await session.query('select 1', []);
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  return session;
}
