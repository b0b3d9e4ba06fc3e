import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform, type Platform } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { notePersonalData, runLogger } from './run-log.js';

export interface TestPlatform extends Platform {
  /** registers a station and returns its password */
  addStation(id: string, opts?: { registrationStatus?: 'Accepted' | 'Pending' | 'Rejected' }): Promise<string>;
  stop(): Promise<void>;
}

/** A real platform on an ephemeral loopback port with its own embedded database. */
export async function startTestPlatform(overrides: Partial<Config> = {}): Promise<TestPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ov2x-test-'));
  const config: Config = { ...loadConfig({}, {}), dataDir, host: '127.0.0.1', ocppPort: 0, logLevel: 'debug', ...overrides };
  // the whole run's log is scanned for the personal data the tests seed (scripts/test.sh)
  const platform = await startPlatform(config, runLogger());
  notePersonalData(platform);
  return Object.assign(platform, {
    async addStation(id: string, opts: { registrationStatus?: 'Accepted' | 'Pending' | 'Rejected' } = {}) {
      return (await platform.services.stations.register(id, opts)).password;
    },
    async stop() {
      await platform.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}
