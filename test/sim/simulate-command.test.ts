import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { CommanderError } from 'commander';
import { parsePasswordFile, simulateCommand } from '../../src/cli/commands/simulate.js';
import { UsageError } from '../../src/cli/options.js';
import type { FleetStats } from '../../src/sim/fleet.js';
import { startCsms, type TinyCsms } from './csms.js';

let csms: TinyCsms;
let dir: string;

before(async () => {
  csms = await startCsms({ passwords: new Map([['FILE-A', 'password of station a'], ['FILE-B', 'password of station b']]) });
  dir = mkdtempSync(join(tmpdir(), 'ov2x-sim-'));
});
after(async () => {
  await csms.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `ov2x simulate <args>` in-process; returns what it printed on stdout. */
async function simulate(args: string[]): Promise<string> {
  const cmd = simulateCommand().exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  const log = mock.method(console, 'log', () => undefined);
  const exitCode = process.exitCode;
  try {
    await cmd.parseAsync(args, { from: 'user' });
    return log.mock.calls.map((c) => String(c.arguments[0])).join('\n');
  } finally {
    log.mock.restore();
    process.exitCode = exitCode;
  }
}

describe('ov2x simulate', () => {
  it('runs the fleet and prints one JSON summary', async () => {
    const out = await simulate(['--url', csms.url, '--stations', '3', '--protocol', '2.0.1', '--prefix', 'CLI',
      '--session-duration', '0.2', '--meter-interval', '0.05', '--ramp', '100', '--id-tags', 'A'.repeat(36), '--json']);
    const stats = JSON.parse(out) as FleetStats;
    assert.deepEqual([stats.connected, stats.booted, stats.sessionsCompleted, stats.errors], [3, 3, 3, 0]);
    assert.equal(csms.of('CLI00003', 'BootNotification').length, 1);
    assert.equal(csms.of('CLI00002', 'Authorize')[0]!.payload.idToken.idToken, 'A'.repeat(36));
  });

  it('takes stations and passwords from --password-file, and prints text without --json', async () => {
    const file = join(dir, 'stations.txt');
    writeFileSync(file, '# id password\nFILE-A password of station a\n\nFILE-B   password of station b\n');
    const out = await simulate(['--url', csms.url, '--password-file', file, '--sessions', '0', '--protocol', '1.6']);
    assert.match(out, /2\/2 started, 2 connected, 2 booted, 0 failed to connect/);
    assert.equal(csms.of('FILE-B', 'BootNotification').length, 1);
  });

  it('refuses bad flags with a clear message (exit code 2 in main)', async () => {
    const file = join(dir, 'one.txt');
    writeFileSync(file, 'FILE-A password of station a\n');
    const usage = async (args: string[], message: RegExp): Promise<void> => {
      await assert.rejects(simulate(['--url', csms.url, ...args]), (e: unknown) => e instanceof UsageError && message.test(e.message));
    };
    await usage(['--stations', '0'], /--stations must be an integer between 1 and 100000/);
    await usage(['--stations', '2.5'], /--stations must be an integer/);
    await usage(['--sessions', 'many'], /--sessions/);
    await usage(['--duration', '-1'], /--duration must be a number/);
    await usage(['--prefix', 'bad prefix'], /--prefix/);
    await usage(['--id-tags', 'OK,,X'], /--id-tags: "" is not a token of 1–20/);
    await usage(['--id-tags', 'A'.repeat(21)], /--id-tags/);
    await usage(['--password', 'x', '--password-file', file], /exclude each other/);
    await usage(['--password-file', file, '--prefix', 'X'], /--prefix does not apply/);
    await usage(['--password-file', file, '--stations', '5'], /lists only 1/);
    await usage(['--password-file', join(dir, 'missing.txt')], /cannot read/);
    await assert.rejects(simulate(['--url', 'http://127.0.0.1:9000/ocpp']), /--url must be a ws:\/\/ or wss:\/\//);
    await assert.rejects(simulate(['--url', csms.url, '--protocol', '2.1']), (e: unknown) => e instanceof CommanderError && e.exitCode !== 0);
    await assert.rejects(simulate(['--stations', '1']), (e: unknown) => e instanceof CommanderError && /--url/.test(e.message));
  });

  it('reads password files strictly', () => {
    assert.deepEqual([...parsePasswordFile('A  pass word  \n#c\nB x\n', 'f')], [['A', 'pass word'], ['B', 'x']]);
    assert.throws(() => parsePasswordFile('lonely\n', 'f'), /f:1: expected/);
    assert.throws(() => parsePasswordFile('A x\nA y\n', 'f'), /listed twice/);
    assert.throws(() => parsePasswordFile('# nothing\n', 'f'), /lists no stations/);
  });
});
