import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** What a backup says about itself; written after its dump, so a backup without one is incomplete. */
export interface Manifest {
  format: 'ov2x-backup/1';
  store: 'pglite' | 'postgres';
  /** the dump's file name, next to the manifest */
  file: string;
  bytes: number;
  sha256: string;
  createdAt: string;
  /** the last migration applied when the backup was taken */
  schemaVersion?: string;
  /** rows per table, read in the dump's own snapshot */
  rowCounts: Record<string, number>;
}

export interface Backup extends Manifest {
  manifestPath: string;
  dumpPath: string;
}

const SUFFIX = '.manifest.json';

/** A fresh, sortable backup name: ov2x-20261122T001500123Z-a1b2c3 */
export function backupName(at: Date): string {
  return `ov2x-${at.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
}

export function manifestPathOf(dir: string, name: string): string {
  return join(dir, `${name}${SUFFIX}`);
}

/** SHA-256 and size of a file, streamed (dumps can be large). */
export async function digestFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Writes a file 0600 via a temporary name, so a reader never sees half of it. */
export async function writePrivate(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.partial`;
  await writeFile(tmp, data, { mode: 0o600 });
  await rename(tmp, path);
}

export async function writeManifest(path: string, m: Manifest): Promise<void> {
  await writePrivate(path, `${JSON.stringify(m, null, 2)}\n`);
}

/** Reads and checks a manifest; a clear error for anything else. */
export async function readManifest(path: string): Promise<Backup> {
  let m: Partial<Manifest>;
  try {
    m = JSON.parse(await readFile(path, 'utf8')) as Partial<Manifest>;
  } catch (err) {
    throw new Error(`${path}: not a readable backup manifest (${(err as Error).message})`, { cause: err });
  }
  const ok = m.format === 'ov2x-backup/1' && (m.store === 'pglite' || m.store === 'postgres') && typeof m.file === 'string'
    && basename(m.file) === m.file && typeof m.sha256 === 'string' && typeof m.bytes === 'number'
    && typeof m.createdAt === 'string' && typeof m.rowCounts === 'object' && m.rowCounts !== null;
  if (!ok) throw new Error(`${path}: not an OV2X backup manifest`);
  return { ...(m as Manifest), manifestPath: path, dumpPath: join(dirname(path), m.file!) };
}

/** The backups of a folder, newest first; unreadable manifests are reported, not fatal. */
export async function listBackups(dir: string): Promise<{ backups: Backup[]; problems: string[] }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { backups: [], problems: [] };
    throw err;
  }
  const backups: Backup[] = [];
  const problems: string[] = [];
  for (const n of names.filter((f) => f.endsWith(SUFFIX))) {
    try {
      backups.push(await readManifest(join(dir, n)));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  backups.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return { backups, problems };
}

/** Retention by count: deletes all but the newest `keep` backups; returns the names removed. */
export async function pruneBackups(dir: string, keep: number): Promise<string[]> {
  const { backups } = await listBackups(dir);
  const removed: string[] = [];
  for (const b of backups.slice(keep)) {
    // the manifest goes first: a dump without one is no backup
    await unlink(b.manifestPath);
    await unlink(b.dumpPath).catch(() => undefined);
    removed.push(b.file);
  }
  return removed;
}
