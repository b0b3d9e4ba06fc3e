import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';

type Frame = [number, string, string, Record<string, unknown>];

describe('command journal', () => {
  let p: TestPlatform;
  let c: RawClient;

  before(async () => {
    p = await startTestPlatform();
    const password = await p.addStation('J1');
    await p.addStation('J-OFF');
    c = await RawClient.connect(`${p.ocppUrl}/J1`, { protocols: ['ocpp2.0.1'], user: 'J1', password });
    await c.call('b', 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
  });
  after(async () => {
    c.close();
    await p.stop();
  });

  it('records the command, fills the requestId from the journal and stores the answer', async () => {
    const sending = p.services.commands.send('J1', { kind: 'getBaseReport', reportBase: 'FullInventory' });
    const [, id, action, payload] = (await c.next()) as Frame;
    assert.equal(action, 'GetBaseReport');
    c.send(JSON.stringify([3, id, { status: 'Accepted' }]));
    const rec = await sending;
    assert.equal(rec.status, 'Accepted');
    assert.equal(rec.requestId, payload.requestId);
    assert.equal(rec.requestId, rec.id);
    assert.deepEqual(rec.response, { status: 'Accepted' });
  });

  it('attaches follow-up notifications quoting the requestId as progress', async () => {
    const sending = p.services.commands.send('J1', { kind: 'getBaseReport', reportBase: 'SummaryInventory' });
    const [, id, , payload] = (await c.next()) as Frame;
    c.send(JSON.stringify([3, id, { status: 'Accepted' }]));
    const rec = await sending;
    const part = (seqNo: number, tbc: boolean) => ({ requestId: payload.requestId, generatedAt: new Date().toISOString(), seqNo, tbc, reportData: [
      { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' }, variableAttribute: [{ value: 'Available' }] },
    ] });
    assert.equal(((await c.call('r1', 'NotifyReport', part(0, true))) as unknown[])[0], 3);
    assert.equal(((await c.call('r2', 'NotifyReport', part(1, false))) as unknown[])[0], 3);
    const after = await p.services.commands.get(rec.id);
    assert.equal(after?.progress, 'Completed');
    assert.deepEqual(after?.updates.map((u) => [u.status, u.details.seqNo]), [['Reporting', 0], ['Completed', 1]]);
  });

  it('records a rejection with the station status word and a failure reason', async () => {
    const sending = p.services.commands.send('J1', { kind: 'clearCache' });
    const [, id] = (await c.next()) as Frame;
    c.send(JSON.stringify([3, id, { status: 'Rejected' }]));
    const rec = await sending;
    assert.equal(rec.status, 'Rejected');
    assert.match(rec.failure ?? '', /^Rejected: /);
  });

  it('records a command to an offline station as Failed, without throwing', async () => {
    const rec = await p.services.commands.send('J-OFF', { kind: 'clearCache' });
    assert.equal(rec.status, 'Failed');
    assert.match(rec.failure ?? '', /^Offline: /);
    assert.equal((await p.services.commands.list('J-OFF')).length, 1);
  });
});
