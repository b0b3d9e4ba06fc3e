import { userInfo } from 'node:os';
import { Command, Option } from 'commander';
import { rolesOf } from '../../domain/identity/account-service.js';
import type { DomainServices } from '../../domain/services.js';
import { isRole, machineRoles, roles, type Role } from '../../domain/identity/roles.js';
import { AccountRefused, USERNAME_PATTERN } from '../../domain/identity/user-admin.js';
import type { UserRow } from '../../store/schema.js';
import { withDomain } from '../context.js';
import { limitOf, output, storeCommand as sub, UsageError } from '../options.js';

const peopleRoles = roles.filter((r) => !machineRoles.has(r));

/** The operator at the console: the CLI runs offline, with the rights of whoever can read the store. */
export function cliActor(): { anonymous: string } {
  try {
    return { anonymous: `cli:${userInfo().username}` };
  } catch {
    // a container user without a passwd entry
    return { anonymous: `cli:uid-${process.getuid?.() ?? 'unknown'}` };
  }
}

function username(v: string): string {
  if (!new RegExp(USERNAME_PATTERN).test(v)) throw new UsageError(`invalid username ${JSON.stringify(v)}: letters, digits and ._@- (at most 64)`);
  return v.toLowerCase();
}

/** What the CLI prints of an account: never the hash, TOTP secret or recovery codes. */
const summary = (u: UserRow) => ({
  id: Number(u.id), username: u.username, source: u.source, roles: rolesOf(u), stationGroups: u.stationGroups, disabled: u.disabled,
  totpEnabled: u.totpEnabled, mustChangePassword: u.mustChangePassword, lockedUntil: u.lockedUntil, createdAt: u.createdAt,
});

async function existing(domain: DomainServices, name: string): Promise<UserRow> {
  const u = await domain.identity.accounts.users.byUsername(username(name));
  if (!u) throw new UsageError(`user ${name} does not exist`);
  return u;
}

const collect = (v: string, all: string[] = []): string[] => [...all, v];

export function userCommand(): Command {
  const cmd = new Command('user').description('Manage portal/API accounts (offline, against the store).');

  cmd.addCommand(sub('add', 'Create a local account and print its one-time password (shown once; changed at first login).')
    .argument('<username>')
    .option('--role <role>', `a role (repeatable): ${peopleRoles.join(', ')}`, collect)
    .option('--group <id>', 'a station group in scope (repeatable; none: all stations)', collect)
    .option('--display-name <name>', 'the name people see')
    .action(async (name: string, opts: Record<string, unknown>) => {
      const granted = (opts.role as string[] | undefined) ?? [];
      if (!granted.length) throw new UsageError('give at least one --role');
      const unknown = granted.filter((r) => !isRole(r));
      if (unknown.length) throw new UsageError(`unknown role ${unknown.join(', ')}: one of ${peopleRoles.join(', ')}`);
      await withDomain(opts, async ({ domain }) => {
        try {
          const { user, password } = await domain.identity.userAdmin.add(
            { username: username(name), roles: granted as Role[], stationGroups: (opts.group as string[] | undefined) ?? null, displayName: (opts.displayName as string | undefined) ?? null },
            { groups: null },
          );
          await domain.identity.audit.record({ actor: cliActor(), action: 'user.create', target: String(user.id), result: 'success', details: { username: user.username, roles: user.roles, stationGroups: user.stationGroups } });
          output(opts.json as boolean, { ...summary(user), password }, () =>
            `user ${user.username} created (${rolesOf(user).join(', ')})\none-time password: ${password}\n(shown only now; it must be changed at first login${rolesOf(user).includes('admin') ? ', then TOTP enrolled' : ''})`);
        } catch (err) {
          if (err instanceof AccountRefused) throw new UsageError(err.message);
          throw err;
        }
      });
    }));

  cmd.addCommand(sub('list', 'List accounts.')
    .addOption(new Option('--role <role>', 'only accounts with this role').choices([...roles]))
    .option('--limit <n>', 'most accounts to list', '100')
    .action(async (opts: Record<string, unknown>) => {
      const limit = limitOf(opts.limit);
      await withDomain(opts, async ({ domain }) => {
        const rows = (await domain.identity.accounts.users.list({ limit, offset: 0, role: opts.role as string | undefined })).map(summary);
        output(opts.json as boolean, rows, () => rows.length === 0 ? 'no accounts' : rows.map((u) =>
          `${u.username.padEnd(24)} ${u.source.padEnd(5)} ${u.roles.join(',').padEnd(28)} ${u.disabled ? 'disabled' : u.lockedUntil && u.lockedUntil > new Date() ? 'locked' : 'active'}${u.totpEnabled ? ' 2fa' : ''}${u.mustChangePassword ? ' must-change-password' : ''}`).join('\n'));
      });
    }));

  cmd.addCommand(sub('reset-2fa', 'Forget an account\'s TOTP secret and recovery codes (lost phone); its sessions end and it enrols again.')
    .argument('<username>')
    .action(async (name: string, opts: Record<string, unknown>) => {
      await withDomain(opts, async ({ domain }) => {
        const u = await existing(domain, name);
        await domain.identity.userAdmin.resetTwoFactor(u.id, { groups: null });
        await domain.identity.audit.record({ actor: cliActor(), action: 'user.reset-2fa', target: String(u.id), result: 'success', details: { username: u.username } });
        output(opts.json as boolean, { username: u.username, totpEnabled: false }, () => `second factor of ${u.username} reset: enrolment is asked at the next sign-in`);
      });
    }));

  cmd.addCommand(sub('unlock', 'Lift a lockout after failed sign-ins.')
    .argument('<username>')
    .action(async (name: string, opts: Record<string, unknown>) => {
      await withDomain(opts, async ({ domain }) => {
        const u = await existing(domain, name);
        await domain.identity.userAdmin.unlock(u.id);
        await domain.identity.audit.record({ actor: cliActor(), action: 'user.unlock', target: String(u.id), result: 'success', details: { username: u.username } });
        output(opts.json as boolean, { username: u.username, locked: false }, () => `${u.username} unlocked`);
      });
    }));

  return cmd;
}
