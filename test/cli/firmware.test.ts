// `ov2x firmware …` against a data folder: verified upload (and refusal), campaign create,
// status and abort, each with --json (one JSON document, no progress output).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { firmwareVendor } from '../helpers/firmware-signer.js';

const MAIN = 'dist/src/cli/main.js';

describe('ov2x firmware', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ov2x-cli-firmware-'));
  const files = mkdtempSync(join(tmpdir(), 'ov2x-cli-firmware-files-'));
  const f = (name: string) => join(files, name);
  const env = { ...process.env, OV2X_DATA_DIR: dataDir, OV2X_LOG_LEVEL: 'silent', DATABASE_URL: '', OV2X_FIRMWARE_TRUST_PEM: f('trust.pem') };
  const run = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  const json = (r: ReturnType<typeof run>): Record<string, unknown> => {
    assert.equal(r.stdout.trim().split('\n').length, 1, `one JSON line: ${r.stdout}`);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };

  before(async () => {
    const vendor = await firmwareVendor('Cli Vendor');
    const image = Buffer.from('cli firmware image '.repeat(500));
    writeFileSync(f('trust.pem'), vendor.caPem);
    writeFileSync(f('fw.bin'), image);
    writeFileSync(f('fw.sig'), `${vendor.sign(image)}\n`);
    writeFileSync(f('fw.pem'), vendor.certPem);
    const tampered = Buffer.from(image);
    tampered[0] = tampered[0]! ^ 1;
    writeFileSync(f('tampered.bin'), tampered);
    for (const id of ['CLI-FW-1', 'CLI-FW-2']) assert.equal(run('station', 'add', id, '--json').status, 0);
  });
  after(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(files, { recursive: true, force: true });
  });

  it('uploads a verified image and refuses a tampered one (exit 1, reason)', () => {
    const ok = run('firmware', 'upload', f('fw.bin'), '--signature', f('fw.sig'), '--certificate', f('fw.pem'), '--version', '3.1.0', '--json');
    assert.equal(ok.status, 0, ok.stderr);
    const image = json(ok);
    assert.equal(image.id, 1);
    assert.equal(image.version, '3.1.0');
    const bad = run('firmware', 'upload', f('tampered.bin'), '--signature', f('fw.sig'), '--certificate', f('fw.pem'), '--json');
    assert.equal(bad.status, 1);
    assert.equal(json(bad).reason, 'InvalidSignature');
    const human = run('firmware', 'upload', f('tampered.bin'), '--signature', f('fw.sig'), '--certificate', f('fw.pem'));
    assert.match(human.stdout, /firmware refused \(InvalidSignature\)/);
    assert.equal((JSON.parse(run('firmware', 'list', '--json').stdout) as unknown[]).length, 1);
  });

  it('creates a campaign, shows its stations and aborts it', () => {
    assert.equal(run('firmware', 'campaign', 'create', '--firmware', '1', '--stations', 'CLI-FW-1,CLI-FW-2', '--concurrency', '1').status, 2, 'a threshold is required');
    const created = run('firmware', 'campaign', 'create', '--firmware', '1', '--stations', 'CLI-FW-1,CLI-FW-2', '--concurrency', '1', '--max-failures-percent', '50', '--json');
    assert.equal(created.status, 0, created.stderr);
    const c = json(created);
    assert.equal(c.state, 'draft');
    assert.equal(c.total, 2);
    const status = json(run('firmware', 'campaign', 'status', String(c.id), '--json'));
    assert.deepEqual((status.stations as Array<{ stationId: string; state: string }>).map((s) => [s.stationId, s.state]), [['CLI-FW-1', 'pending'], ['CLI-FW-2', 'pending']]);
    // --wait on a campaign that ends at once: the final state, exit 1 because it did not complete
    const aborted = run('firmware', 'campaign', 'abort', String(c.id), '--wait', '--json');
    assert.equal(aborted.status, 1);
    assert.equal(aborted.stderr, '', 'no progress output with --json');
    assert.equal(json(aborted).state, 'aborted');
    const again = run('firmware', 'campaign', 'start', String(c.id));
    assert.equal(again.status, 2);
    assert.match(again.stderr, /the campaign is aborted: it cannot start/);
  });
});
