import { userInfo } from 'node:os';
import { Command, Option } from 'commander';
import { ApiKeyError, type Issuer } from '../../domain/identity/api-keys.js';
import { roles } from '../../domain/identity/roles.js';
import type { ApiKeyRow } from '../../store/schema.js';
import { withDomain } from '../context.js';
import { limitOf, output, storeCommand as sub, UsageError, withSettings } from '../options.js';

/** The operator at the console: whoever can open the database holds every right already. */
function operator(): Issuer {
  let name: string;
  try { name = userInfo().username; } catch { name = process.env.USER ?? 'operator'; }
  return { id: `cli:${name}`, roles: ['admin'], groups: null };
}

function positiveInt(v: unknown, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${what} must be a positive integer`);
  return n;
}

/** A key as printed: everything but its hash (the key itself is printed once, by create). */
const shown = (k: ApiKeyRow, state: string) => ({
  id: k.id, name: k.name, prefix: k.prefix, role: k.role, groups: k.stationGroups, state, createdBy: k.createdBy,
  createdAt: k.createdAt, expiresAt: k.expiresAt, lastUsedAt: k.lastUsedAt, revokedAt: k.revokedAt, rotatedFrom: k.rotatedFrom, replacedBy: k.replacedBy,
});

/** Runs `fn`, turning the key service's refusals into usage errors (exit 2 with the reason). */
async function refusing<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiKeyError) throw new UsageError(err.message);
    throw err;
  }
}

/** `ov2x apikey`: bootstrap machine clients offline (the API does the same under /api-keys). */
export function apikeyCommand(): Command {
  const cmd = new Command('apikey').description('Manage API keys of machine clients and market parties.');

  cmd.addCommand(withSettings(sub('create', 'Create an API key and print it (shown once; stored only as its SHA-256).'), ['apiKeyMaxDays'])
    .requiredOption('--name <name>', 'who or what uses the key')
    .addOption(new Option('--role <role>', 'the one role the key holds (admin is refused)').choices(roles.filter((r) => r !== 'admin')).makeOptionMandatory())
    .option('--group <id...>', 'station groups the key may reach (default: all)')
    .requiredOption('--days <n>', 'lifetime in days')
    .action(async (opts: Record<string, unknown>) => {
      const name = String(opts.name);
      if (!/^\P{Cc}{1,100}$/u.test(name)) throw new UsageError('--name must be 1–100 printable characters');
      const days = positiveInt(opts.days, '--days');
      const by = operator();
      await withDomain(opts, async ({ domain }) => {
        const { key, secret } = await refusing(() => domain.identity.apiKeys.create(by, { name, role: String(opts.role), groups: (opts.group as string[] | undefined) ?? null, expiresInDays: days }));
        await domain.identity.audit.record({ actor: { anonymous: by.id }, action: 'apikey.create', target: String(key.id), result: 'success', details: { name: key.name, role: key.role, groups: key.stationGroups, expiresAt: key.expiresAt.toISOString(), via: 'cli' } });
        output(opts.json as boolean, { ...shown(key, 'active'), secret },
          () => `API key ${key.id} (${key.name}, role ${key.role}) until ${key.expiresAt.toISOString()}\nkey: ${secret}\n(give it to the client now: it is shown only once and kept only as a hash)`);
      });
    }));

  cmd.addCommand(sub('list', 'List API keys (never the keys themselves).')
    .option('--limit <n>', 'most keys to list', '100')
    .addOption(new Option('--state <state>', 'only keys in this state').choices(['active', 'expired', 'revoked']))
    .action(async (opts: Record<string, unknown>) => {
      const limit = limitOf(opts.limit);
      await withDomain(opts, async ({ domain }) => {
        const keys = domain.identity.apiKeys;
        const { items } = await keys.list(operator(), { limit, offset: 0, state: opts.state as 'active' | undefined });
        const data = items.map((k) => shown(k, keys.stateOf(k)));
        output(opts.json as boolean, data, () => data.length === 0 ? 'no API keys' : data.map((k) =>
          `${String(k.id).padStart(5)} ${k.prefix}…  ${k.name.padEnd(24)} ${k.role.padEnd(16)} ${k.state.padEnd(8)} until ${k.expiresAt.toISOString()}  groups ${k.groups?.join(',') ?? 'all'}`).join('\n'));
      });
    }));

  cmd.addCommand(sub('revoke', 'Revoke an API key: refused from now on.')
    .argument('<id>')
    .action(async (id: string, opts: Record<string, unknown>) => {
      const keyId = positiveInt(id, 'the key id');
      const by = operator();
      await withDomain(opts, async ({ domain }) => {
        const { key, changed } = await refusing(() => domain.identity.apiKeys.revoke(by, keyId));
        await domain.identity.audit.record({ actor: { anonymous: by.id }, action: 'apikey.revoke', target: String(key.id), result: 'success', details: { name: key.name, alreadyRevoked: !changed, via: 'cli' } });
        output(opts.json as boolean, { id: key.id, state: 'revoked', revokedAt: key.revokedAt }, () => `API key ${key.id} (${key.name}) revoked`);
      });
    }));

  // a bad option exits 2 with the reason (through main), like every other usage error
  for (const c of cmd.commands) c.exitOverride();
  return cmd;
}
