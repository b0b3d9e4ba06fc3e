import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { CampaignStateError, type CampaignVerb, type CampaignView } from '../../domain/firmware/campaign-service.js';
import { FirmwareRefused } from '../../domain/firmware/image-service.js';
import type { DomainServices } from '../../domain/services.js';
import type { FirmwareCampaignStation } from '../../store/index.js';
import { withDomain } from '../context.js';
import { cliActor } from './user.js';
import { output, storeCommand, UsageError, withSettings } from '../options.js';
import { basename } from 'node:path';

const audit = (domain: DomainServices, action: string, target: string, result: 'success' | 'failure', details?: Record<string, unknown>): Promise<void> =>
  domain.identity.audit.record({ actor: cliActor(), action, target, result, details });

const ID = /^[0-9]{1,15}$/;
const finalStates = new Set(['completed', 'aborted', 'halted']);
const sub = (name: string, description: string): Command => withSettings(storeCommand(name, description), ['firmwareTrustPem']);
const idOf = (v: string, what: string): number => {
  if (!ID.test(v)) throw new UsageError(`${what} must be a number`);
  return Number(v);
};
const intOf = (v: unknown, what: string, min: number, max: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${what} must be an integer between ${min} and ${max}`);
  return n;
};
const dateOf = (v: unknown, what: string): Date | undefined => {
  if (v === undefined) return undefined;
  const d = new Date(String(v));
  if (Number.isNaN(d.getTime())) throw new UsageError(`${what} must be an ISO 8601 date-time`);
  return d;
};

const summary = (c: CampaignView): string =>
  `campaign ${c.id} "${c.name}": ${c.state}; ${c.counts.succeeded} installed, ${c.counts.failed} failed, ${c.counts.active} updating, ${c.counts.pending} waiting, ${c.counts.skipped} skipped of ${c.total}${c.haltReason ? ` (${c.haltReason})` : ''}`;
const progressLine = (c: CampaignView): string => {
  const done = c.counts.succeeded + c.counts.failed + c.counts.skipped;
  const width = 30;
  const filled = c.total ? Math.round((done / c.total) * width) : width;
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${c.total} ${c.state}: ${c.counts.succeeded} ok, ${c.counts.failed} failed, ${c.counts.active} updating  `;
};
const stationLines = (stations: readonly FirmwareCampaignStation[]): string =>
  stations.map((s) => `  ${s.stationId.padEnd(24)} ${s.state.padEnd(10)} ${s.status ?? '-'}`).join('\n');

/**
 * Follows a campaign the server's scheduler advances until it ends: a progress bar on a
 * terminal (stderr), nothing in between otherwise. This process never sends to stations itself:
 * they are connected to the server, not to the CLI.
 */
async function watch(domain: DomainServices, id: number, intervalMs: number, json: boolean): Promise<CampaignView & { stations: FirmwareCampaignStation[] }> {
  const tty = !json && process.stderr.isTTY === true;
  for (;;) {
    const c = await domain.firmwareCampaigns.get(id);
    if (!c) throw new UsageError(`campaign ${id} does not exist`);
    if (tty) process.stderr.write(progressLine(c));
    if (finalStates.has(c.state)) {
      if (tty) process.stderr.write('\n');
      return c;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function firmwareCommand(): Command {
  const cmd = new Command('firmware').description('Signed firmware images and campaigns (rollouts to many stations).');

  cmd.addCommand(sub('upload', 'Upload a vendor-signed firmware image; stored only when its signature and certificate verify (OV2X_FIRMWARE_TRUST_PEM).')
    .argument('<file>', 'the firmware image')
    .requiredOption('--signature <file>', 'file holding the base64 signature (RSA/ECDSA with SHA-256 over the image)')
    .requiredOption('--certificate <file>', 'PEM signing certificate, leaf first')
    .option('--name <name>', 'display name (default: the file name)')
    .option('--version <version>', 'firmware version')
    .action(async (file: string, opts: Record<string, unknown>) => {
      const [data, signature, signingCertificate] = await Promise.all([
        readFile(file), readFile(String(opts.signature), 'utf8'), readFile(String(opts.certificate), 'utf8'),
      ]).catch((err: unknown) => { throw new UsageError(`cannot read input: ${err instanceof Error ? err.message : String(err)}`); });
      await withDomain(opts, async ({ domain }) => {
        try {
          const image = await domain.firmwareImages.upload({
            name: String(opts.name ?? basename(file)), version: opts.version as string | undefined, data, signature: signature.trim(),
            signingCertificate, actor: cliActor().anonymous, actorRole: 'cli',
          });
          await audit(domain, 'firmware.upload', String(image.id), 'success', { name: image.name, sha256: image.sha256 });
          const view = { id: image.id, name: image.name, version: image.version, size: Number(image.size), sha256: image.sha256 };
          output(opts.json as boolean, view, () => `firmware image ${image.id} stored (${view.size} bytes, sha256 ${image.sha256}); signature verified`);
        } catch (err) {
          if (!(err instanceof FirmwareRefused)) throw err;
          await audit(domain, 'firmware.upload', String(opts.name ?? basename(file)), 'failure', { reason: err.reason });
          output(opts.json as boolean, { refused: true, reason: err.reason, message: err.message }, () => `ov2x: firmware refused (${err.reason}): ${err.message}`);
          process.exitCode = 1;
        }
      });
    }));

  cmd.addCommand(sub('list', 'Registered firmware images, newest first.')
    .action(async (opts: Record<string, unknown>) => {
      await withDomain(opts, async ({ domain }) => {
        const items = (await domain.firmwareImages.list()).map((i) => ({ id: i.id, name: i.name, version: i.version, size: Number(i.size), sha256: i.sha256, signed: i.signature !== null }));
        output(opts.json as boolean, items, () => items.map((i) => `${String(i.id).padStart(5)}  ${i.name} ${i.version ?? ''} ${i.size} B ${i.signed ? 'signed' : 'UNSIGNED'}`).join('\n') || 'no firmware images');
      });
    }));

  const campaign = new Command('campaign').description('Firmware campaigns: create, steer, follow. The running server\'s scheduler does the rollout.');
  campaign.addCommand(sub('create', 'Create a campaign (draft) for a signed image and a station group or list.')
    .requiredOption('--firmware <id>', 'firmware image id')
    .option('--group <id>', 'station group to update')
    .option('--stations <ids>', 'comma-separated station ids')
    .requiredOption('--concurrency <n>', 'most stations updating at once')
    .option('--max-failures <n>', 'halt when more stations than this fail')
    .option('--max-failures-percent <p>', 'halt when more than this share of the stations fail')
    .option('--window-start <iso>', 'start no station before this time')
    .option('--window-end <iso>', 'start no station after this time')
    .option('--station-timeout <s>', 'silence after which a station counts as failed')
    .option('--name <name>', 'campaign name')
    .action(async (opts: Record<string, unknown>) => {
      if ((opts.group === undefined) === (opts.stations === undefined)) throw new UsageError('give either --group or --stations');
      if ((opts.maxFailures === undefined) === (opts.maxFailuresPercent === undefined)) throw new UsageError('give either --max-failures or --max-failures-percent');
      const firmwareId = idOf(String(opts.firmware), '--firmware');
      const threshold = opts.maxFailures !== undefined
        ? { failureThreshold: intOf(opts.maxFailures, '--max-failures', 0, 100000), thresholdKind: 'count' as const }
        : { failureThreshold: intOf(opts.maxFailuresPercent, '--max-failures-percent', 0, 100), thresholdKind: 'percent' as const };
      const concurrency = intOf(opts.concurrency, '--concurrency', 1, 1000);
      const stationTimeoutS = opts.stationTimeout === undefined ? undefined : intOf(opts.stationTimeout, '--station-timeout', 10, 604800);
      await withDomain(opts, async ({ domain }) => {
        const image = await domain.firmwareImages.get(firmwareId);
        if (!image) throw new UsageError(`firmware image ${firmwareId} does not exist`);
        if (image.signature === null) throw new UsageError(`firmware image ${firmwareId} carries no verified signature; upload it with "ov2x firmware upload"`);
        let stationIds: string[];
        if (opts.group !== undefined) {
          const group = String(opts.group);
          if (!(await domain.identity.stationGroups.get(group))) throw new UsageError(`station group ${group} does not exist`);
          stationIds = [];
          for (let offset = 0; ; offset += 1000) {
            const { items } = await domain.stations.search({ limit: 1000, offset, groups: null, groupId: group, decommissioned: false });
            stationIds.push(...items.map((s) => s.id));
            if (items.length < 1000) break;
          }
        } else {
          stationIds = String(opts.stations).split(',').map((s) => s.trim()).filter(Boolean);
          for (const id of stationIds) if (!(await domain.stations.get(id))) throw new UsageError(`station ${id} does not exist`);
        }
        try {
          const c = await domain.firmwareCampaigns.create({
            name: String(opts.name ?? `firmware ${firmwareId}`), firmwareId, groupId: opts.group as string | undefined, concurrency, ...threshold, stationIds,
            windowStart: dateOf(opts.windowStart, '--window-start'), windowEnd: dateOf(opts.windowEnd, '--window-end'), stationTimeoutS, createdBy: cliActor().anonymous,
          });
          await audit(domain, 'firmware.campaign.create', String(c.id), 'success', { firmwareId, stations: c.total });
          output(opts.json as boolean, c, () => summary(c));
        } catch (err) {
          if (err instanceof RangeError) throw new UsageError(err.message);
          throw err;
        }
      });
    }));

  for (const verb of ['start', 'pause', 'resume', 'abort'] as const satisfies readonly CampaignVerb[]) {
    campaign.addCommand(sub(verb, `${verb[0]!.toUpperCase()}${verb.slice(1)} a campaign.`)
      .argument('<id>')
      .option('--wait', 'follow the campaign until it ends (progress on a terminal); exit 1 unless it completed without failures', false)
      .option('--interval <ms>', 'how often --wait looks', '1000')
      .action(async (id: string, opts: Record<string, unknown>) => {
        const campaignId = idOf(id, 'campaign id');
        const interval = intOf(opts.interval, '--interval', 100, 600000);
        await withDomain(opts, async ({ domain }) => {
          let c: CampaignView | undefined;
          try {
            c = await domain.firmwareCampaigns.act(campaignId, verb);
          } catch (err) {
            if (err instanceof CampaignStateError) throw new UsageError(err.message);
            throw err;
          }
          if (!c) throw new UsageError(`campaign ${campaignId} does not exist`);
          await audit(domain, `firmware.campaign.${verb}`, String(campaignId), 'success');
          if (opts.wait === true && verb !== 'pause') {
            const end = await watch(domain, campaignId, interval, opts.json === true);
            output(opts.json as boolean, end, () => `${summary(end)}\n${stationLines(end.stations)}`);
            if (end.state !== 'completed' || end.counts.failed > 0) process.exitCode = 1;
            return;
          }
          const shown = c;
          output(opts.json as boolean, shown, () => summary(shown));
        });
      }));
  }

  campaign.addCommand(sub('status', 'A campaign with every station\'s status; --watch follows it until it ends.')
    .argument('[id]', 'campaign id (default: list the campaigns)')
    .option('--watch', 'follow until the campaign ends (progress on a terminal)', false)
    .option('--interval <ms>', 'how often --watch looks', '1000')
    .action(async (id: string | undefined, opts: Record<string, unknown>) => {
      const interval = intOf(opts.interval, '--interval', 100, 600000);
      await withDomain(opts, async ({ domain }) => {
        if (id === undefined) {
          const all = await domain.firmwareCampaigns.list(null);
          output(opts.json as boolean, all, () => all.map(summary).join('\n') || 'no campaigns');
          return;
        }
        const campaignId = idOf(id, 'campaign id');
        const c = opts.watch === true ? await watch(domain, campaignId, interval, opts.json === true) : await domain.firmwareCampaigns.get(campaignId);
        if (!c) throw new UsageError(`campaign ${campaignId} does not exist`);
        output(opts.json as boolean, c, () => `${summary(c)}\n${stationLines(c.stations)}`);
      });
    }));
  cmd.addCommand(campaign);
  return cmd;
}
