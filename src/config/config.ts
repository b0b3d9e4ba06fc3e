import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { settings, type Setting, type SettingName, type SettingType } from './settings.js';

type ValueOf<T extends SettingType> = T extends 'port' | 'int' ? number : T extends 'bool' ? boolean : string;
type Widen<S extends Setting> = S['default'] extends undefined ? ValueOf<S['type']> | undefined : ValueOf<S['type']>;
export type Config = { [K in SettingName]: Widen<(typeof settings)[K]> };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Parses one raw value; returns the value or the reason it is not acceptable. */
const parsers: Record<SettingType, (raw: string, s: Setting) => { ok: unknown } | { error: string }> = {
  host: (raw) => (isIP(raw) || /^[a-z0-9.-]+$/i.test(raw) ? { ok: raw } : { error: 'must be an IP address or host name' }),
  port: (raw) => int(raw, 0, 65535),
  int: (raw, s) => int(raw, s.min ?? Number.MIN_SAFE_INTEGER, s.max ?? Number.MAX_SAFE_INTEGER),
  path: (raw) => (/^\/[A-Za-z0-9._~\-/]*$/.test(raw) && !raw.endsWith('/') ? { ok: raw } : { error: 'must start with / and not end with /' }),
  dir: (raw) => (raw.length > 0 ? { ok: resolve(raw) } : { error: 'must not be empty' }),
  file: (raw) => (raw.length > 0 ? { ok: resolve(raw) } : { error: 'must not be empty' }),
  bool: (raw) => (/^(1|true|yes|on)$/i.test(raw) ? { ok: true } : /^(0|false|no|off)$/i.test(raw) ? { ok: false } : { error: 'must be true or false' }),
  logLevel: (raw) => (logLevels.includes(raw) ? { ok: raw } : { error: `must be one of ${logLevels.join(', ')}` }),
  postgresUrl: (raw) => {
    try {
      const u = new URL(raw);
      return u.protocol === 'postgres:' || u.protocol === 'postgresql:' ? { ok: raw } : { error: 'must be a postgres:// URL' };
    } catch {
      return { error: 'must be a postgres:// URL' };
    }
  },
  redisUrl: (raw) => {
    try {
      const u = new URL(raw);
      return u.protocol === 'redis:' || u.protocol === 'rediss:' ? { ok: raw } : { error: 'must be a redis:// or rediss:// URL' };
    } catch {
      return { error: 'must be a redis:// or rediss:// URL' };
    }
  },
  httpUrl: (raw) => {
    try {
      const u = new URL(raw);
      const ok = (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password && !u.search && !u.hash;
      return ok ? { ok: raw.replace(/\/+$/, '') } : { error: 'must be an http:// or https:// URL without credentials, query or fragment' };
    } catch {
      return { error: 'must be an http:// or https:// URL' };
    }
  },
  choice: (raw, s) => (s.choices?.includes(raw) ? { ok: raw } : { error: `must be one of ${(s.choices ?? []).join(', ')}` }),
  text: (raw) => (raw.trim().length > 0 ? { ok: raw.trim() } : { error: 'must not be empty' }),
  cidrList: (raw) => {
    const items = raw.split(',').map((i) => i.trim()).filter(Boolean);
    const bad = items.find((i) => !isCidr(i));
    return bad === undefined && items.length > 0 ? { ok: items.join(',') } : { error: `${JSON.stringify(bad ?? raw)} is not an IP address or CIDR range` };
  },
  headerName: (raw) => (/^[a-z0-9-]+$/i.test(raw) ? { ok: raw.toLowerCase() } : { error: 'must be an HTTP header name (letters, digits, -)' }),
};

/** `addr` or `addr/bits` with an IPv4 or IPv6 address. */
function isCidr(item: string): boolean {
  const [addr, bits, extra] = item.split('/');
  const family = isIP(addr ?? '');
  if (!family || extra !== undefined) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

function int(raw: string, min: number, max: number): { ok: number } | { error: string } {
  if (!/^-?\d+$/.test(raw.trim())) return { error: 'must be an integer' };
  const n = Number(raw);
  return n >= min && n <= max ? { ok: n } : { error: `must be between ${min} and ${max}` };
}

/**
 * Builds the configuration from CLI flags (highest precedence), then environment variables,
 * then defaults. Every bad value is reported at once, each with its reason; secret values are
 * never echoed.
 */
export function loadConfig(flags: Partial<Record<SettingName, string | boolean>> = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, s] of Object.entries(settings) as Array<[SettingName, Setting]>) {
    const flag = flags[name];
    const raw = flag !== undefined ? String(flag) : env[s.env];
    const source = flag !== undefined ? s.flag : s.env;
    if (raw === undefined || raw === '') {
      out[name] = s.type === 'dir' && typeof s.default === 'string' ? resolve(s.default) : s.default;
      continue;
    }
    const parsed = parsers[s.type](raw, s);
    if ('error' in parsed) problems.push(`${source}${s.secret ? '' : `=${JSON.stringify(raw)}`}: ${parsed.error}`);
    else out[name] = parsed.ok;
  }
  if (problems.length) throw new ConfigError(problems);
  return out as Config;
}

/** The README's configuration table, generated so it cannot drift from the code. */
export function configurationTable(): string {
  const rows = (Object.values(settings) as Setting[]).map(
    (s) => `| \`${s.env}\` | \`${s.flag}\` | ${s.default === undefined ? '—' : `\`${String(s.default)}\``} | ${s.doc} |`,
  );
  return ['| Environment variable | Flag | Default | Meaning |', '|---|---|---|---|', ...rows].join('\n');
}
