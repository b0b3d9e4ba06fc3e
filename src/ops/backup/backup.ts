// Backups (OP2): create, verify and restore. PostgreSQL through pg_dump/pg_restore (custom
// format), PGlite through its data-folder dump. Row counts come from the dump's own snapshot, so
// a restore can be checked against them exactly, even of a backup taken under load.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { openStore, type Store } from '../../store/index.js';
import { lockDataDir } from '../../store/data-lock.js';
import { backupName, digestFile, manifestPathOf, readManifest, writeManifest, writePrivate, type Backup } from './manifest.js';
import { runPgTool } from './pg-tools.js';
import { countDifferences, rowCounts, schemaVersion, tableNames } from './table-counts.js';

/** Told each stage of long work (the CLI shows it on a terminal). */
export type Report = (stage: string) => void;
const quiet: Report = () => undefined;

export interface Target {
  /** PostgreSQL: the database; else the PGlite data folder (its `pg` sub-folder holds the database) */
  databaseUrl?: string;
  dataDir: string;
}

/** Takes a backup of an open store into `dir` (created 0700); returns its manifest. */
export async function createBackup(store: Store, target: Target, dir: string, report: Report = quiet): Promise<Backup> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const createdAt = new Date();
  const name = backupName(createdAt);
  const file = `${name}.${store.kind === 'postgres' ? 'pgdump' : 'tar.gz'}`;
  const dumpPath = join(dir, file);
  let counted: { rowCounts: Record<string, number>; schemaVersion?: string };
  try {
    if (store.kind === 'postgres') {
      if (!target.databaseUrl) throw new Error('a PostgreSQL backup needs DATABASE_URL');
      counted = await dumpPostgres(store.db, target.databaseUrl, dumpPath, report);
    } else {
      report('dumping the embedded database');
      const { tar, during } = await store.dumpDataDir!(async (db) => ({ rowCounts: await rowCounts(db), schemaVersion: await schemaVersion(db) }));
      await writePrivate(dumpPath, tar);
      counted = during;
    }
    report('computing the checksum');
    const { sha256, bytes } = await digestFile(dumpPath);
    const manifestPath = manifestPathOf(dir, name);
    const manifest = {
      format: 'ov2x-backup/1' as const, store: store.kind, file, bytes, sha256, createdAt: createdAt.toISOString(),
      ...(counted.schemaVersion !== undefined && { schemaVersion: counted.schemaVersion }), rowCounts: counted.rowCounts,
    };
    await writeManifest(manifestPath, manifest);
    return { ...manifest, manifestPath, dumpPath };
  } catch (err) {
    await rm(dumpPath, { force: true });
    await rm(`${dumpPath}.partial`, { force: true });
    throw err;
  }
}

/** pg_dump inside an exported REPEATABLE READ snapshot, in which the rows are counted too. */
async function dumpPostgres<DB>(db: Kysely<DB>, databaseUrl: string, dumpPath: string, report: Report): Promise<{ rowCounts: Record<string, number>; schemaVersion?: string }> {
  return db.connection().execute(async (conn) => {
    await sql`begin isolation level repeatable read read only`.execute(conn);
    try {
      const snapshot = (await sql<{ id: string }>`select pg_export_snapshot() as id`.execute(conn)).rows[0]!.id;
      report('counting rows');
      const counts = await rowCounts(conn);
      const version = await schemaVersion(conn);
      report('running pg_dump');
      await runPgTool('pg_dump', ['--format=custom', `--file=${dumpPath}`, `--snapshot=${snapshot}`], databaseUrl);
      await chmod(dumpPath, 0o600);
      return { rowCounts: counts, ...(version !== undefined && { schemaVersion: version }) };
    } finally {
      await sql`commit`.execute(conn);
    }
  });
}

export interface VerifyResult {
  ok: boolean;
  file: string;
  problems: string[];
  /** deep mode: the row counts of the scratch restore */
  restoredRowCounts?: Record<string, number>;
}

/**
 * Recomputes the dump's checksum; `deep` also restores it into a scratch database (a temporary
 * folder, or a database created and dropped on `databaseUrl`'s server) and compares row counts.
 */
export async function verifyBackup(manifestPath: string, o: { deep?: boolean; databaseUrl?: string } = {}, report: Report = quiet): Promise<VerifyResult> {
  const b = await readManifest(manifestPath);
  const problems: string[] = [];
  report('computing the checksum');
  const actual = await digestFile(b.dumpPath).catch((err: NodeJS.ErrnoException) => {
    problems.push(err.code === 'ENOENT' ? `dump ${b.file} is missing` : `dump ${b.file} unreadable: ${err.message}`);
    return undefined;
  });
  if (actual && actual.bytes !== b.bytes) problems.push(`size ${actual.bytes} bytes, manifest says ${b.bytes}`);
  if (actual && actual.sha256 !== b.sha256) problems.push('SHA-256 checksum does not match the manifest');
  if (!o.deep || problems.length > 0) return { ok: problems.length === 0, file: b.file, problems };
  report('restoring into a scratch database');
  const restored = await withScratch(b, o.databaseUrl, async (target) => {
    await restoreInto(b, target, false, report);
    return countsOf(target);
  }).catch((err: Error) => { problems.push(`scratch restore failed: ${err.message}`); return undefined; });
  if (restored) problems.push(...countDifferences(b.rowCounts, restored));
  return { ok: problems.length === 0, file: b.file, problems, ...(restored && { restoredRowCounts: restored }) };
}

async function withScratch<T>(b: Backup, databaseUrl: string | undefined, use: (t: Target) => Promise<T>): Promise<T> {
  if (b.store === 'pglite') {
    const dataDir = await mkdtemp(join(tmpdir(), 'ov2x-verify-'));
    try {
      return await use({ dataDir });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  if (!databaseUrl) throw new Error('deep verification of a PostgreSQL backup needs DATABASE_URL: a scratch database is created on that server and dropped after');
  const scratch = `ov2x_verify_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${scratch}`);
    const u = new URL(databaseUrl);
    u.pathname = `/${scratch}`;
    try {
      return await use({ databaseUrl: u.toString(), dataDir: tmpdir() });
    } finally {
      await admin.query(`drop database if exists ${scratch} with (force)`);
    }
  } finally {
    await admin.end();
  }
}

export interface RestoreResult {
  file: string;
  rowCounts: Record<string, number>;
  /** tables whose row count differs from the manifest; empty on success */
  differences: string[];
}

/**
 * Restores a backup into a fresh database (PostgreSQL) or data folder (PGlite), after checking
 * its checksum. A target holding data is refused unless `force` (PostgreSQL: objects of the dump
 * are dropped first; PGlite: the folder's database is replaced).
 */
export async function restoreBackup(manifestPath: string, target: Target, o: { force?: boolean } = {}, report: Report = quiet): Promise<RestoreResult> {
  const checked = await verifyBackup(manifestPath, {}, report);
  if (!checked.ok) throw new Error(`backup ${checked.file} failed its integrity check: ${checked.problems.join('; ')}`);
  const b = await readManifest(manifestPath);
  const kind = target.databaseUrl ? 'postgres' : 'pglite';
  if (b.store !== kind) throw new Error(`backup ${b.file} is of a ${b.store} database and cannot be restored into ${kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : 'an embedded data folder'}: restore it into the same kind of store`);
  await restoreInto(b, target, o.force === true, report);
  report('counting rows');
  const counts = await countsOf(target);
  return { file: b.file, rowCounts: counts, differences: countDifferences(b.rowCounts, counts) };
}

async function restoreInto(b: Backup, target: Target, force: boolean, report: Report): Promise<void> {
  if (b.store === 'postgres') {
    const url = target.databaseUrl!;
    const store = await openStore({ databaseUrl: url, dataDir: target.dataDir, poolSize: 1 });
    try {
      const tables = await tableNames(store.db);
      if (tables.length > 0 && !force) throw new Error(`the target database is not empty (${tables.length} tables): restore into a fresh database, or pass --force to replace what the backup holds`);
    } finally {
      await store.close();
    }
    report('running pg_restore');
    await runPgTool('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', ...(force ? ['--clean', '--if-exists'] : []), b.dumpPath], url);
    return;
  }
  const pgDir = join(target.dataDir, 'pg');
  await mkdir(pgDir, { recursive: true, mode: 0o700 });
  // the folder lock: a platform serving this folder makes the restore fail here, not corrupt it
  const release = lockDataDir(pgDir);
  try {
    const present = (await readdir(pgDir)).filter((f) => f !== 'ov2x.lock');
    if (present.length > 0 && !force) throw new Error(`the data folder ${pgDir} holds a database: restore into a fresh folder, or pass --force to replace it`);
    for (const f of present) await rm(join(pgDir, f), { recursive: true, force: true });
    report('unpacking the embedded database');
    const tar = await readFile(b.dumpPath);
    const pglite = await PGlite.create({ dataDir: pgDir, loadDataDir: new Blob([tar]) });
    await pglite.close();
  } finally {
    release();
  }
}

async function countsOf(target: Target): Promise<Record<string, number>> {
  const store = await openStore({ ...(target.databaseUrl && { databaseUrl: target.databaseUrl }), dataDir: target.dataDir, poolSize: 1, pgliteWorker: false });
  try {
    return await rowCounts(store.db);
  } finally {
    await store.close();
  }
}

/** Whether a path exists (used by the CLI to tell a folder from a manifest). */
export async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true;
}
