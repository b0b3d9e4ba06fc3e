import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fleetIdentity, runFleet, type FleetStats } from '../../src/sim/fleet.js';
import { startCsms, type TinyCsms } from './csms.js';

let csms: TinyCsms;

before(async () => {
  csms = await startCsms({ passwords: new Map([['PW00001', 'first station pass'], ['PW00002', 'second station pass']]) });
});
after(() => csms.close());

const settle = async (): Promise<void> => {
  for (let i = 0; i < 50 && csms.peers.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
};

describe('runFleet', () => {
  it('runs every station through boot and its sessions, then closes everything (1.6)', async () => {
    const progress: FleetStats[] = [];
    const stats = await runFleet({
      url: csms.url, stations: 5, protocol: '1.6', prefix: 'F16-', rampPerSecond: 200, sessions: 2,
      sessionDurationMs: 150, meterIntervalMs: 50, onProgress: (s) => progress.push(s), progressIntervalMs: 50,
    });
    assert.deepEqual(
      [stats.launched, stats.connected, stats.booted, stats.failedConnects, stats.sessionsCompleted, stats.errors],
      [5, 5, 5, 0, 10, 0],
    );
    assert.ok(stats.calls > 5 * (1 + 3 + 2 * 6), `${stats.calls} calls`);
    assert.ok(stats.latencyMs.p50 > 0 && stats.latencyMs.p50 <= stats.latencyMs.p99);
    assert.ok(progress.length >= 2 && progress.at(-1)!.sessionsCompleted === 10);
    const ids = new Set(csms.received.filter((r) => r.action === 'BootNotification' && r.identity.startsWith('F16-')).map((r) => r.identity));
    assert.deepEqual([...ids].sort(), [0, 1, 2, 3, 4].map((i) => fleetIdentity('F16-', i)));
    const starts = csms.received.filter((r) => r.action === 'StartTransaction' && r.identity.startsWith('F16-'));
    const stops = csms.received.filter((r) => r.action === 'StopTransaction' && r.identity.startsWith('F16-'));
    assert.equal(starts.length, 10);
    assert.equal(new Set(stops.map((s) => s.payload.transactionId)).size, 10, 'every transaction stopped once');
    await settle();
    assert.equal([...csms.peers.keys()].filter((k) => k.startsWith('F16-')).length, 0, 'every socket closed');
  });

  it('stops at durationMs: running sessions end properly, sockets close (2.0.1)', async () => {
    const t0 = Date.now();
    const stats = await runFleet({
      url: csms.url, stations: 4, protocol: '2.0.1', prefix: 'F201-', rampPerSecond: 100, sessions: 3,
      sessionDurationMs: 60_000, meterIntervalMs: 100, durationMs: 700,
    });
    assert.ok(Date.now() - t0 < 3000, 'bounded by durationMs');
    assert.deepEqual([stats.booted, stats.sessionsCompleted, stats.errors], [4, 4, 0]);
    const ended = csms.received.filter((r) => r.identity.startsWith('F201-') && r.action === 'TransactionEvent' && r.payload.eventType === 'Ended');
    assert.equal(ended.length, 4);
    await settle();
    assert.equal([...csms.peers.keys()].filter((k) => k.startsWith('F201-')).length, 0);
  });

  it('hands out the given tokens round-robin and counts sessions the CSMS refuses', async () => {
    csms.options.tokenStatus = (t) => (t === 'BLOCKED-TAG' ? 'Blocked' : 'Accepted');
    try {
      const stats = await runFleet({
        url: csms.url, stations: 2, protocol: '1.6', prefix: 'TAG', rampPerSecond: 100, sessions: 2,
        sessionDurationMs: 50, meterIntervalMs: 0, idTags: ['GOOD-TAG', 'BLOCKED-TAG'],
      });
      assert.deepEqual([stats.sessionsCompleted, stats.sessionsRefused, stats.errors], [2, 2, 0]);
      const tags = csms.received.filter((r) => r.identity.startsWith('TAG') && r.action === 'StartTransaction').map((r) => r.payload.idTag);
      assert.deepEqual(tags, ['GOOD-TAG', 'GOOD-TAG']);
    } finally {
      csms.options.tokenStatus = undefined;
    }
  });

  it('counts refused connections by HTTP status, and uses per-station passwords', async () => {
    const stats = await runFleet({
      url: csms.url, stations: 3, protocol: '2.0.1', prefix: 'PW', rampPerSecond: 100, sessions: 0,
      passwordFor: (id) => (id === 'PW00001' ? 'first station pass' : id === 'PW00002' ? 'wrong' : undefined),
    });
    // PW00003 has no password registered at the tiny CSMS, so it gets in without one
    assert.deepEqual([stats.connected, stats.booted, stats.failedConnects, stats.connectFailures], [2, 2, 1, { 401: 1 }]);
  });

  it('carries on with its sessions after the CSMS resets a station', async () => {
    const run = runFleet({
      url: csms.url, stations: 2, protocol: '2.0.1', prefix: 'RST', rampPerSecond: 100, sessions: 2,
      sessionDurationMs: 400, meterIntervalMs: 100,
    });
    await csms.waitFor((r) => r.identity === 'RST00001' && r.action === 'TransactionEvent');
    assert.deepEqual(await (await csms.peer('RST00001')).call('Reset', { type: 'Immediate' }), { status: 'Accepted' });
    const stats = await run;
    assert.deepEqual([stats.booted, stats.sessionsCompleted, stats.errors], [2, 4, 0]);
    const reasons = csms.of('RST00001', 'TransactionEvent').filter((e) => e.payload.eventType === 'Ended').map((e) => e.payload.transactionInfo.stoppedReason);
    assert.deepEqual(reasons, ['ImmediateReset', 'Local']);
    assert.deepEqual(csms.of('RST00001', 'BootNotification').map((b) => b.payload.reason), ['PowerUp', 'RemoteReset']);
  });

  it('ends early when its signal aborts', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 300);
    const t0 = Date.now();
    const stats = await runFleet({
      url: csms.url, stations: 1000, protocol: '1.6', prefix: 'ABORT', rampPerSecond: 20, sessions: 1,
      sessionDurationMs: 60_000, meterIntervalMs: 0, signal: stop.signal,
    });
    assert.ok(Date.now() - t0 < 3000);
    assert.ok(stats.launched < 1000 && stats.launched >= 1);
    assert.ok(stats.sessionsCompleted <= stats.booted);
    const cut = csms.received.filter((r) => r.identity.startsWith('ABORT') && r.action === 'StopTransaction');
    assert.equal(cut.length, stats.sessionsCompleted, 'every session cut short was stopped properly');
  });
});
