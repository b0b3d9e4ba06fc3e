import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const MAIN = 'dist/src/cli/main.js';

describe('ov2x serve (first start) and ov2x user', () => {
  let dataDir: string;
  const env = (extra: Record<string, string> = {}) => ({ ...process.env, OV2X_DATA_DIR: dataDir, OV2X_LOG_LEVEL: 'silent', DATABASE_URL: '', ...extra });
  const run = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { env: env(), encoding: 'utf8', timeout: 60_000 });
  const json = (...args: string[]) => {
    const r = run(...args, '--json');
    assert.equal(r.status, 0, `ov2x ${args.join(' ')} failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, unknown> & Array<Record<string, unknown>>;
  };

  /** Runs `ov2x serve` until it is up, logging at info level; answers everything it printed and stops it. */
  async function serveOnce(onUp: (apiUrl: string | undefined, stdout: string) => Promise<void>): Promise<{ stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [MAIN, 'serve', '--ocpp-port', '0'], { env: env({ OV2X_LOG_LEVEL: 'info' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('OV2X is running')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    // the banner is written before the running notice; give stdout a moment to drain through the pipe
    await new Promise((r) => setTimeout(r, 200));
    await onUp(/portal\/API: (\S+)/.exec(stdout)?.[1], stdout);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    return { stdout, stderr };
  }

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ov2x-user-cli-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('every user command has --help', () => {
    for (const cmd of [['user'], ['user', 'add'], ['user', 'list'], ['user', 'reset-2fa'], ['user', 'unlock']]) {
      const r = run(...cmd, '--help');
      assert.equal(r.status, 0, `${cmd.join(' ')} --help: ${r.stderr}`);
      assert.match(r.stdout, /Usage: ov2x user/);
    }
  });

  it('the first start prints the admin\'s one-time password once, on stdout, outside the log; it signs in', async () => {
    let password = '';
    const first = await serveOnce(async (apiUrl, stdout) => {
      assert.ok(apiUrl, 'the banner names the API URL');
      password = /password: +(\S+)/.exec(stdout)?.[1] ?? '';
      assert.ok(password.length >= 20, 'a one-time password of at least 20 characters');
      const res = await fetch(`${apiUrl}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
      assert.equal(res.status, 200);
      assert.deepEqual(((await res.json()) as { me: { pending: string[] } }).me.pending, ['change-password', 'enrol-totp']);
    });
    const all = first.stdout + first.stderr;
    assert.equal(all.split(password).length - 1, 1, 'printed exactly once');
    const line = first.stdout.split('\n').find((l) => l.includes(password))!;
    assert.ok(!line.trimStart().startsWith('{'), 'not a log record');

    const second = await serveOnce(async () => undefined);
    assert.doesNotMatch(second.stdout + second.stderr, /one-time password|first start/i, 'accounts exist: no new admin, no banner');
  });
  it('user add prints a one-time password once; list, unlock and reset-2fa work offline; bad input exits 2 with a reason', () => {
    const added = json('user', 'add', 'Dora', '--role', 'admin', '--role', 'support_l1', '--display-name', 'Dora D');
    assert.equal(added.username, 'dora');
    assert.deepEqual(added.roles, ['admin', 'support_l1']);
    assert.equal(added.mustChangePassword, true);
    assert.match(String(added.password), /^[A-Za-z0-9_-]{24}$/);
    assert.ok(!('passwordHash' in added));

    const list = json('user', 'list');
    assert.deepEqual(list.map((u) => u.username).sort(), ['admin', 'dora']);
    assert.ok(list.every((u) => !('passwordHash' in u) && !('totpSecret' in u)));
    assert.deepEqual(json('user', 'list', '--role', 'support_l1').map((u) => u.username), ['dora']);
    assert.match(run('user', 'list').stdout, /dora\s+local\s+admin,support_l1\s+active must-change-password/);

    assert.deepEqual(json('user', 'unlock', 'DORA'), { username: 'dora', locked: false });
    assert.deepEqual(json('user', 'reset-2fa', 'dora'), { username: 'dora', totpEnabled: false });

    const refusals: Array<[string[], RegExp]> = [
      [['user', 'add', 'dora', '--role', 'support_l1'], /exists/],
      [['user', 'add', 'eve'], /at least one --role/],
      [['user', 'add', 'eve', '--role', 'wizard'], /unknown role wizard/],
      [['user', 'add', 'eve', '--role', 'dso'], /for API clients/],
      [['user', 'add', 'eve', '--role', 'support_l1', '--group', 'nowhere'], /station group nowhere does not exist/],
      [['user', 'add', 'bad name', '--role', 'support_l1'], /invalid username/],
      [['user', 'unlock', 'nobody'], /does not exist/],
      [['user', 'reset-2fa', 'nobody'], /does not exist/],
    ];
    for (const [args, reason] of refusals) {
      const r = run(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, reason);
    }
  });
});
