import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RawClient } from '../helpers/raw-client.js';

const MAIN = 'dist/src/cli/main.js';

describe('ov2x CLI', () => {
  let dataDir: string;
  const env = () => ({ ...process.env, OV2X_DATA_DIR: dataDir, OV2X_LOG_LEVEL: 'silent', DATABASE_URL: '' });
  const run = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { env: env(), encoding: 'utf8', timeout: 60_000 });
  const json = (...args: string[]) => {
    const r = run(...args, '--json');
    assert.equal(r.status, 0, `ov2x ${args.join(' ')} failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, unknown> & Array<Record<string, unknown>>;
  };

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ov2x-cli-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('every command has --help', () => {
    for (const cmd of [[], ['serve'], ['migrate'], ['station'], ['station', 'add'], ['station', 'list'], ['station', 'show'], ['station', 'remove'], ['token', 'add'], ['token', 'list'], ['token', 'block'], ['simulate']]) {
      const r = run(...cmd, '--help');
      assert.equal(r.status, 0, `${cmd.join(' ')} --help: ${r.stderr}`);
      assert.match(r.stdout, /Usage: ov2x/);
    }
    assert.match(run('serve', '--help').stdout, /--ocpp-port <value>.*OV2X_OCPP_PORT/s);
  });

  it('migrate applies the migrations once', () => {
    assert.ok((json('migrate').applied as string[]).includes('0001_core'));
    assert.deepEqual(json('migrate').applied, []);
  });

  it('station add prints a unique CSPRNG password once and stores only a keyed hash', () => {
    const a = json('station', 'add', 'CP-A');
    const b = json('station', 'add', 'CP-B', '--pending');
    assert.match(String(a.password), /^[A-Za-z0-9_-]{32}$/); // 24 random bytes
    assert.notEqual(a.password, b.password);
    assert.equal(b.registrationStatus, 'Pending');
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    for (const f of files(dataDir)) assert.ok(!readFileSync(f).includes(String(a.password)), `password found in ${f}`);
    assert.equal(statSync(join(dataDir, 'server-secret')).mode & 0o777, 0o600);
  });

  it('refuses duplicates and malformed input with exit code 2 and a reason', () => {
    const dup = run('station', 'add', 'CP-A');
    assert.equal(dup.status, 2);
    assert.match(dup.stderr, /already exists/);
    const bad = run('station', 'add', 'bad id!');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /invalid station id/);
    assert.equal(run('station', 'show', 'NOPE').status, 2);
    assert.equal(run('token', 'add', 'T', '--expires', 'soon').status, 2);
    const cfg = spawnSync(process.execPath, [MAIN, 'serve'], { env: { ...env(), OV2X_OCPP_PORT: 'abc' }, encoding: 'utf8' });
    assert.equal(cfg.status, 2);
    assert.match(cfg.stderr, /OV2X_OCPP_PORT="abc": must be an integer/);
  });

  it('station list/show never print the password hash; remove deletes', () => {
    const list = json('station', 'list');
    assert.deepEqual(list.map((s) => s.id), ['CP-A', 'CP-B']);
    assert.ok(!JSON.stringify(list).includes('hmac'));
    assert.equal(json('station', 'show', 'CP-B').registrationStatus, 'Pending');
    assert.equal(json('station', 'remove', 'CP-B').removed, true);
    assert.deepEqual(json('station', 'list').map((s) => s.id), ['CP-A']);
  });

  it('station rotate-password requests a sealed rotation for a TLS station, refuses profile 1, unknown and malformed ids with exit code 2', () => {
    json('station', 'add', 'CLI-ROT', '--security-profile', '2');
    const r = json('station', 'rotate-password', 'CLI-ROT');
    assert.equal(r.status, 'Requested', 'waits for the station\'s next TLS connection');
    json('station', 'add', 'CLI-ROT1');
    for (const [id, reason] of [['CLI-ROT1', /security profile 1/], ['NOBODY', /unknown station/], ['bad id!', /invalid station id/]] as const) {
      const bad = run('station', 'rotate-password', id);
      assert.equal(bad.status, 2, `${id}: ${bad.stderr}`);
      assert.match(bad.stderr, reason);
    }
    assert.doesNotMatch(run('station', 'show', 'CLI-ROT', '--json').stdout, /pendingPasswordHash|hmac-sha256/, 'no password hash is printed');
  });

  it('token add, list and block', () => {
    json('token', 'add', 'TAG-1', '--expires', '2030-01-01T00:00:00Z', '--group', 'FLEET');
    assert.equal(json('token', 'block', 'TAG-1').status, 'Blocked');
    const [t] = json('token', 'list');
    assert.deepEqual([t?.idToken, t?.status, t?.groupIdToken], ['TAG-1', 'Blocked', 'FLEET']);
    assert.equal(run('token', 'block', 'NOPE').status, 2);
  });

  it('serve prints the OCPP endpoint and the API, admits a station with its password, and stops cleanly on SIGTERM', async () => {
    const { password } = json('station', 'add', 'CP-S');
    const child = spawn(process.execPath, [MAIN, 'serve', '--ocpp-port', '0'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /OCPP endpoint: (ws:\/\/\S+)\/<stationId>/.exec(stderr);
        if (m && /REST API: +http:\/\/\S+\/api\/v1/.test(stderr)) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    const c = await RawClient.connect(`${url}/CP-S`, { user: 'CP-S', password: String(password) });
    assert.equal((await c.call('b', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' }))[0], 3);
    child.kill('SIGTERM');
    const [code] = await Promise.all([new Promise((r) => child.once('exit', r)), c.closed]);
    assert.equal(code, 0);
  });
});
