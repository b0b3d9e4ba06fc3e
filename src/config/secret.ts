import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from './config.js';

/** Loads the server secret (32 random bytes), creating it with mode 0600 on first start. */
export function loadServerSecret(config: Pick<Config, 'dataDir' | 'secretFile'>): Buffer {
  const file = config.secretFile ?? join(config.dataDir, 'server-secret');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (secret.length < 32) throw new Error(`server secret in ${file} is shorter than 32 bytes`);
  return secret;
}
