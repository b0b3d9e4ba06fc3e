import { Command, Option } from 'commander';
import { withDomain } from '../context.js';
import { limitOf, output, storeCommand as sub, UsageError } from '../options.js';

function tokenValue(v: string): string {
  // 2.0.1 IdToken.idToken is at most 36 characters (1.6 idTag: 20)
  if (!/^[\x21-\x7e]{1,36}$/.test(v)) throw new UsageError('id token must be 1–36 printable ASCII characters');
  return v;
}

export function tokenCommand(): Command {
  const cmd = new Command('token').description('Manage authorization tokens (RFID UIDs, contract ids).');

  cmd.addCommand(sub('add', 'Add or update a token.')
    .argument('<idToken>')
    .addOption(new Option('--type <type>', 'token type').choices(['ISO14443', 'ISO15693', 'eMAID', 'Central', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization']).default('ISO14443'))
    .addOption(new Option('--status <status>', 'authorization status').choices(['Accepted', 'Blocked', 'Expired', 'Invalid']).default('Accepted'))
    .option('--expires <iso-date>', 'expiry date-time (ISO 8601)')
    .option('--group <idToken>', 'group / parent token')
    .action(async (id: string, opts: Record<string, unknown>) => {
      const expiresAt = opts.expires === undefined ? null : new Date(String(opts.expires));
      if (expiresAt && Number.isNaN(expiresAt.getTime())) throw new UsageError('--expires must be an ISO 8601 date-time');
      await withDomain(opts, async ({ repos }) => {
        const t = await repos.tokens.upsert({ idToken: tokenValue(id), type: String(opts.type), status: opts.status as 'Accepted', expiresAt, groupIdToken: opts.group === undefined ? null : tokenValue(String(opts.group)) });
        output(opts.json as boolean, t, () => `token ${t.idToken} ${t.status}${t.expiresAt ? ` until ${t.expiresAt.toISOString()}` : ''}`);
      });
    }));

  cmd.addCommand(sub('list', 'List tokens.')
    .option('--limit <n>', 'most tokens to list', '100')
    .action(async (opts: Record<string, unknown>) => {
      const limit = limitOf(opts.limit);
      await withDomain(opts, async ({ repos }) => {
        const rows = await repos.tokens.list({ limit, offset: 0 });
        output(opts.json as boolean, rows, () => rows.length === 0 ? 'no tokens' : rows.map((t) => `${t.idToken.padEnd(36)} ${t.type.padEnd(10)} ${t.status}${t.expiresAt ? ` until ${t.expiresAt.toISOString()}` : ''}`).join('\n'));
      });
    }));

  cmd.addCommand(sub('block', 'Block a token: stations get Blocked from then on.')
    .argument('<idToken>')
    .action(async (id: string, opts: Record<string, unknown>) => {
      await withDomain(opts, async ({ repos }) => {
        if (!(await repos.tokens.setStatus(tokenValue(id), 'Blocked'))) throw new UsageError(`token ${id} does not exist`);
        output(opts.json as boolean, { idToken: id, status: 'Blocked' }, () => `token ${id} blocked`);
      });
    }));

  return cmd;
}
