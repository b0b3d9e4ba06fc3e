// pg_dump / pg_restore of the PostgreSQL client on the host. The password travels in the
// child's environment (PGPASSWORD), never on its command line, where `ps` would show it.
import { spawn } from 'node:child_process';
import { redactUrl } from '../../store/db.js';

export class BackupToolError extends Error {
  override name = 'BackupToolError';
}

/** The URL without its password, and the password for PGPASSWORD. */
function split(url: string): { url: string; password?: string } {
  const u = new URL(url);
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.password = '';
  return { url: u.toString(), ...(password !== undefined && { password }) };
}

/** Runs a client tool; rejects with its stderr (any URL in it redacted) when it fails or is missing. */
export function runPgTool(tool: 'pg_dump' | 'pg_restore', args: string[], databaseUrl: string): Promise<void> {
  const { url, password } = split(databaseUrl);
  const env = { ...process.env, ...(password !== undefined && { PGPASSWORD: password }) };
  return new Promise((resolve, reject) => {
    const child = spawn(tool, [...args, `--dbname=${url}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < 8000) stderr += d; });
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(new BackupToolError(err.code === 'ENOENT'
        ? `${tool} not found: install the PostgreSQL client (Debian: apt-get install postgresql-client) matching the server's major version`
        : `${tool} could not start: ${err.message}`));
    });
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new BackupToolError(`${tool} failed (exit ${code}) on ${redactUrl(databaseUrl)}: ${stderr.replaceAll(url, redactUrl(url)).trim().slice(0, 2000)}`));
    });
  });
}
