import { readFileSync } from 'node:fs';
import { isStationIdentity } from '../../domain/stations/identity.js';
import { Command, Option } from 'commander';
import { createLogger } from '../../log/logger.js';
import { runFleet, type FleetOptions, type FleetStats } from '../../sim/fleet.js';
import type { SimProtocol } from '../../sim/types.js';
import { output, UsageError } from '../options.js';
import { progress } from '../progress.js';
import { x509 } from '../../domain/certificates/x509.js';

// the identities the CSMS's station registry accepts

function number(flag: string, raw: unknown, min: number, max: number, integer: boolean): number {
  const n = Number(raw);
  if (raw === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}, not ${JSON.stringify(raw)}`);
  }
  return n;
}

/** "id password" lines; blank lines and # comments skipped; the password is the rest of the line. */
export function parsePasswordFile(text: string, file: string): Map<string, string> {
  const out = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(\S+)\s+(.+)$/.exec(line);
    if (!m || !isStationIdentity(m[1]!)) throw new UsageError(`${file}:${i + 1}: expected "<station id> <password>"`);
    if (out.has(m[1]!)) throw new UsageError(`${file}:${i + 1}: station ${m[1]} listed twice`);
    out.set(m[1]!, m[2]!);
  });
  if (out.size === 0) throw new UsageError(`${file} lists no stations`);
  return out;
}

function readPem(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** --ca for wss://; --cert/--key for mutual TLS, where the certificate's CN is the one station's identity. */
function tlsOptions(fleet: FleetOptions, opts: Record<string, unknown>): void {
  const { ca, cert, key } = opts as { ca?: string; cert?: string; key?: string };
  if (ca === undefined && cert === undefined && key === undefined) return;
  if (!fleet.url.startsWith('wss://')) throw new UsageError('--ca, --cert and --key need a wss:// --url');
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together');
  fleet.tls = { ...(ca !== undefined && { ca: readPem('--ca', ca) }) };
  if (cert === undefined || key === undefined) return;
  fleet.tls.cert = readPem('--cert', cert);
  fleet.tls.key = readPem('--key', key);
  let cn: string | undefined;
  try {
    cn = new x509.X509Certificate(fleet.tls.cert).subjectName.getField('CN')[0];
  } catch {
    throw new UsageError(`--cert: ${cert} is not a PEM certificate`);
  }
  if (cn === undefined || !isStationIdentity(cn)) throw new UsageError(`--cert: the certificate's CN is not a station identity`);
  if (fleet.stations !== 1 || fleet.identities) throw new UsageError('--cert identifies one station: use it with --stations 1 and without --password-file');
  fleet.identities = [cn];
}

function fleetOptions(cmd: Command, opts: Record<string, unknown>): FleetOptions {
  const url = String(opts.url);
  if (!/^wss?:\/\/[^/]+/.test(url)) throw new UsageError(`--url must be a ws:// or wss:// address, not ${JSON.stringify(url)}`);
  if (opts.password !== undefined && opts.passwordFile !== undefined) throw new UsageError('--password and --password-file exclude each other');
  const explicit = (name: string): boolean => cmd.getOptionValueSource(name) === 'cli';
  const fleet: FleetOptions = {
    url,
    protocol: opts.protocol as SimProtocol,
    stations: number('--stations', opts.stations, 1, 100_000, true),
    sessions: number('--sessions', opts.sessions, 0, 10_000, true),
    sessionDurationMs: number('--session-duration', opts.sessionDuration, 0.01, 86_400, false) * 1000,
    meterIntervalMs: number('--meter-interval', opts.meterInterval, 0, 3600, false) * 1000,
    rampPerSecond: number('--ramp', opts.ramp, 0.1, 10_000, false),
    connectors: number('--connectors', opts.connectors, 1, 100, true),
  };
  if (opts.duration !== undefined) fleet.durationMs = number('--duration', opts.duration, 0.1, 7 * 86_400, false) * 1000;
  if (typeof opts.password === 'string') fleet.password = opts.password;
  if (typeof opts.idTags === 'string') {
    const tags = opts.idTags.split(',').map((t) => t.trim());
    const max = fleet.protocol === '1.6' ? 20 : 36; // idTag / idToken length of each version
    const bad = tags.find((t) => t.length < 1 || t.length > max || !/^[\x21-\x7e]+$/.test(t));
    if (bad !== undefined) throw new UsageError(`--id-tags: ${JSON.stringify(bad)} is not a token of 1–${max} printable characters`);
    fleet.idTags = tags;
  }
  if (typeof opts.passwordFile === 'string') {
    if (explicit('prefix')) throw new UsageError('--prefix does not apply with --password-file: the file names the stations');
    let text: string;
    try {
      text = readFileSync(opts.passwordFile, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${opts.passwordFile}: ${(err as Error).message}`);
    }
    const passwords = parsePasswordFile(text, opts.passwordFile);
    if (!explicit('stations')) fleet.stations = passwords.size;
    if (fleet.stations > passwords.size) throw new UsageError(`--stations ${fleet.stations} but ${opts.passwordFile} lists only ${passwords.size}`);
    fleet.identities = [...passwords.keys()];
    fleet.passwordFor = (id) => passwords.get(id);
  } else {
    const prefix = String(opts.prefix);
    if (!isStationIdentity(`${prefix}00000`) || prefix.length > 43) throw new UsageError(`--prefix ${JSON.stringify(prefix)}: up to 43 characters of A–Z a–z 0–9 * - _ = : + | @ .`);
    fleet.prefix = prefix;
  }
  tlsOptions(fleet, opts);
  return fleet;
}

function human(s: FleetStats, requested: number): string {
  const failures = Object.entries(s.connectFailures).map(([k, n]) => `${n}× ${k}`).join(', ');
  return [
    `stations: ${s.launched}/${requested} started, ${s.connected} connected, ${s.booted} booted, ${s.failedConnects} failed to connect${failures ? ` (${failures})` : ''}`,
    `sessions completed: ${s.sessionsCompleted}, refused: ${s.sessionsRefused}`,
    `calls: ${s.calls}, failed: ${s.errors}; latency p50 ≤${s.latencyMs.p50} ms, p95 ≤${s.latencyMs.p95} ms, p99 ≤${s.latencyMs.p99} ms, max ${s.latencyMs.max} ms`,
    `elapsed: ${(s.elapsedMs / 1000).toFixed(1)} s`,
  ].join('\n');
}

const progressLine = (s: FleetStats): string =>
  `${s.connected} connected, ${s.booted} booted, ${s.failedConnects} failed, ${s.sessionsCompleted} sessions, ${s.calls} calls, ${s.errors} errors  `;

export function simulateCommand(): Command {
  const cmd = new Command('simulate')
    .description('Run simulated OCPP charging stations against a CSMS (load and end-to-end tests). Exit code 1 when a station failed to connect or boot, a call failed or a session was refused.')
    .requiredOption('--url <url>', 'CSMS OCPP endpoint without the station id, e.g. ws://127.0.0.1:9000/ocpp')
    .option('--stations <n>', 'number of stations (with --password-file: every station it lists)', '1')
    .addOption(new Option('--protocol <version>', 'OCPP version').choices(['1.6', '2.0.1']).default('1.6'))
    .option('--password <password>', 'HTTP Basic password of every station')
    .option('--ca <file>', 'wss://: PEM root(s) the CSMS certificate must chain to (default: the system\'s)')
    .option('--cert <file>', 'mutual TLS (security profile 3): PEM client certificate; its CN is the station id (one station)')
    .option('--key <file>', 'the client certificate\'s PEM private key')
    .option('--password-file <file>', 'lines "<station id> <password>": the stations to run and their passwords')
    .option('--prefix <prefix>', 'station ids are <prefix>00001, <prefix>00002, …', 'SIM')
    .option('--duration <s>', 'run this long (stations stay connected after their sessions); default: until every session is done')
    .option('--sessions <n>', 'charging sessions per station, one after another', '1')
    .option('--session-duration <s>', 'length of one charging session', '30')
    .option('--id-tags <list>', 'comma-separated tokens the sessions use, round-robin (default: a random tag per session, which a CSMS that checks tokens refuses)')
    .option('--meter-interval <s>', 'meter values interval during a session (0 = none)', '10')
    .option('--ramp <n>', 'stations connecting per second', '50')
    .option('--connectors <n>', 'connectors (1.6) or EVSEs (2.0.1) per station', '2')
    .addOption(new Option('--log-level <level>', 'simulator log level; JSON lines on stderr')
      .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'))
    .option('--json', 'print one JSON summary instead of text');

  cmd.action(async (opts: Record<string, unknown>) => {
    const fleet = fleetOptions(cmd, opts);
    const json = opts.json === true;
    const shown = progress(json);
    fleet.log = createLogger(String(opts.logLevel), process.stderr as never);
    if (shown.enabled) fleet.onProgress = (s) => shown.update(progressLine(s));
    // Ctrl-C ends the run properly: sessions stopped, sockets closed, summary printed
    const interrupt = new AbortController();
    const onSigint = (): void => interrupt.abort();
    process.once('SIGINT', onSigint);
    fleet.signal = interrupt.signal;
    let stats: FleetStats;
    try {
      stats = await runFleet(fleet);
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
    shown.done();
    output(json, stats, () => human(stats, fleet.stations));
    if (stats.failedConnects > 0 || stats.booted < stats.launched || stats.errors > 0 || stats.sessionsRefused > 0) process.exitCode = 1;
  });
  return cmd;
}
