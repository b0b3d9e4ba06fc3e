import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SimulatedStation } from '../../src/sim/station.js';
import { SessionRefused, type StationOptions } from '../../src/sim/types.js';
import { startCsms, type Received, type TinyCsms } from './csms.js';

let csms: TinyCsms;
const open: SimulatedStation[] = [];
let seq = 0;

async function booted(extra: Partial<StationOptions> = {}): Promise<SimulatedStation> {
  const st = new SimulatedStation({ url: csms.url, identity: `CP16-${++seq}`, protocol: '1.6', meterIntervalMs: 100, ...extra });
  open.push(st);
  await st.connect();
  assert.equal((await st.boot()).status, 'Accepted');
  return st;
}

const energy = (r: Received): number =>
  Number(r.payload.meterValue[0].sampledValue.find((v: { measurand: string }) => v.measurand === 'Energy.Active.Import.Register').value);

before(async () => {
  csms = await startCsms({ passwords: new Map([['CP16-SECRET', 'correct horse battery']]), tokenStatus: (t) => (t === 'BADTAG' ? 'Invalid' : 'Accepted') });
});
after(async () => {
  await Promise.all(open.map((s) => s.close()));
  await csms.close();
});

describe('OCPP 1.6 station: messages it sends', () => {
  it('boots with its identity data and sends heartbeats at the interval the CSMS gives', async () => {
    csms.options.interval = 1;
    const st = await booted();
    csms.options.interval = 300;
    const [boot] = csms.of(st.identity, 'BootNotification');
    assert.equal(boot!.payload.chargePointVendor, 'OV2X');
    assert.equal(boot!.payload.chargePointModel, 'SimCharger');
    assert.equal(st.heartbeatIntervalS, 1);
    await csms.waitFor((r) => r.identity === st.identity && r.action === 'Heartbeat', 2500);
  });

  it('sends no heartbeats while Pending', async () => {
    csms.options.bootStatus = 'Pending';
    csms.options.interval = 1;
    const st = new SimulatedStation({ url: csms.url, identity: `CP16-${++seq}`, protocol: '1.6' });
    open.push(st);
    await st.connect();
    try {
      assert.deepEqual(await st.boot(), { status: 'Pending', interval: 1 });
    } finally {
      csms.options.bootStatus = 'Accepted';
      csms.options.interval = 300;
    }
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(csms.of(st.identity, 'Heartbeat').length, 0);
  });

  it('runs a whole session in order with a monotonic register, and the next one continues it', async () => {
    const st = await booted();
    const first = await st.runSession({ connector: 1, durationMs: 450, intervalMs: 100, powerW: 36_000 });
    const msgs = csms.of(st.identity).slice(1); // after the boot
    const actions = msgs.map((m) => m.action);
    assert.deepEqual(actions.slice(0, 4), ['Authorize', 'StatusNotification', 'StartTransaction', 'StatusNotification']);
    assert.deepEqual(msgs.slice(-3).map((m) => m.action), ['StopTransaction', 'StatusNotification', 'StatusNotification']);
    assert.deepEqual(msgs.filter((m) => m.action === 'StatusNotification').map((m) => m.payload.status), ['Preparing', 'Charging', 'Finishing', 'Available']);
    const start = msgs[2]!.payload;
    assert.equal(start.connectorId, 1);
    assert.equal(start.meterStart, 0);
    const meters = msgs.filter((m) => m.action === 'MeterValues');
    assert.ok(meters.length >= 3, `${meters.length} MeterValues`);
    for (const m of meters) {
      assert.equal(m.payload.transactionId, first.transactionId);
      const power = m.payload.meterValue[0].sampledValue.find((v: { measurand: string }) => v.measurand === 'Power.Active.Import');
      assert.equal(power.value, '36000');
    }
    const readings = meters.map(energy);
    readings.forEach((wh, i) => assert.ok(wh >= (readings[i - 1] ?? 0), `reading ${i} went down`));
    const stop = msgs.at(-3)!.payload;
    assert.equal(stop.transactionId, first.transactionId);
    assert.ok(stop.meterStop >= readings.at(-1)! && stop.meterStop > 0);
    assert.equal(stop.reason, 'Local');
    assert.deepEqual(stop.transactionData.map((d: { sampledValue: { context: string }[] }) => d.sampledValue[0]!.context), ['Transaction.Begin', 'Transaction.End']);
    assert.equal(first.meterStopWh, stop.meterStop);

    const second = await st.runSession({ connector: 1, durationMs: 150, intervalMs: 50, powerW: 36_000 });
    assert.equal(second.meterStartWh, first.meterStopWh);
    assert.ok(second.meterStopWh >= second.meterStartWh);
    assert.notEqual(second.transactionId, first.transactionId);
  });

  it('reports given readings, V2X export included, and refuses a register going down', async () => {
    const st = await booted();
    const txn = await st.startSession({ connector: 2, idTag: 'CARD1', meterStartWh: 1000 });
    await st.sendMeterValues(txn, 1500, 7000);
    await st.sendMeterValues(txn, 1500, -5000, 200);
    await assert.rejects(st.sendMeterValues(txn, 1400, 7000), RangeError);
    const summary = await st.stopSession(txn, 'EVDisconnected');
    assert.deepEqual([summary.meterStartWh, summary.meterStopWh, summary.exportWh], [1000, 1500, 200]);
    const v2x = csms.of(st.identity, 'MeterValues')[1]!.payload.meterValue[0].sampledValue;
    assert.deepEqual(v2x.map((v: { measurand: string; value: string }) => [v.measurand, v.value]), [
      ['Energy.Active.Import.Register', '1500'], ['Energy.Active.Export.Register', '200'], ['Power.Active.Export', '5000'],
    ]);
    const stop = csms.of(st.identity, 'StopTransaction')[0]!.payload;
    assert.equal(stop.meterStop, 1500);
    assert.equal(stop.reason, 'EVDisconnected');
    assert.ok(stop.transactionData[1].sampledValue.some((v: { measurand: string }) => v.measurand === 'Energy.Active.Export.Register'));
  });

  it('takes no session for a token the CSMS refuses, and ends one the StartTransaction answer refuses', async () => {
    const st = await booted();
    await assert.rejects(st.startSession({ connector: 1, idTag: 'BADTAG' }), (e: unknown) => e instanceof SessionRefused && e.status === 'Invalid');
    assert.equal(csms.of(st.identity, 'StartTransaction').length, 0);
    await assert.rejects(st.startSession({ connector: 1, idTag: 'BADTAG', authorize: false }), SessionRefused);
    const stop = await csms.waitFor((r) => r.identity === st.identity && r.action === 'StopTransaction');
    assert.equal(stop.payload.reason, 'DeAuthorized');
    assert.deepEqual(st.transactions(), []);
    assert.equal(st.connectorStatus(1), 'Available');
  });
});

describe('OCPP 1.6 station: answers to CSMS commands', () => {
  it('RemoteStartTransaction starts a metered session on that connector; RemoteStopTransaction ends it', async () => {
    const st = await booted();
    const peer = await csms.peer(st.identity);
    assert.deepEqual(await peer.call('RemoteStartTransaction', { connectorId: 2, idTag: 'REMOTE1' }), { status: 'Accepted' });
    const start = await csms.waitFor((r) => r.identity === st.identity && r.action === 'StartTransaction');
    assert.deepEqual([start.payload.connectorId, start.payload.idTag], [2, 'REMOTE1']);
    assert.equal(csms.of(st.identity, 'Authorize').length, 0, 'AuthorizeRemoteTxRequests is false');
    assert.deepEqual(await peer.call('RemoteStartTransaction', { connectorId: 2, idTag: 'REMOTE2' }), { status: 'Rejected' });
    assert.deepEqual(await peer.call('RemoteStartTransaction', { connectorId: 7, idTag: 'REMOTE2' }), { status: 'Rejected' });
    const meter = await csms.waitFor((r) => r.identity === st.identity && r.action === 'MeterValues');
    const [txn] = st.transactions();
    assert.equal(meter.payload.transactionId, txn);

    assert.deepEqual(await peer.call('RemoteStopTransaction', { transactionId: 999 }), { status: 'Rejected' });
    assert.deepEqual(await peer.call('RemoteStopTransaction', { transactionId: txn }), { status: 'Accepted' });
    const stop = await csms.waitFor((r) => r.identity === st.identity && r.action === 'StopTransaction');
    assert.deepEqual([stop.payload.transactionId, stop.payload.reason], [txn, 'Remote']);
    await csms.waitFor((r) => r.identity === st.identity && r.action === 'StatusNotification' && r.payload.status === 'Available');
    assert.deepEqual(st.transactions(), []);
  });

  it('ChangeAvailability applies now when idle and is Scheduled under a session', async () => {
    const st = await booted();
    const peer = await csms.peer(st.identity);
    assert.deepEqual(await peer.call('ChangeAvailability', { connectorId: 2, type: 'Inoperative' }), { status: 'Accepted' });
    await csms.waitFor((r) => r.identity === st.identity && r.action === 'StatusNotification' && r.payload.connectorId === 2 && r.payload.status === 'Unavailable');
    await assert.rejects(st.startSession({ connector: 2, idTag: 'CARD' }), /unavailable/);
    assert.deepEqual(await peer.call('ChangeAvailability', { connectorId: 2, type: 'Operative' }), { status: 'Accepted' });
    await csms.waitFor((r) => r.identity === st.identity && r.action === 'StatusNotification' && r.payload.connectorId === 2 && r.payload.status === 'Available');

    const txn = await st.startSession({ connector: 1, idTag: 'CARD' });
    assert.deepEqual(await peer.call('ChangeAvailability', { connectorId: 0, type: 'Inoperative' }), { status: 'Scheduled' });
    assert.equal(st.connectorStatus(1), 'Charging');
    await st.stopSession(txn);
    assert.equal(st.connectorStatus(1), 'Unavailable');
    assert.deepEqual(await peer.call('ChangeAvailability', { connectorId: 9, type: 'Operative' }), { status: 'Rejected' });
  });

  it('UnlockConnector unlocks, ending a running transaction first', async () => {
    const st = await booted();
    const peer = await csms.peer(st.identity);
    assert.deepEqual(await peer.call('UnlockConnector', { connectorId: 2 }), { status: 'Unlocked' });
    assert.deepEqual(await peer.call('UnlockConnector', { connectorId: 5 }), { status: 'UnlockFailed' });
    await st.startSession({ connector: 1, idTag: 'CARD' });
    assert.deepEqual(await peer.call('UnlockConnector', { connectorId: 1 }), { status: 'Unlocked' });
    const stop = await csms.waitFor((r) => r.identity === st.identity && r.action === 'StopTransaction');
    assert.equal(stop.payload.reason, 'UnlockCommand');
  });

  it('GetConfiguration lists real keys and reports unknown ones; ChangeConfiguration validates and applies', async () => {
    const st = await booted();
    const peer = await csms.peer(st.identity);
    const all = (await peer.call('GetConfiguration', {})) as { configurationKey: { key: string; readonly: boolean; value?: string }[] };
    const byKey = new Map(all.configurationKey.map((k) => [k.key, k]));
    for (const k of ['HeartbeatInterval', 'MeterValueSampleInterval', 'NumberOfConnectors', 'SupportedFeatureProfiles', 'AuthorizeRemoteTxRequests']) {
      assert.ok(byKey.has(k), k);
    }
    assert.deepEqual(byKey.get('NumberOfConnectors'), { key: 'NumberOfConnectors', readonly: true, value: '2' });
    assert.equal(byKey.get('HeartbeatInterval')!.value, '300');
    assert.equal(byKey.get('AuthorizationKey')!.value, undefined, 'write-only keys never show their value');
    assert.deepEqual(await peer.call('GetConfiguration', { key: ['HeartbeatInterval', 'NoSuchKey'] }), {
      configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }], unknownKey: ['NoSuchKey'],
    });

    assert.deepEqual(await peer.call('ChangeConfiguration', { key: 'NoSuchKey', value: '1' }), { status: 'NotSupported' });
    assert.deepEqual(await peer.call('ChangeConfiguration', { key: 'NumberOfConnectors', value: '4' }), { status: 'Rejected' });
    assert.deepEqual(await peer.call('ChangeConfiguration', { key: 'HeartbeatInterval', value: 'soon' }), { status: 'Rejected' });
    assert.deepEqual(await peer.call('ChangeConfiguration', { key: 'AuthorizeRemoteTxRequests', value: 'maybe' }), { status: 'Rejected' });
    const mark = csms.received.length;
    assert.deepEqual(await peer.call('ChangeConfiguration', { key: 'HeartbeatInterval', value: '1' }), { status: 'Accepted' });
    await csms.waitFor((r) => r.identity === st.identity && r.action === 'Heartbeat', 2500, mark);
    assert.deepEqual(await peer.call('GetConfiguration', { key: ['HeartbeatInterval'] }), {
      configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '1' }],
    });
    // with AuthorizeRemoteTxRequests on, a remote start checks the token first
    assert.deepEqual(await peer.call('ChangeConfiguration', { key: 'AuthorizeRemoteTxRequests', value: 'true' }), { status: 'Accepted' });
    await peer.call('RemoteStartTransaction', { idTag: 'REMOTE9' });
    const auth = await csms.waitFor((r) => r.identity === st.identity && r.action === 'Authorize');
    assert.equal(auth.payload.idTag, 'REMOTE9');
  });

  it('ClearCache, DataTransfer and TriggerMessage answer and act', async () => {
    const st = await booted();
    const peer = await csms.peer(st.identity);
    assert.deepEqual(await peer.call('ClearCache', {}), { status: 'Accepted' });
    assert.deepEqual(await peer.call('DataTransfer', { vendorId: 'ACME' }), { status: 'UnknownVendorId' });
    assert.deepEqual(await peer.call('DataTransfer', { vendorId: 'OV2X', messageId: 'Other' }), { status: 'UnknownMessageId' });
    assert.deepEqual(await peer.call('DataTransfer', { vendorId: 'OV2X', messageId: 'Echo', data: 'ping' }), { status: 'Accepted', data: 'ping' });

    const expect = async (requestedMessage: string, connectorId: number | undefined, action: string): Promise<Received> => {
      const mark = csms.received.length;
      const req = connectorId === undefined ? { requestedMessage } : { requestedMessage, connectorId };
      assert.deepEqual(await peer.call('TriggerMessage', req), { status: 'Accepted' }, requestedMessage);
      return csms.waitFor((r) => r.identity === st.identity && r.action === action, 3000, mark);
    };
    await expect('Heartbeat', undefined, 'Heartbeat');
    await expect('BootNotification', undefined, 'BootNotification');
    await expect('DiagnosticsStatusNotification', undefined, 'DiagnosticsStatusNotification');
    await expect('FirmwareStatusNotification', undefined, 'FirmwareStatusNotification');
    assert.equal((await expect('StatusNotification', 2, 'StatusNotification')).payload.connectorId, 2);
    const idle = await expect('MeterValues', 1, 'MeterValues');
    assert.equal(idle.payload.transactionId, undefined);
    assert.equal(idle.payload.meterValue[0].sampledValue[0].context, 'Trigger');
    const txn = await st.startSession({ connector: 1, idTag: 'CARD' });
    assert.equal((await expect('MeterValues', 1, 'MeterValues')).payload.transactionId, txn);
    assert.deepEqual(await peer.call('TriggerMessage', { requestedMessage: 'Heartbeat', connectorId: 7 }), { status: 'Rejected' });
  });

  it('Reset ends the session, reconnects and boots again; a rotated AuthorizationKey is used from then on', async () => {
    const st = await booted({ identity: 'CP16-SECRET', password: 'correct horse battery', behaviour: { rebootDelayMs: 50 } });
    const peer = await csms.peer(st.identity);
    const txn = await st.startSession({ connector: 1, idTag: 'CARD' });
    assert.deepEqual(await peer.call('ChangeConfiguration', { key: 'AuthorizationKey', value: 'short' }), { status: 'Rejected' });
    assert.deepEqual(await peer.call('ChangeConfiguration', { key: 'AuthorizationKey', value: 'a brand new password!' }), { status: 'Accepted' });
    csms.options.passwords!.set('CP16-SECRET', 'a brand new password!');
    assert.deepEqual(await peer.call('Reset', { type: 'Soft' }), { status: 'Accepted' });
    const stop = await csms.waitFor((r) => r.identity === st.identity && r.action === 'StopTransaction');
    assert.deepEqual([stop.payload.transactionId, stop.payload.reason], [txn, 'SoftReset']);
    await csms.waitFor((r) => r.identity === st.identity && r.action === 'StatusNotification' && r.payload.connectorId === 2, 3000, csms.received.indexOf(stop));
    assert.equal(csms.connections.get(st.identity), 2);
    assert.equal(csms.of(st.identity, 'BootNotification').length, 2);
    assert.ok(st.connected);
  });
});
