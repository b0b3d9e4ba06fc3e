import { Command, Option } from 'commander';
import { DuplicateError } from '../../store/index.js';
import { withDomain } from '../context.js';
import { identityRule, isStationIdentity } from '../../domain/stations/identity.js';
import { RotationRefused } from '../../domain/stations/password-rotation.js';
import { limitOf, output, storeCommand as sub, UsageError } from '../options.js';

function identity(id: string): string {
  if (!isStationIdentity(id)) throw new UsageError(`invalid station id ${JSON.stringify(id)}: ${identityRule}`);
  return id;
}

export function stationCommand(): Command {
  const cmd = new Command('station').description('Manage the station registry.');

  cmd.addCommand(sub('add', 'Register a station and print its unique random password (shown once).')
    .argument('<id>', 'OCPP station identity (the last path segment of its URL)')
    .addOption(new Option('--security-profile <n>', 'OCPP security profile').choices(['1', '2', '3']).default('1'))
    .option('--pending', 'register as Pending (boots are answered Pending until accepted)')
    .action(async (id: string, opts: Record<string, unknown>) => {
      await withDomain(opts, async ({ domain }) => {
        try {
          const { station, password } = await domain.stations.register(identity(id), {
            securityProfile: Number(opts.securityProfile), registrationStatus: opts.pending ? 'Pending' : 'Accepted',
          });
          output(opts.json as boolean, { id: station.id, password, securityProfile: station.securityProfile, registrationStatus: station.registrationStatus },
            () => `station ${station.id} registered\npassword: ${password}\n(store it in the station now: it is shown only once and kept only as a keyed hash)`);
        } catch (err) {
          if (err instanceof DuplicateError) throw new UsageError(`station ${id} already exists`);
          throw err;
        }
      });
    }));

  cmd.addCommand(sub('list', 'List registered stations.')
    .option('--limit <n>', 'most stations to list', '100')
    .action(async (opts: Record<string, unknown>) => {
      await withDomain(opts, async ({ repos }) => {
        const rows = await repos.stations.list({ limit: limitOf(opts.limit), offset: 0 });
        const data = rows.map(({ passwordHash: _h, pendingPasswordHash: _p, ...s }) => s);
        output(opts.json as boolean, data, () => data.length === 0 ? 'no stations' : data.map((s) =>
          `${s.id.padEnd(24)} ${s.registrationStatus.padEnd(9)} ${(s.protocol ?? '-').padEnd(10)} ${[s.vendor, s.model].filter(Boolean).join(' ') || '-'}  last seen ${s.lastSeenAt?.toISOString() ?? 'never'}`).join('\n'));
      });
    }));

  cmd.addCommand(sub('show', 'Show one station with its connectors and open transactions.')
    .argument('<id>')
    .action(async (id: string, opts: Record<string, unknown>) => {
      await withDomain(opts, async ({ repos }) => {
        const station = await repos.stations.get(identity(id));
        if (!station) throw new UsageError(`station ${id} does not exist`);
        const { passwordHash: _h, pendingPasswordHash: _p, ...s } = station;
        const connectors = await repos.connectors.listByStation(id);
        const transactions = await repos.transactions.listActive(id);
        output(opts.json as boolean, { ...s, connectors, activeTransactions: transactions }, () => [
          `${s.id}: ${s.registrationStatus}, ${s.protocol ?? 'never booted'}, security profile ${s.securityProfile}`,
          `  ${[s.vendor, s.model, s.serialNumber, s.firmwareVersion].map((v) => v ?? '-').join(' / ')}`,
          `  last boot ${s.lastBootAt?.toISOString() ?? 'never'}, last seen ${s.lastSeenAt?.toISOString() ?? 'never'}`,
          ...connectors.map((c) => `  EVSE ${c.evseId} connector ${c.connectorId}: ${c.status}${c.errorCode ? ` (${c.errorCode})` : ''} since ${c.statusAt.toISOString()}`),
          ...transactions.map((t) => `  transaction ${t.transactionRef} on EVSE ${t.evseId} since ${t.startedAt.toISOString()}`),
        ].join('\n'));
      });
    }));

  cmd.addCommand(sub('rotate-password', 'Give a station a new random Basic-auth password, sent only over TLS (profile 2/3).')
    .argument('<id>')
    .action(async (id: string, opts: Record<string, unknown>) => {
      await withDomain(opts, async ({ domain }) => {
        try {
          const r = await domain.passwordRotation.request(identity(id), 'cli');
          output(opts.json as boolean, { id, rotation: r.id, status: r.status }, () =>
            `password rotation ${r.id} for ${id}: ${r.status}\n(the running server sends it at the station's next TLS boot; old and new are both accepted until the station logs in with the new one)`);
        } catch (err) {
          if (err instanceof RotationRefused) throw new UsageError(err.message);
          throw err;
        }
      });
    }));

  cmd.addCommand(sub('remove', 'Remove a station and its history.')
    .argument('<id>')
    .action(async (id: string, opts: Record<string, unknown>) => {
      await withDomain(opts, async ({ repos }) => {
        const removed = await repos.stations.remove(identity(id));
        if (!removed) throw new UsageError(`station ${id} does not exist`);
        output(opts.json as boolean, { id, removed }, () => `station ${id} removed`);
      });
    }));

  return cmd;
}
