import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { AttackInstance } from '../../src/sim/attack/index.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const MAIN = 'dist/src/cli/main.js';
const run = promisify(execFile);

/** Runs the built CLI in a child process (the platform under attack runs in this one, so never spawnSync). */
async function ov2x(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('ov2x attack', () => {
  let p: TestPlatform;
  let dir: string;
  let file: string;
  const passwords: string[] = [];
  before(async () => {
    p = await startTestPlatform();
    dir = mkdtempSync(join(tmpdir(), 'ov2x-attack-'));
    file = join(dir, 'stations.txt');
    const lines = [];
    for (const id of ['CLI-ATK-1', 'CLI-ATK-2']) {
      passwords.push(await p.addStation(id));
      lines.push(`${id} ${passwords.at(-1)}`);
    }
    writeFileSync(file, `# stations the attack may use\n${lines.join('\n')}\n`);
  });
  after(async () => {
    await p.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the chosen techniques, prints the labelled instances as JSON, and the IDS raises alerts of the class naming them', async () => {
    const r = await ov2x('attack', '--class', 'replay', '--technique', 'repeated-message-id,repeated-reading', '--url', p.ocppUrl,
      '--password-file', file, '--source', '127.0.0.77', '--duration', '20', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { class: string; instances: AttackInstance[] };
    assert.equal(out.class, 'replay');
    assert.deepEqual(out.instances.map((i) => [i.instance, i.stationId, i.sourceIp, i.error]), [
      ['replay/repeated-message-id#1', 'CLI-ATK-1', '127.0.0.77', undefined],
      ['replay/repeated-reading#2', 'CLI-ATK-2', '127.0.0.77', undefined],
    ]);
    await p.ids!.settled();
    const alerts = await p.services.idsAlerts.list({ limit: 100, offset: 0 });
    assert.deepEqual(alerts.filter((a) => a.class === 'T3').map((a) => [a.rule, a.stationId, a.sourceIp]).sort(), [
      ['T3-repeated-message-id', 'CLI-ATK-1', '127.0.0.77'],
      ['T3-repeated-reading', 'CLI-ATK-2', '127.0.0.77'],
    ]);
    for (const pw of passwords) assert.ok(!r.stdout.includes(pw) && !r.stderr.includes(pw), 'no password printed');
  });

  it('prints a table without --json', async () => {
    const r = await ov2x('attack', '--class', 'impersonation', '--technique', 'password-burst', '--url', p.ocppUrl, '--stations', 'CLI-ATK-1', '--source', '127.0.0.78');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^instance\s+detector\s+station\s+source/);
    assert.match(r.stdout, /impersonation\/password-burst#1\s+failedAuth\s+CLI-ATK-1\s+127\.0\.0\.78\s+6\s/);
  });

  it('refuses what it must not or cannot run with a usage error (exit 2), and explains itself in --help', async () => {
    const usage = async (args: string[], message: RegExp) => {
      const r = await ov2x('attack', ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    };
    await usage(['--class', 'dos', '--url', 'ws://192.0.2.1:9000/ocpp'], /not a loopback address.*--i-own-this-target/);
    await usage(['--class', 'replay', '--url', p.ocppUrl], /needs 4 station\(s\) with credentials/);
    await usage(['--class', 'sybil', '--url', p.ocppUrl, '--password-file', file, '--technique', 'token-velocity'], /--id-tags/);
    await usage(['--class', 'chaos', '--url', p.ocppUrl], /Allowed choices are dos, injection, replay, impersonation, sybil/);
    await usage(['--class', 'dos', '--url', p.ocppUrl, '--count', '0'], /--count must be an integer between 1 and 500/);
    await usage(['--class', 'dos', '--url', p.ocppUrl, '--technique', 'nuke'], /dos has no technique nuke/);
    await usage(['--class', 'dos', '--url', p.ocppUrl, '--source', 'not-an-ip'], /--source/);
    const help = await ov2x('attack', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /sybil\s+token-two-stations, impossible-travel, token-velocity/);
  });
});
