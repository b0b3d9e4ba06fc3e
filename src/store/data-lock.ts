import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

/** The embedded database is already open in another process. */
export class DataDirInUseError extends Error {
  constructor(dir: string, pid: number) {
    super(`the data folder ${dir} is in use by another OV2X process (pid ${pid}); stop it first ` +
      `(the embedded database serves one process at a time; several processes need DATABASE_URL)`);
    this.name = 'DataDirInUseError';
  }
}

function remove(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const held = new Set<string>();
let exitHookInstalled = false;

/**
 * Takes the exclusive lock of an embedded database folder: PGlite is a single-process
 * database, and a second process writing the same files would corrupt them. A lock left by a
 * process that no longer exists is taken over. Returns the release function.
 */
export function lockDataDir(dir: string, file = `${dir}/ov2x.lock`): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(file);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on('exit', () => held.forEach(remove));
      }
      return () => {
        if (held.delete(file)) remove(file);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) throw new DataDirInUseError(dir, holder);
      unlinkSync(file); // stale: its process is gone
    }
  }
  throw new Error(`could not lock ${dir}`);
}
