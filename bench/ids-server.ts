// The platform under test of `npm run bench:ids`: the real OV2X (startPlatform, IDS on, built-in
// rules) on a fresh embedded database in a temporary folder, in its own process so that the
// load and attack side does not share its event loop. The orchestrator (ids.ts) provisions it and
// reads the alerts over the IPC control channel (common.ts).
//
// Environment: BENCH_OV2X_SETTINGS (JSON object of OV2X_* settings; `{}` = shipped defaults).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform, type Platform } from '../src/app.js';
import { loadConfig, type Config } from '../src/config/config.js';
import { createLogger } from '../src/log/logger.js';
import { profileStart, profileStop, sendReady, serveControl } from './common.js';

/** What the orchestrator asks to be set up. */
export interface IdsSetup {
  stations: string[];
  tokens: string[];
  /** locations and the stations at each */
  locations: Array<{ id: string; lat: number; lon: number; stations: string[] }>;
}

/** An alert as it crosses the IPC channel (dates as ms). */
export interface WireAlert {
  id: number;
  class: string;
  rule: string;
  stationId: string | null;
  sourceIp: string | null;
  firstSeen: number;
  count: number;
}

const dataDir = mkdtempSync(join(tmpdir(), 'ov2x-bench-ids-'));
let platform: Platform | undefined;
let stopping: Promise<void> | undefined;

function stop(code = 0): Promise<void> {
  stopping ??= (async () => {
    try {
      await platform?.close();
    } catch (err) {
      console.error('bench ids server: close failed', err);
    }
    rmSync(dataDir, { recursive: true, force: true });
    setImmediate(() => process.exit(code));
  })();
  return stopping;
}

const place = { name: null, address: 'Bench 1', city: 'Bench', postalCode: '0000', state: null, country: 'NLD', timeZone: 'Europe/Amsterdam', openingTimes: null, parkingType: null, operatorName: null, ownerName: null, facilities: [], publish: true, groupId: null };

async function setup(s: IdsSetup): Promise<Record<string, string>> {
  const p = platform!;
  const passwords: Record<string, string> = {};
  for (const id of s.stations) passwords[id] = (await p.services.stations.register(id, {})).password;
  for (const idToken of s.tokens) await p.repos.tokens.upsert({ idToken, status: 'Accepted' });
  for (const l of s.locations) {
    await p.repos.locations.create(l.id, { ...place, latitude: l.lat, longitude: l.lon });
    for (const st of l.stations) await p.repos.locations.attach(st, l.id);
  }
  return passwords;
}

async function alerts(): Promise<WireAlert[]> {
  await platform!.ids?.settled();
  const out: WireAlert[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await platform!.services.idsAlerts.list({ limit: 500, offset });
    out.push(...page.map((a) => ({ id: a.id, class: a.class, rule: a.rule, stationId: a.stationId, sourceIp: a.sourceIp, firstSeen: a.firstSeen.getTime(), count: a.count })));
    if (page.length < 500) return out;
  }
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.BENCH_OV2X_SETTINGS || '{}') as Record<string, string>;
  const config: Config = { ...loadConfig({}, settings), dataDir, host: '127.0.0.1', ocppPort: 0, logLevel: 'error' };
  platform = await startPlatform(config, createLogger(config.logLevel));
  const p = platform;
  serveControl({
    setup: (args) => setup(args as unknown as IdsSetup),
    alerts,
    // a reboot the CSMS asks for, and a connection lost, for the benign traffic
    reset: async (args) => (await p.bus.send(String(args.stationId), { kind: 'reset', mode: 'soft' }).catch((err: unknown) => ({ error: (err as Error).message }))) ?? null,
    disconnect: (args) => p.ocpp.disconnect(String(args.stationId), 'bench: connection lost'),
    rules: () => p.ids?.rules.filter((r) => r.enabled).map((r) => ({ id: r.id, class: r.class, detector: r.detector })) ?? [],
    'profile-start': profileStart,
    'profile-stop': profileStop,
    stop: () => stop(),
  }, () => void stop());
  sendReady({ ocppUrl: p.ocppUrl, pid: process.pid, maxFrameBytes: config.maxFrameBytes });
}

main().catch(async (err: unknown) => {
  console.error('bench ids server failed:', err);
  await stop(1);
});
