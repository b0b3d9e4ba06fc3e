import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const MAIN = 'dist/src/cli/main.js';

describe('ov2x pki iso15118-init', () => {
  let dataDir: string;
  const run = (...args: string[]) => spawnSync(process.execPath, [MAIN, 'pki', 'iso15118-init', ...args], {
    env: { ...process.env, OV2X_DATA_DIR: dataDir, OV2X_LOG_LEVEL: 'silent', DATABASE_URL: '' }, encoding: 'utf8', timeout: 60_000,
  });

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ov2x-cli-pki-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates the test PKI once, prints its roots and never a private key', () => {
    const first = run('--json');
    assert.equal(first.status, 0, first.stderr);
    const made = JSON.parse(first.stdout) as { created: boolean; v2gRoot: string; moRoot: string };
    assert.equal(made.created, true);
    assert.match(made.v2gRoot, /^-----BEGIN CERTIFICATE-----/);
    const again = run();
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^already present:\n {2}V2G root: CN=V2G Root CA, O=OV2X ISO 15118 test PKI/);
    assert.ok(again.stdout.includes(made.moRoot), 'the same roots after a restart');
    for (const out of [first.stdout, first.stderr, again.stdout, again.stderr]) assert.doesNotMatch(out, /PRIVATE KEY|v1:/);
  });
});
