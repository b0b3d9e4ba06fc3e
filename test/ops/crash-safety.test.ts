// Crash safety: a CALLRESULT is sent only after the data it acknowledges is committed. The
// server is SIGKILLed in the middle of a burst; after a restart on the same database every
// message the stations saw acknowledged must be there.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest, openStore } from '../../src/store/index.js';
import { wireServices } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createLogger } from '../../src/log/logger.js';
import { backends } from '../helpers/db.js';
import { RawClient } from '../helpers/raw-client.js';

const MAIN = 'dist/src/cli/main.js';
const STATIONS = 6;
/** acknowledged meter values after which the server is killed */
const KILL_AFTER = 300;

interface Acked { transactions: Set<number>; readings: Set<string> }

function serve(env: NodeJS.ProcessEnv): { child: ChildProcess; url: Promise<string>; stderr(): string } {
  const child = spawn(process.execPath, [MAIN, 'serve', '--ocpp-port', '0'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /OCPP endpoint: (ws:\/\/\S+)\/<stationId>/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code, signal) => reject(new Error(`serve exited ${code ?? signal}: ${stderr.slice(-2000)}`)));
  });
  return { child, url, stderr: () => stderr };
}

/**
 * One station: boot, start a transaction, then MeterValues one after another (one CALL in
 * flight, as OCPP-J allows) until its socket dies. Notes what was acknowledged.
 */
async function drive(url: string, id: string, password: string, acked: Acked, onAck: () => void): Promise<void> {
  const c = await RawClient.connect(`${url}/${id}`, { user: id, password });
  c.ws.on('error', () => undefined);
  const answer = async (callId: string, action: string, payload: unknown): Promise<Record<string, unknown>> => {
    const [type, , res] = await c.call(callId, action, payload, 30_000) as [number, string, Record<string, unknown>];
    assert.equal(type, 3, `${action}: ${JSON.stringify(res)}`);
    return res;
  };
  try {
    await answer('b', 'BootNotification', { chargePointVendor: 'ACME', chargePointModel: 'Crash' });
    const base = Date.now() - 3_600_000;
    const { transactionId } = await answer('s', 'StartTransaction', { connectorId: 1, idTag: 'CRASH-TAG', meterStart: 0, timestamp: new Date(base).toISOString() }) as { transactionId: number };
    acked.transactions.add(transactionId);
    for (let i = 1; ; i++) {
      const at = new Date(base + i * 1000).toISOString();
      await answer(`m${i}`, 'MeterValues', { connectorId: 1, transactionId, meterValue: [{ timestamp: at, sampledValue: [{ value: String(i * 10), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }] });
      acked.readings.add(`${id}|${at}`);
      onAck();
    }
  } catch {
    // the server died: whatever was not acknowledged may be lost, and the station would resend it
  } finally {
    c.ws.terminate();
  }
}

/** The stations (with their passwords) and the token, registered as `ov2x station add` would, in one store opening. */
async function seed(ids: string[], config: Config): Promise<string[]> {
  const store = await openStore({ dataDir: config.dataDir, ...(config.databaseUrl && { databaseUrl: config.databaseUrl }), pgliteWorker: false });
  try {
    await migrateToLatest(store.db);
    const services = wireServices(store, config, createLogger('silent'));
    try {
      await services.repos.tokens.upsert({ idToken: 'CRASH-TAG', status: 'Accepted' });
      const passwords: string[] = [];
      for (const id of ids) passwords.push((await services.domain.stations.register(id, {})).password);
      return passwords;
    } finally {
      await services.close();
    }
  } finally {
    await store.close();
  }
}

for (const backend of backends) {
  describe(`crash safety on ${backend.name}`, () => {
    it(`every acknowledged message survives a SIGKILL mid-burst (${STATIONS} stations)`, { timeout: 180_000 }, async (t) => {
      const dataDir = await mkdtemp(join(tmpdir(), 'ov2x-crash-'));
      const pg = backend.name === 'postgres' ? await backend.open({ migrate: false }) : undefined;
      if (pg) await pg.store.close();
      const databaseUrl = pg?.target?.databaseUrl ?? '';
      const env = { ...process.env, OV2X_DATA_DIR: dataDir, OV2X_LOG_LEVEL: 'silent', DATABASE_URL: databaseUrl, OV2X_RETENTION_INTERVAL_S: '0' };
      try {
        const ids = Array.from({ length: STATIONS }, (_, i) => `CRASH-${i}`);
        const passwords = await seed(ids, { ...loadConfig({}, {}), dataDir, ...(databaseUrl && { databaseUrl }) });

        const first = serve(env);
        const url = await first.url;
        const acked: Acked = { transactions: new Set(), readings: new Set() };
        let killed = false;
        const kill = (): void => {
          if (killed || acked.readings.size < KILL_AFTER) return;
          killed = true;
          first.child.kill('SIGKILL');
        };
        const exited = new Promise((resolve) => first.child.once('exit', resolve));
        await Promise.all(ids.map((id, i) => drive(url, id, passwords[i]!, acked, kill)));
        await exited;
        assert.ok(killed, 'the server was killed mid-burst');
        assert.equal(acked.transactions.size, STATIONS);

        // a restart on the same database recovers it (and finds the killed process's lock stale)
        const second = serve(env);
        await second.url;
        const stopped = new Promise<number | string | null>((resolve) => second.child.once('exit', (code, signal) => resolve(code ?? signal)));
        second.child.kill('SIGTERM');
        assert.equal(await stopped, 0, second.stderr().slice(-3000));

        const store = await openStore({ dataDir, ...(databaseUrl && { databaseUrl }), pgliteWorker: false });
        try {
          const tx = await sql<{ id: number }>`select id from transactions`.execute(store.db);
          const stored = new Set(tx.rows.map((r) => Number(r.id)));
          for (const id of acked.transactions) assert.ok(stored.has(id), `acknowledged transaction ${id} lost`);
          const mv = await sql<{ stationId: string; sampledAt: Date }>`select station_id, sampled_at from meter_values`.execute(store.db);
          const readings = new Set(mv.rows.map((r) => `${r.stationId}|${r.sampledAt.toISOString()}`));
          const lost = [...acked.readings].filter((r) => !readings.has(r));
          assert.deepEqual(lost, [], `${lost.length} of ${acked.readings.size} acknowledged meter values lost`);
          assert.ok(readings.size >= acked.readings.size);
          t.diagnostic(`${acked.readings.size} meter values acknowledged before the kill, ${readings.size} stored after the restart`);
        } finally {
          await store.close();
        }
      } finally {
        await pg?.cleanup();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
}
