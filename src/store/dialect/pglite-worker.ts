// Worker-thread host of the embedded database (see pglite-session.ts): runs statements in
// arrival order, which keeps the driver's one-session semantics (its lock lives on the main
// thread), and answers each with its rows or the error's fields.
import { parentPort, workerData } from 'node:worker_threads';
import { openInThread, type PGliteOpenOptions } from './pglite-session.js';

const port = parentPort;
if (!port) throw new Error('pglite-worker must run in a worker thread');

const opening = openInThread(workerData as PGliteOpenOptions);
opening.catch(() => undefined); // reported to the first query below

/** Plain fields of an error, so it survives structured cloning with its SQLSTATE code. */
function fieldsOf(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const out: Record<string, unknown> = { message: err.message, name: err.name };
  for (const [k, v] of Object.entries(err)) if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) out[k] = v;
  return out;
}

let queue = Promise.resolve();
port.on('message', (m: { id: number; sql?: string; params?: unknown[]; close?: boolean; dump?: boolean }) => {
  queue = queue.then(async () => {
    if (m.close) {
      await (await opening.catch(() => undefined))?.close();
      port.close();
      return;
    }
    try {
      const session = await opening;
      if (m.dump) {
        const tar = await session.dumpDataDir();
        port.postMessage({ id: m.id, ok: true, outcome: tar }, [tar.buffer as ArrayBuffer]);
        return;
      }
      port.postMessage({ id: m.id, ok: true, outcome: await session.query(m.sql!, m.params ?? []) });
    } catch (err) {
      port.postMessage({ id: m.id, ok: false, error: fieldsOf(err) });
    }
  });
});
