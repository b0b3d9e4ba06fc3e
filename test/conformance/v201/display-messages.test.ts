// OCPP 2.0.1 functional block O (display messages), CSMS side, against the simulator and a
// raw station. Test ids are the OCTT CSMS test cases.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DisplayMessage } from '../../../src/domain/commands.js';
import type { CommandRecord } from '../../../src/domain/journal/command-service.js';
import { silentLogger } from '../../../src/log/logger.js';
import { SimulatedStation } from '../../../src/sim/station.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';
import { RawClient } from '../../helpers/raw-client.js';

type Frame = [number, string, string, Record<string, unknown>];

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const msg = (id: number, over: Partial<DisplayMessage> = {}): DisplayMessage => ({ id, priority: 'NormalCycle', content: `Message ${id}`, format: 'UTF8', language: 'en', ...over });

describe('2.0.1 block O — Display messages (CSMS)', () => {
  let p: TestPlatform;
  const stations: SimulatedStation[] = [];
  let n = 0;
  const finished = (rec: CommandRecord) => eventually(async () => {
    const r = await p.services.commands.get(rec.id);
    return r?.progress === 'Completed' || r?.progress === 'Incomplete' ? r : undefined;
  }, `NotifyDisplayMessages for command ${rec.id}`);
  async function station(reject: string[] = []): Promise<SimulatedStation> {
    const id = `O-SIM-${++n}`;
    const st = new SimulatedStation({ url: p.ocppUrl, identity: id, password: await p.addStation(id), protocol: '2.0.1', log: silentLogger, meterIntervalMs: 60_000, behaviour: { reject: new Set(reject) } });
    stations.push(st);
    await st.connect();
    assert.equal((await st.boot()).status, 'Accepted');
    return st;
  }
  const get = async (st: SimulatedStation, q: { ids?: number[]; priority?: DisplayMessage['priority']; state?: DisplayMessage['state'] } = {}) => {
    const rec = await p.services.commands.send(st.identity, { kind: 'getDisplayMessages', ...q });
    return rec.status === 'Accepted' ? { rec, done: await finished(rec) } : { rec, done: undefined };
  };

  before(async () => {
    p = await startTestPlatform();
    await p.repos.tokens.upsert({ idToken: 'DRIVER', status: 'Accepted' });
  });
  after(async () => {
    await Promise.all(stations.map((s) => s.close()));
    await p.stop();
  });

  it('TC_O_01_CSMS Set Display Message - Success', async () => {
    const st = await station();
    const window = { startAt: new Date().toISOString(), endAt: new Date(Date.now() + 3_600_000).toISOString() };
    const rec = await p.services.displayMessages.set(st.identity, msg(1, { priority: 'InFront', state: 'Idle', ...window, display: { name: 'Display', evseId: 1 } }));
    assert.equal(rec.status, 'Accepted');
    const m = await p.services.displayMessages.get(st.identity, 1);
    assert.deepEqual([m?.status, m?.priority, m?.state, m?.content, m?.format, m?.language, m?.startAt?.toISOString(), m?.endAt?.toISOString(), m?.display],
      ['Accepted', 'InFront', 'Idle', 'Message 1', 'UTF8', 'en', window.startAt, window.endAt, { name: 'Display', evseId: 1 }]);
  });

  it('TC_O_02_CSMS Get all Display Messages - Success', async () => {
    const st = await station();
    for (let i = 1; i <= 5; i++) await p.services.displayMessages.set(st.identity, msg(i));
    const { rec, done } = await get(st);
    assert.equal(rec.requestId, rec.id);
    assert.deepEqual(done?.updates.map((u) => [u.status, u.details.messages]), [['Reporting', 4], ['Completed', 1]], 'two parts');
    const all = await p.services.displayMessages.list(st.identity);
    assert.equal(all.filter((m) => m.reportedAt && m.status === 'Accepted').length, 5);
  });

  it('TC_O_03_CSMS Get all Display Messages - No DisplayMessages configured', async () => {
    const st = await station();
    const { rec } = await get(st);
    assert.equal(rec.status, 'Unknown');
  });

  it('TC_O_04_CSMS Clear Display Message - Success', async () => {
    const st = await station();
    await p.services.displayMessages.set(st.identity, msg(9));
    const rec = await p.services.displayMessages.clear(st.identity, 9);
    assert.deepEqual([rec.action, rec.status], ['ClearDisplayMessage', 'Accepted']);
    assert.equal(await p.services.displayMessages.get(st.identity, 9), undefined);
    assert.equal((await get(st)).rec.status, 'Unknown', 'the station no longer has it');
  });

  it('TC_O_05_CSMS Clear Display Message - Unknown Key', async () => {
    const st = await station();
    const rec = await p.services.displayMessages.clear(st.identity, 404);
    assert.equal(rec.status, 'Unknown');
  });

  it('TC_O_06_CSMS Set Display Message - Specific transaction - Success', async () => {
    const st = await station();
    const txn = await st.startSession({ connector: 1, idTag: 'DRIVER' });
    const rec = await p.services.displayMessages.set(st.identity, msg(3, { transactionRef: String(txn), state: 'Charging' }));
    assert.equal(rec.status, 'Accepted');
    assert.equal((await p.services.displayMessages.get(st.identity, 3))?.transactionId, String(txn));
    await st.stopSession(txn);
  });

  it('TC_O_07_CSMS Get a Specific Display Message - Id', async () => {
    const st = await station();
    for (const i of [1, 2, 3]) await p.services.displayMessages.set(st.identity, msg(i));
    const { done } = await get(st, { ids: [2] });
    assert.deepEqual(done?.updates.map((u) => u.details.messages), [1]);
  });

  it('TC_O_08_CSMS Get a Specific Display Message - Priority', async () => {
    const st = await station();
    await p.services.displayMessages.set(st.identity, msg(1, { priority: 'InFront' }));
    await p.services.displayMessages.set(st.identity, msg(2));
    const { done } = await get(st, { priority: 'InFront' });
    assert.deepEqual(done?.updates.map((u) => u.details.messages), [1]);
  });

  it('TC_O_09_CSMS Get a Specific Display Message - State', async () => {
    const st = await station();
    await p.services.displayMessages.set(st.identity, msg(1, { state: 'Charging' }));
    await p.services.displayMessages.set(st.identity, msg(2, { state: 'Idle' }));
    await p.services.displayMessages.set(st.identity, msg(3, { state: 'Idle' }));
    const { done } = await get(st, { state: 'Idle' });
    assert.deepEqual(done?.updates.map((u) => u.details.messages), [2]);
  });

  it('TC_O_10_CSMS Set Display Message - Specific transaction - UnknownTransaction', async () => {
    const st = await station();
    const rec = await p.services.displayMessages.set(st.identity, msg(4, { transactionRef: 'NO-SUCH-TX' }));
    assert.equal(rec.status, 'UnknownTransaction');
    assert.equal((await p.services.displayMessages.get(st.identity, 4))?.status, 'UnknownTransaction');
  });

  it('TC_O_11_CSMS Get a Specific Display Message - Unknown parameters', async () => {
    const st = await station();
    await p.services.displayMessages.set(st.identity, msg(1));
    const { rec } = await get(st, { ids: [77] });
    assert.equal(rec.status, 'Unknown');
  });

  it('TC_O_12_CSMS Set Display Message - Replace DisplayMessage', async () => {
    const st = await station();
    await p.services.displayMessages.set(st.identity, msg(5));
    await p.services.displayMessages.set(st.identity, msg(5, { content: 'Replaced', priority: 'InFront' }));
    const m = await p.services.displayMessages.get(st.identity, 5);
    assert.deepEqual([m?.content, m?.priority], ['Replaced', 'InFront']);
    await get(st);
    assert.equal((await p.services.displayMessages.get(st.identity, 5))?.content, 'Replaced', 'the station reports the replacement');
  });

  it('TC_O_14_CSMS Set Display Message - Remove message after EndTime', async () => {
    const st = await station();
    await p.services.displayMessages.set(st.identity, msg(6, { endAt: new Date(Date.now() + 150).toISOString() }));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await get(st, { ids: [6] })).rec.status, 'Unknown');
  });

  for (const [id, title, over, status] of [
    ['TC_O_17_CSMS', 'Set Display Message - NotSupportedPriority', { priority: 'AlwaysFront' }, 'NotSupportedPriority'],
    ['TC_O_18_CSMS', 'Set Display Message - NotSupportedState', { state: 'Faulted' }, 'NotSupportedState'],
    ['TC_O_19_CSMS', 'Set Display Message - NotSupportedMessageFormat', { format: 'HTML' }, 'NotSupportedMessageFormat'],
  ] as const) {
    it(`${id} ${title}`, async () => {
      const st = await station();
      const rec = await p.services.displayMessages.set(st.identity, msg(7, over));
      assert.equal(rec.status, status);
      assert.match(rec.failure ?? '', new RegExp(`station answered ${status}`));
      assert.equal((await p.services.displayMessages.get(st.identity, 7))?.status, status);
    });
  }

  it('TC_O_26_CSMS Set Display Message - Rejected', async () => {
    const st = await station(['SetDisplayMessage']);
    const rec = await p.services.displayMessages.set(st.identity, msg(8));
    assert.equal(rec.status, 'Rejected');
  });

  it('a refused message never replaces the accepted one with the same id', async () => {
    const st = await station();
    await p.services.displayMessages.set(st.identity, msg(1));
    await p.services.displayMessages.set(st.identity, msg(1, { format: 'HTML', content: '<b>no</b>' }));
    const m = await p.services.displayMessages.get(st.identity, 1);
    assert.deepEqual([m?.status, m?.content], ['Accepted', 'Message 1']);
  });

  it('a display message to an offline station is journaled as Failed and not stored', async () => {
    await p.addStation('O-OFF');
    const rec = await p.services.displayMessages.set('O-OFF', msg(1));
    assert.equal(rec.status, 'Failed');
    assert.deepEqual(await p.services.displayMessages.list('O-OFF'), []);
  });
});

describe('2.0.1 block O — NotifyDisplayMessages from a raw station', () => {
  let p: TestPlatform;
  let c: RawClient;
  before(async () => {
    p = await startTestPlatform();
    const password = await p.addStation('O-RAW');
    c = await RawClient.connect(`${p.ocppUrl}/O-RAW`, { protocols: ['ocpp2.0.1'], user: 'O-RAW', password });
    await c.call('b', 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
  });
  after(async () => {
    c.close();
    await p.stop();
  });

  it('messages the station reports are stored as its own (no status of ours), across tbc parts', async () => {
    const sending = p.services.commands.send('O-RAW', { kind: 'getDisplayMessages', state: 'Idle' });
    const [, id, action, payload] = (await c.next()) as Frame;
    assert.deepEqual([action, payload.state], ['GetDisplayMessages', 'Idle']);
    c.send(JSON.stringify([3, id, { status: 'Accepted' }]));
    const rec = await sending;
    const info = (n: number) => ({ id: n, priority: 'NormalCycle', state: 'Idle', message: { format: 'ASCII', content: `local ${n}` }, display: { name: 'Display', evse: { id: 2 } } });
    await c.call('d0', 'NotifyDisplayMessages', { requestId: payload.requestId, tbc: true, messageInfo: [info(10), info(11)] });
    await c.call('d1', 'NotifyDisplayMessages', { requestId: payload.requestId, messageInfo: [info(12)] });
    const all = await p.services.displayMessages.list('O-RAW');
    assert.deepEqual(all.map((m) => [m.messageId, m.status, m.content, m.display]), [10, 11, 12].map((k) => [k, null, `local ${k}`, { name: 'Display', evseId: 2 }]));
    const done = await p.services.commands.get(rec.id);
    assert.deepEqual(done?.updates.map((u) => [u.status, u.details.seqNo]), [['Reporting', 0], ['Completed', 1]]);
  });
});
