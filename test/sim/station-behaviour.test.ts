import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CallFailed } from '../../src/ocpp/rpc/call-failed.js';
import { SimulatedStation } from '../../src/sim/station.js';
import { ConnectError, type SimProtocol, type StationOptions } from '../../src/sim/types.js';
import { startCsms, type TinyCsms } from './csms.js';

let csms: TinyCsms;
let only16: TinyCsms;
const open: SimulatedStation[] = [];
let seq = 0;

function station(protocol: SimProtocol, extra: Partial<StationOptions> = {}): SimulatedStation {
  const st = new SimulatedStation({ url: csms.url, identity: `BEH-${++seq}`, protocol, ...extra });
  open.push(st);
  return st;
}

before(async () => {
  csms = await startCsms({ passwords: new Map([['LOCKED', 'the right password!']]) });
  only16 = await startCsms({ versions: ['ocpp1.6'] });
});
after(async () => {
  await Promise.all(open.map((s) => s.close()));
  await csms.close();
  await only16.close();
});

for (const protocol of ['1.6', '2.0.1'] as const) {
  describe(`OCPP ${protocol} station: negative paths`, () => {
    it('surfaces a refused upgrade as ConnectError with the HTTP status (401, 404, 400)', async () => {
      const refused = async (st: SimulatedStation, status: number): Promise<void> => {
        await assert.rejects(st.connect(), (e: unknown) => e instanceof ConnectError && e.status === status);
        assert.equal(st.connected, false);
      };
      await refused(station(protocol, { identity: 'LOCKED' }), 401);
      await refused(station(protocol, { identity: 'LOCKED', password: 'a wrong password!!' }), 401);
      csms.options.known = new Set(['LOCKED']);
      try {
        await refused(station(protocol), 404);
      } finally {
        csms.options.known = undefined;
      }
      if (protocol === '2.0.1') await refused(station(protocol, { url: only16.url }), 400);
      const ok = station(protocol, { identity: 'LOCKED', password: 'the right password!' });
      await ok.connect();
      assert.equal(ok.connected, true);
      await ok.close();
      assert.equal(ok.connected, false);
    });

    it('a network failure is a ConnectError without status', async () => {
      const st = station(protocol, { url: 'ws://127.0.0.1:1/ocpp' });
      await assert.rejects(st.connect(), (e: unknown) => e instanceof ConnectError && e.status === undefined);
    });

    it('silent: the CSMS call times out and the station keeps working', async () => {
      const st = station(protocol, { behaviour: { silent: true } });
      await st.connect();
      await st.boot();
      const peer = await csms.peer(st.identity);
      await assert.rejects(peer.call('ClearCache', {}, 300), (e: unknown) => e instanceof CallFailed && e.reason === 'Timeout');
      await st.heartbeat();
    });

    it('reject: listed actions get their negative answer and have no effect', async () => {
      const reject = new Set(['RemoteStartTransaction', 'RequestStartTransaction', 'UnlockConnector', 'Reset', 'TriggerMessage']);
      const st = station(protocol, { behaviour: { reject } });
      await st.connect();
      await st.boot();
      const peer = await csms.peer(st.identity);
      const start = protocol === '1.6'
        ? await peer.call('RemoteStartTransaction', { connectorId: 1, idTag: 'R' })
        : await peer.call('RequestStartTransaction', { idToken: { idToken: 'R', type: 'Central' }, remoteStartId: 1 });
      assert.deepEqual(start, { status: 'Rejected' });
      const unlock = protocol === '1.6' ? { connectorId: 1 } : { evseId: 1, connectorId: 1 };
      assert.deepEqual(await peer.call('UnlockConnector', unlock), { status: 'UnlockFailed' });
      assert.deepEqual(await peer.call('Reset', { type: protocol === '1.6' ? 'Hard' : 'Immediate' }), { status: 'Rejected' });
      assert.deepEqual(await peer.call('TriggerMessage', { requestedMessage: 'Heartbeat' }), { status: 'Rejected' });
      assert.deepEqual(await peer.call('ClearCache', {}), { status: 'Accepted' }, 'actions not listed answer normally');
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(st.transactions(), []);
      assert.equal(csms.connections.get(st.identity), 1);
      if (protocol === '2.0.1') {
        const rejectAll = station(protocol, { behaviour: { reject: new Set(['GetVariables']) } });
        await rejectAll.connect();
        const p2 = await csms.peer(rejectAll.identity);
        const r = await p2.call('GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] });
        assert.deepEqual(r, { getVariableResult: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeStatus: 'Rejected' }] });
      }
    });

    it('heartbeats: false sends none whatever the interval', async () => {
      csms.options.interval = 1;
      const st = station(protocol, { behaviour: { heartbeats: false } });
      await st.connect();
      await st.boot();
      csms.options.interval = 300;
      await new Promise((r) => setTimeout(r, 1200));
      assert.equal(csms.of(st.identity, 'Heartbeat').length, 0);
    });

    it('reconnect: comes back without a new boot after the CSMS drops it, and keeps its session', async () => {
      const st = station(protocol, { behaviour: { reconnect: true, rebootDelayMs: 30 } });
      await st.connect();
      await st.boot();
      const txn = await st.startSession({ connector: 1, idTag: 'CARD' });
      await dropAndWait(csms, st.identity);
      assert.equal(csms.of(st.identity, 'BootNotification').length, 1);
      assert.deepEqual(st.transactions(), [txn]);
      await st.stopSession(txn);
    });

    it('without reconnect, a dropped station forgets its sessions', async () => {
      const st = station(protocol);
      await st.connect();
      await st.boot();
      await st.startSession({ connector: 1, idTag: 'CARD' });
      await dropAndWait(csms, st.identity, false);
      assert.equal(st.connected, false);
      assert.deepEqual(st.transactions(), []);
    });
  });
}

/** Closes the CSMS side of a station's socket; waits for the reconnect when one is expected. */
async function dropAndWait(c: TinyCsms, identity: string, reconnects = true): Promise<void> {
  const before = c.connections.get(identity) ?? 0;
  c.dropConnection(identity);
  const until = Date.now() + 3000;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 20));
    if (reconnects ? (c.connections.get(identity) ?? 0) > before && c.peers.has(identity) : !c.peers.has(identity)) {
      if (!reconnects) await new Promise((r) => setTimeout(r, 50));
      return;
    }
  }
  throw new Error(`station ${identity} did not ${reconnects ? 'reconnect' : 'drop'}`);
}
