// OV2X under test: the real platform (startPlatform) with default settings apart from the
// port and the load generator's allowances (below), on a fresh embedded database (PGlite in a temporary folder) or a throw-away
// PostgreSQL database, provisioned with N stations that each have their own password.
//
// Environment: BENCH_KEY (shared with the load generator), BENCH_STATIONS (N),
// BENCH_DB = pglite | postgres, BENCH_PG_URL (admin URL, default postgres://postgres@127.0.0.1:5432/postgres),
// BENCH_OV2X_SETTINGS (JSON object of OV2X_* environment settings for experiments; `{}` = shipped defaults).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startPlatform, type Platform } from '../src/app.js';
import { loadConfig, type Config } from '../src/config/config.js';
import { loadServerSecret } from '../src/config/secret.js';
import { hashStationPassword } from '../src/domain/stations/credentials.js';
import { createLogger } from '../src/log/logger.js';
import { gcAndMeasure, pausesStart, pausesStop, profileStart, profileStop, ID_TAG, sendReady, serveControl, stationId, stationPassword } from './common.js';

const PROVISION_CHUNK = 2000;

const benchKey = process.env.BENCH_KEY;
const n = Number(process.env.BENCH_STATIONS);
const kind = process.env.BENCH_DB === 'postgres' ? 'postgres' : 'pglite';
const adminUrl = process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
if (!benchKey || !Number.isInteger(n) || n < 1) throw new Error('BENCH_KEY and BENCH_STATIONS must be set');

const dataDir = mkdtempSync(join(tmpdir(), 'ov2x-bench-'));
let dbName: string | undefined;
let platform: Platform | undefined;

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'ov2x-bench' });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function createDatabase(): Promise<string> {
  dbName = `ov2x_bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${dbName}`);
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
}

let stopping: Promise<void> | undefined;
function stop(code = 0): Promise<void> {
  stopping ??= (async () => {
    try {
      await platform?.close();
    } catch (err) {
      console.error('bench server: close failed', err);
    }
    if (dbName) await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((err: unknown) => console.error('bench server: drop failed', err));
    rmSync(dataDir, { recursive: true, force: true });
    setImmediate(() => process.exit(code));
  })();
  return stopping;
}

async function main(): Promise<void> {
  const databaseUrl = kind === 'postgres' ? await createDatabase() : undefined;
  // Defaults (ping interval, batching, timeouts …) stay as shipped unless an experiment sets
  // them (run.ts --set); the port, the data folder and the log level always differ. Warnings
  // and errors still reach stderr of the orchestrator.
  // The load generator is one address holding every station, and its closed loop is a frame flood
  // by design: the perimeter's per-address limits are opened for it and the IDS's per-station
  // frame-rate rule (which would throttle it) is raised out of reach — every other rule stays on.
  const loadGenerator: Record<string, string> = {
    OV2X_MAX_CONNECTIONS_PER_IP: '1000000', OV2X_CONNECT_RATE_PER_IP: '100000', OV2X_CONNECT_BURST_PER_IP: '1000000',
    OV2X_IDS_RULES: JSON.stringify([{ id: 'T1-frame-rate', threshold: 1_000_000_000 }, { id: 'T1-connection-rate-ip', threshold: 1_000_000_000 }]),
  };
  const settings = { ...loadGenerator, ...(JSON.parse(process.env.BENCH_OV2X_SETTINGS || '{}') as Record<string, string>) };
  const config: Config = { ...loadConfig({}, settings), dataDir, databaseUrl, host: '127.0.0.1', ocppPort: 0, logLevel: 'warn' };
  const log = createLogger(config.logLevel);
  platform = await startPlatform(config, log);
  const db = platform.store.db;

  const t0 = performance.now();
  const secret = loadServerSecret(config);
  for (let from = 0; from < n; from += PROVISION_CHUNK) {
    const rows = [];
    for (let i = from; i < Math.min(n, from + PROVISION_CHUNK); i++) {
      const id = stationId(i);
      rows.push({ id, passwordHash: hashStationPassword(secret, stationPassword(benchKey!, id)), registrationStatus: 'Accepted' as const });
    }
    await db.insertInto('stations').values(rows).execute();
  }
  await platform.repos.tokens.upsert({ idToken: ID_TAG, status: 'Accepted' });
  const provisionMs = performance.now() - t0;

  serveControl(
    {
      measure: async () => ({ ...(await gcAndMeasure()), connections: platform!.ocpp.connectionCount }),
      count: async () => {
        const r = await db.selectFrom('meterValues').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        return { meterValues: Number(r.n) };
      },
      'pauses-start': pausesStart,
      'pauses-stop': pausesStop,
      'profile-start': profileStart,
      'profile-stop': profileStop,
      stop: () => stop(),
    },
    () => void stop(),
  );
  const u = new URL(platform.ocppUrl);
  sendReady({ port: Number(u.port), path: u.pathname, pid: process.pid, provisionMs, store: platform.store.kind, dbName });
}

main().catch(async (err: unknown) => {
  console.error('bench server failed:', err);
  await stop(1);
});
