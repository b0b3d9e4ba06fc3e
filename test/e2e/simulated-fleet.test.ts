// The platform driven by the station simulator over real sockets, in both versions: sessions
// started remotely and locally, stopped remotely, a reset with reconnection, and a small fleet.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/log/logger.js';
import { runFleet } from '../../src/sim/fleet.js';
import { SimulatedStation } from '../../src/sim/station.js';
import type { SimProtocol } from '../../src/sim/types.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { until } from '../helpers/until.js';


for (const protocol of ['1.6', '2.0.1'] as SimProtocol[]) {
  describe(`simulated ${protocol} stations against the platform`, () => {
    let p: TestPlatform;
    let station: SimulatedStation;
    const id = `SIM-${protocol.replace(/\./g, '')}`;

    before(async () => {
      p = await startTestPlatform();
      await p.repos.tokens.upsert({ idToken: 'TAG-E2E', status: 'Accepted' });
      station = new SimulatedStation({ url: p.ocppUrl, identity: id, password: await p.addStation(id), protocol, meterIntervalMs: 100, log: silentLogger, behaviour: { rebootDelayMs: 100 } });
      await station.connect();
      assert.equal((await station.boot()).status, 'Accepted');
    });
    after(async () => {
      await station.close();
      await p.stop();
    });

    it('a local session is recorded with its meter values and energy', async () => {
      const summary = await station.runSession({ durationMs: 600, intervalMs: 100, idTag: 'TAG-E2E', powerW: 22_000, connector: 1 });
      const tx = (await p.repos.transactions.list({ stationId: id, limit: 10, offset: 0 }))[0];
      assert.equal(tx?.state, 'ended');
      assert.equal(tx?.idToken, await p.services.privacy.pseudonym('TAG-E2E'), 'the transaction refers to its token by pseudonym');
      assert.ok((tx?.energyWh ?? 0) > 0, 'energy recorded');
      assert.equal(Math.round(tx!.meterStopWh!), summary.meterStopWh);
      assert.ok((await p.repos.meterValues.listByTransaction(tx!.id)).length >= 3);
    });

    it('remote start through the command bus starts a real session; remote stop ends it', async () => {
      const before = (await p.repos.transactions.list({ stationId: id, limit: 100, offset: 0 })).length;
      const r = await p.bus.send(id, { kind: 'remoteStart', idToken: 'TAG-E2E', evseId: 2 });
      assert.equal(r.status, 'Accepted');
      await until('the remote transaction', async () => (await p.repos.transactions.listActive(id)).length === 1);
      const [active] = await p.repos.transactions.listActive(id);
      assert.equal(active?.evseId, 2);
      await until('meter values', async () => (await p.repos.meterValues.listByTransaction(active!.id)).length > 0);
      assert.equal((await p.bus.send(id, { kind: 'remoteStop', transactionRef: active!.transactionRef })).status, 'Accepted');
      await until('the transaction to end', async () => (await p.repos.transactions.get(active!.id))?.state === 'ended');
      assert.equal((await p.repos.transactions.list({ stationId: id, limit: 100, offset: 0 })).length, before + 1);
    });

    it('reset: the station reboots, reconnects and boots again', async () => {
      const bootBefore = (await p.repos.stations.get(id))?.lastBootAt;
      assert.equal((await p.bus.send(id, { kind: 'reset', mode: 'soft' })).status, 'Accepted');
      await until('a new boot', async () => {
        const at = (await p.repos.stations.get(id))?.lastBootAt;
        return !!at && (!bootBefore || at > bootBefore);
      });
      await until('the station to be back', () => p.bus.isConnected(id));
    });

    it('configuration commands of the version are answered', async () => {
      if (protocol === '1.6') {
        const r = await p.bus.send(id, { kind: 'getConfiguration', keys: ['HeartbeatInterval', 'Nope'] });
        assert.deepEqual(r.response.unknownKey, ['Nope']);
        assert.equal((await p.bus.send(id, { kind: 'changeConfiguration', key: 'HeartbeatInterval', value: '120' })).status, 'Accepted');
      } else {
        assert.equal((await p.bus.send(id, { kind: 'setVariables', variables: [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '120' }] })).status, 'Accepted');
        assert.equal((await p.bus.send(id, { kind: 'getBaseReport', reportBase: 'FullInventory' })).status, 'Accepted');
        await until('the device model report', async () => (await p.services.deviceModel.list(id, { variable: 'HeartbeatInterval' }))[0]?.value === '120');
      }
    });
  });
}

describe('a simulated fleet', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform();
  });
  after(() => p.stop());

  it('20 stations of each version boot and complete sessions; every meter value is stored', async () => {
    const passwords = new Map<string, string>();
    for (const proto of ['16', '201']) for (let i = 1; i <= 20; i++) {
      const id = `F${proto}-${String(i).padStart(5, '0')}`;
      passwords.set(id, await p.addStation(id));
    }
    await p.repos.tokens.upsert({ idToken: 'FLEET-TAG', status: 'Accepted' });
    for (const [protocol, prefix] of [['1.6', 'F16-'], ['2.0.1', 'F201-']] as const) {
      const stats = await runFleet({
        url: p.ocppUrl, stations: 20, protocol, prefix, passwordFor: (id) => passwords.get(id)!, sessions: 1,
        sessionDurationMs: 500, meterIntervalMs: 100, idTags: ['FLEET-TAG'], log: silentLogger,
      });
      assert.equal(stats.booted, 20, JSON.stringify(stats));
      assert.equal(stats.sessionsCompleted, 20);
      assert.equal(stats.errors, 0);
    }
    const ended = await p.repos.transactions.list({ state: 'ended', limit: 100, offset: 0 });
    assert.equal(ended.length, 40);
    assert.ok(ended.every((t) => (t.energyWh ?? 0) > 0));
  });
});
