import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { wireServices } from '../../src/app.js';
import { silentLogger } from '../../src/log/logger.js';
import { migrateToLatest, openStore } from '../../src/store/index.js';
import { csrFor } from '../helpers/test-signer.js';

const MAIN = 'dist/src/cli/main.js';

describe('ov2x pki CLI', () => {
  let dataDir: string;
  const env = () => ({ ...process.env, OV2X_DATA_DIR: dataDir, OV2X_LOG_LEVEL: 'silent', DATABASE_URL: '' });
  const run = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { env: env(), encoding: 'utf8', timeout: 60_000 });
  const json = (...args: string[]) => {
    const r = run(...args, '--json');
    assert.equal(r.status, 0, `ov2x ${args.join(' ')} failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, unknown> & Array<Record<string, unknown>>;
  };

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ov2x-cli-pki-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('every pki command has --help', () => {
    for (const cmd of ['init', 'import', 'status', 'list', 'revoke']) {
      const r = run('pki', cmd, '--help');
      assert.equal(r.status, 0, `pki ${cmd} --help: ${r.stderr}`);
      assert.match(r.stdout, /Usage: ov2x pki/);
    }
  });

  it('status before init says so; init creates a P-384 root and sub-CA once', () => {
    assert.deepEqual(json('pki', 'status'), []);
    assert.match(run('pki', 'status').stdout, /no CPO CA is set up/);
    assert.equal(run('pki', 'init', '--algorithm', 'rsa-1024').status, 2);
    const cas = json('pki', 'init', '--algorithm', 'ec-p384', '--organization', 'ACME CPO');
    assert.deepEqual(cas.map((c) => [c.role, c.subject, c.hasKey]), [['root', 'CN=ACME CPO CPO Root CA, O=ACME CPO', true], ['issuing', 'CN=ACME CPO CPO Sub-CA, O=ACME CPO', true]]);
    const again = run('pki', 'init');
    assert.equal(again.status, 2);
    assert.match(again.stderr, /already exists/);
    assert.match(run('pki', 'status').stdout, /issuing {2}CN=ACME CPO CPO Sub-CA/);
    const out = run('pki', 'status', '--json').stdout + run('pki', 'init').stderr;
    assert.ok(!out.includes('PRIVATE KEY') && !out.includes('v1.'));
  });

  it('list shows issued certificates without their PEM; revoke marks one revoked; bad input exits 2', async () => {
    // a certificate issued by the CA the CLI created, through the same services `serve` uses
    const config = { ...loadConfig({}, {}), dataDir, logLevel: 'silent' as const, pgliteWorker: false };
    const store = await openStore({ dataDir, pgliteWorker: false });
    try {
      await migrateToLatest(store.db);
      const wired = wireServices(store, config, silentLogger);
      try {
        await wired.domain.stations.register('CLI1');
        await wired.domain.pki.refresh();
        await wired.domain.pki.sign({ stationId: 'CLI1', certificateType: 'ChargingStationCertificate', csrPem: await csrFor('CN=CLI1, O=ACME CPO') });
      } finally {
        await wired.close();
      }
    } finally {
      await store.close();
    }
    const [c] = json('pki', 'list', '--station', 'CLI1');
    assert.deepEqual([c?.stationId, c?.certificateType, c?.pem], ['CLI1', 'ChargingStationCertificate', undefined]);
    assert.match(run('pki', 'list').stdout, new RegExp(`${String(c?.serialNumber)} CLI1 ChargingStationCertificate`));
    const r = json('pki', 'revoke', String(c?.serialNumber), '--reason', 'keyCompromise');
    assert.deepEqual([r.revocationReason, typeof r.revokedAt], ['keyCompromise', 'string']);
    assert.match(run('pki', 'list').stdout, /REVOKED .* \(keyCompromise\)/);
    const unknown = run('pki', 'revoke', 'abcdef');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /no certificate with serial number abcdef/);
    assert.equal(run('pki', 'revoke', 'abc', '--reason', 'whim').status, 2);
    assert.equal(run('pki', 'import', '--chain', join(dataDir, 'missing.pem'), '--key', join(dataDir, 'missing.key')).status, 2);
  });

  it('no file in the data folder holds a CA private key in clear', () => {
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    for (const f of files(dataDir)) assert.ok(!readFileSync(f).includes('PRIVATE KEY'), `a PEM private key in ${f}`);
  });
});
