import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Command, Option } from 'commander';
import { isStationIdentity } from '../../domain/stations/identity.js';
import { createLogger } from '../../log/logger.js';
import {
  attackClasses, attacks, AttackUsageError, MAX_DURATION_MS, MAX_INSTANCES, plan, selectTechniques,
  type AttackClass, type AttackInstance, type AttackOptions, type StationCredential,
} from '../../sim/attack/index.js';
import { output, UsageError } from '../options.js';
import { parsePasswordFile } from './simulate.js';

function number(flag: string, raw: unknown, min: number, max: number, integer: boolean): number {
  const n = Number(raw);
  if (raw === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}, not ${JSON.stringify(raw)}`);
  }
  return n;
}

const list = (raw: unknown): string[] => String(raw).split(',').map((s) => s.trim()).filter((s) => s !== '');

/** Stations and their credentials, taken as `ov2x simulate` takes them: a password file, or ids with one password. */
function credentials(opts: Record<string, unknown>): StationCredential[] {
  if (opts.password !== undefined && opts.passwordFile !== undefined) throw new UsageError('--password and --password-file exclude each other');
  if (typeof opts.passwordFile === 'string') {
    if (opts.stations !== undefined) throw new UsageError('--stations does not apply with --password-file: the file names the stations');
    let text: string;
    try {
      text = readFileSync(opts.passwordFile, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${opts.passwordFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return [...parsePasswordFile(text, opts.passwordFile)].map(([id, password]) => ({ id, password }));
  }
  const ids = opts.stations === undefined ? [] : list(opts.stations);
  const bad = ids.find((id) => !isStationIdentity(id));
  if (bad !== undefined) throw new UsageError(`--stations: ${JSON.stringify(bad)} is not a station identity`);
  return ids.map((id) => ({ id, ...(typeof opts.password === 'string' && { password: opts.password }) }));
}

function attackOptions(opts: Record<string, unknown>): { cls: AttackClass; o: AttackOptions } {
  const cls = opts.class as AttackClass;
  const url = String(opts.url);
  if (!/^wss?:\/\/[^/]+/.test(url)) throw new UsageError(`--url must be a ws:// or wss:// address, not ${JSON.stringify(url)}`);
  const techniques = opts.technique === undefined ? undefined : list(opts.technique);
  const sources = opts.source === undefined ? undefined : list(opts.source);
  const badSource = sources?.find((s) => isIP(s) === 0);
  if (badSource !== undefined) throw new UsageError(`--source: ${JSON.stringify(badSource)} is not an IP address`);
  const o: AttackOptions = {
    url,
    count: 1,
    durationMs: number('--duration', opts.duration, 0.1, MAX_DURATION_MS / 1000, false) * 1000,
    stations: credentials(opts),
    ...(opts.idTags !== undefined && { idTags: list(opts.idTags) }),
    ...(sources && { sources }),
    ...(techniques && { techniques }),
    ...(opts.frameBytes !== undefined && { frameBytes: number('--frame-bytes', opts.frameBytes, 1024, 64 << 20, true) }),
    holdMs: number('--hold', opts.hold, 0.1, 120, false) * 1000,
    allowRemote: opts.iOwnThisTarget === true,
  };
  try {
    // default: one instance of each technique of the class
    o.count = opts.count === undefined ? selectTechniques(cls, techniques).length : number('--count', opts.count, 1, MAX_INSTANCES, true);
    plan(cls, o);
  } catch (err) {
    if (err instanceof AttackUsageError) throw new UsageError(err.message);
    throw err;
  }
  return { cls, o };
}

function human(ran: AttackInstance[]): string {
  const rows = ran.map((i) => [
    i.instance, i.detector, i.stations?.join('+') ?? i.stationId ?? '-', i.sourceIp ?? '-', String(i.sent),
    `${i.endedAt - i.startedAt} ms`, i.error ?? 'ok',
  ]);
  const head = ['instance', 'detector', 'station', 'source', 'sent', 'took', 'result'];
  const width = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
  const line = (r: string[]) => r.map((c, k) => c.padEnd(width[k]!)).join('  ').trimEnd();
  return [line(head), ...rows.map(line), `${ran.length} instance(s), started ${new Date(ran[0]?.startedAt ?? Date.now()).toISOString()}`].join('\n');
}

export function attackCommand(): Command {
  const cmd = new Command('attack')
    .description('Run one class of scripted attacks against a CSMS you own (IDS tests, issue 7): bounded in instances and time, loopback only unless --i-own-this-target. Prints the labelled instances it ran.')
    .addOption(new Option('--class <class>', 'attack class (IDS class: dos=T1, injection=T2, replay=T3, impersonation=T4, sybil=T5)').choices([...attackClasses]).makeOptionMandatory())
    .requiredOption('--url <url>', 'CSMS OCPP endpoint without the station id, e.g. ws://127.0.0.1:9000/ocpp')
    .option('--count <n>', `instances, the class's techniques taken in turn (default: one of each; at most ${MAX_INSTANCES})`)
    .option('--duration <s>', 'wall-clock bound of the whole run', '60')
    .option('--source <addresses>', 'comma-separated source addresses, one per instance in turn (loopback aliases 127.x.y.z)')
    .option('--password-file <file>', 'lines "<station id> <password>": stations the authenticated techniques use, one per instance (sybil two-station techniques: two)')
    .option('--stations <ids>', 'comma-separated station ids (with --password)')
    .option('--password <password>', 'HTTP Basic password of every station given with --stations')
    .option('--id-tags <list>', 'sybil: comma-separated tokens the CSMS accepts, one per instance in turn')
    .option('--technique <names>', 'only these techniques of the class (comma-separated)')
    .option('--frame-bytes <n>', 'dos: size of the oversized frames (default 1048576)')
    .option('--hold <s>', 'dos: longest hold of slow and half-open connections', '12')
    .option('--i-own-this-target', 'allow a target off loopback: you confirm you own it or are authorized to attack it')
    .addOption(new Option('--log-level <level>', 'log level; JSON lines on stderr').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'))
    .option('--json', 'print the labelled instances as one JSON document');
  cmd.addHelpText('after', `
Techniques:
${attackClasses.map((c) => `  ${c.padEnd(14)}${selectTechniques(c).map((t) => t.name).join(', ')}`).join('\n')}

Example: ov2x attack --class replay --url ws://127.0.0.1:9000/ocpp --password-file stations.txt --source 127.0.0.66 --json`);

  cmd.action(async (opts: Record<string, unknown>) => {
    const { cls, o } = attackOptions(opts);
    o.log = createLogger(String(opts.logLevel), process.stderr as never);
    const interrupt = new AbortController();
    const onSigint = (): void => interrupt.abort();
    process.once('SIGINT', onSigint);
    o.signal = interrupt.signal;
    let ran: AttackInstance[];
    try {
      ran = await attacks[cls](o);
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
    output(opts.json === true, { class: cls, instances: ran }, () => human(ran));
    if (ran.length === 0 || ran.every((i) => i.error !== undefined)) process.exitCode = 1;
  });
  return cmd;
}
