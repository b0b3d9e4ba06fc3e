// Test back ends: every storage test runs on PGlite and on a real PostgreSQL.
// PostgreSQL must be reachable; a missing server fails the run loudly instead
// of silently testing only one back end.
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrateToLatest, openStore, type Store } from '../../src/store/index.js';

export interface OpenedStore {
  store: Store;
  /** Closes the store and deletes its database (temp folder or throw-away database). */
  cleanup(): Promise<void>;
  /** where the database lives: the PostgreSQL URL, or the PGlite data folder */
  target?: { databaseUrl?: string; dataDir: string };
}

export interface Backend {
  name: 'pglite' | 'postgres';
  /** Opens an empty store; runs the migrations unless `migrate: false`. */
  open(options?: { migrate?: boolean }): Promise<OpenedStore>;
}

const DEFAULT_ADMIN_URLS = ['postgres://postgres@127.0.0.1:5432/postgres', 'postgres://root@127.0.0.1:5432/postgres'];

async function tryConnect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
}

/** Connects as a role allowed to create databases: OV2X_TEST_PG_URL, else postgres, else root. */
async function adminClient(): Promise<{ client: pg.Client; url: string }> {
  const explicit = process.env.OV2X_TEST_PG_URL;
  const candidates = explicit ? [explicit] : DEFAULT_ADMIN_URLS;
  const failures: string[] = [];
  for (const url of candidates) {
    try {
      return { client: await tryConnect(url), url };
    } catch (err) {
      failures.push(`${url}: ${(err as Error).message}`);
    }
  }
  throw new Error(
    `PostgreSQL is not reachable for the storage tests (${failures.join('; ')}). ` +
      'Run `bash scripts/ensure-postgres.sh` (or set OV2X_TEST_PG_URL to an admin URL) and retry.',
  );
}

/** Throws the helper's "run scripts/ensure-postgres.sh" error when PostgreSQL cannot be reached. */
export async function assertPostgresReachable(): Promise<void> {
  const { client } = await adminClient();
  await client.end();
}

async function withStore(store: Store, migrate: boolean, cleanup: () => Promise<void>): Promise<OpenedStore> {
  try {
    if (migrate) await migrateToLatest(store.db);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { store, cleanup };
}

// PGlite's initdb takes ~5 s, copying an initialised data folder well under
// one. So the first test process on the machine builds a template, keyed by
// the PGlite version, and every store starts from a copy of it.
async function pgliteTemplate(): Promise<string> {
  const pkg = new URL('../package.json', import.meta.resolve('@electric-sql/pglite'));
  const { version } = JSON.parse(await readFile(pkg, 'utf8')) as { version: string };
  const template = join(tmpdir(), `ov2x-pglite-template-${version}`);
  const ready = await stat(join(template, 'pg', 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  if (ready) return template;
  const building = await mkdtemp(join(tmpdir(), 'ov2x-pglite-build-'));
  await (await openStore({ dataDir: building })).close();
  // rename is atomic: concurrent test processes either win or find it done.
  await rename(building, template).catch(() => rm(building, { recursive: true, force: true }));
  return template;
}

const pglite: Backend = {
  name: 'pglite',
  async open({ migrate = true } = {}) {
    const dataDir = await mkdtemp(join(tmpdir(), 'ov2x-test-'));
    await cp(join(await pgliteTemplate(), 'pg'), join(dataDir, 'pg'), { recursive: true });
    const store = await openStore({ dataDir });
    const opened = await withStore(store, migrate, async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    return { ...opened, target: { dataDir } };
  },
};

const postgres: Backend = {
  name: 'postgres',
  async open({ migrate = true } = {}) {
    const db = await throwAwayDatabase();
    const store = await openStore({ databaseUrl: db.url, dataDir: tmpdir(), poolSize: 4 });
    const opened = await withStore(store, migrate, async () => {
      await store.close();
      await db.drop();
    });
    return { ...opened, target: { databaseUrl: db.url, dataDir: tmpdir() } };
  },
};

export const backends: readonly Backend[] = [pglite, postgres];

/** An empty PostgreSQL database of its own (not migrated) for platforms that share one: nodes of a cluster, in this process or as separate processes. */
export async function throwAwayDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const { client, url } = await adminClient();
  const name = `ov2x_test_${randomBytes(6).toString('hex')}`;
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  return {
    url: dbUrl.toString(),
    async drop() {
      const admin = await adminClient();
      try {
        await admin.client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.client.end();
      }
    },
  };
}
