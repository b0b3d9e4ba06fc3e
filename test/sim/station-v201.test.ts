import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SimulatedStation } from '../../src/sim/station.js';
import type { StationOptions } from '../../src/sim/types.js';
import { startCsms, type Received, type TinyCsms } from './csms.js';

let csms: TinyCsms;
const open: SimulatedStation[] = [];
let seq = 0;

async function booted(extra: Partial<StationOptions> = {}): Promise<SimulatedStation> {
  const st = new SimulatedStation({ url: csms.url, identity: `CS201-${++seq}`, protocol: '2.0.1', meterIntervalMs: 100, ...extra });
  open.push(st);
  await st.connect();
  assert.equal((await st.boot()).status, 'Accepted');
  return st;
}

const measure = (r: Received, measurand: string): number | undefined =>
  r.payload.meterValue?.[0].sampledValue.find((v: { measurand: string }) => v.measurand === measurand)?.value;

const events = (st: SimulatedStation): Received[] => csms.of(st.identity, 'TransactionEvent');

before(async () => {
  csms = await startCsms({ passwords: new Map([['CS201-SECRET', 'correct horse battery']]), tokenStatus: (t) => (t === 'BADTAG' ? 'Blocked' : 'Accepted') });
});
after(async () => {
  await Promise.all(open.map((s) => s.close()));
  await csms.close();
});

describe('OCPP 2.0.1 station: messages it sends', () => {
  it('boots (reason PowerUp) and sends heartbeats at the interval the CSMS gives', async () => {
    csms.options.interval = 1;
    const st = await booted();
    csms.options.interval = 300;
    const boot = csms.of(st.identity, 'BootNotification')[0]!.payload;
    assert.equal(boot.reason, 'PowerUp');
    assert.deepEqual(boot.chargingStation, { vendorName: 'OV2X', model: 'SimCharger', serialNumber: `SN-${st.identity}`, firmwareVersion: '1.0.0' });
    await csms.waitFor((r) => r.identity === st.identity && r.action === 'Heartbeat', 2500);
  });

  it('runs a whole session: Started seqNo 0, Updated with rising seqNo and register, Ended', async () => {
    const st = await booted();
    const summary = await st.runSession({ connector: 2, durationMs: 450, intervalMs: 100, powerW: 22_000, idTag: 'CARD-A' });
    const msgs = csms.of(st.identity).slice(1);
    assert.deepEqual(msgs.slice(0, 3).map((m) => m.action), ['Authorize', 'StatusNotification', 'TransactionEvent']);
    assert.deepEqual(msgs.slice(-2).map((m) => m.action), ['TransactionEvent', 'StatusNotification']);
    assert.deepEqual(msgs.filter((m) => m.action === 'StatusNotification').map((m) => [m.payload.evseId, m.payload.connectorStatus]), [[2, 'Occupied'], [2, 'Available']]);
    const tx = events(st);
    const started = tx[0]!.payload;
    assert.equal(started.eventType, 'Started');
    assert.equal(started.seqNo, 0);
    assert.equal(started.triggerReason, 'Authorized');
    assert.deepEqual(started.idToken, { idToken: 'CARD-A', type: 'ISO14443' });
    assert.deepEqual(started.evse, { id: 2, connectorId: 1 });
    assert.match(started.transactionInfo.transactionId, /^[0-9a-f-]{36}$/);
    assert.equal(summary.transactionId, started.transactionInfo.transactionId);
    const updated = tx.filter((e) => e.payload.eventType === 'Updated');
    assert.ok(updated.length >= 3, `${updated.length} Updated events`);
    tx.forEach((e, i) => {
      assert.equal(e.payload.seqNo, i, 'seqNo counts up without gaps');
      assert.equal(e.payload.transactionInfo.transactionId, summary.transactionId);
    });
    const register = updated.map((e) => measure(e, 'Energy.Active.Import.Register')!);
    register.forEach((wh, i) => assert.ok(typeof wh === 'number' && wh >= (register[i - 1] ?? 0)));
    assert.equal(measure(updated[0]!, 'Power.Active.Import'), 22_000);
    const ended = tx.at(-1)!.payload;
    assert.equal(ended.eventType, 'Ended');
    assert.equal(ended.transactionInfo.stoppedReason, 'Local');
    assert.equal(ended.triggerReason, 'StopAuthorized');
    assert.equal(measure(tx.at(-1)!, 'Energy.Active.Import.Register'), summary.meterStopWh);
    assert.ok(summary.meterStopWh >= register.at(-1)! && summary.meterStopWh > 0);
  });

  it('reports V2X discharging as export register and export power', async () => {
    const st = await booted();
    const txn = await st.startSession({ connector: 1, idTag: 'CARD-V2X', meterStartWh: 5000 });
    await st.sendMeterValues(txn, 5200, 11_000);
    await st.sendMeterValues(txn, 5200, -7400, 150);
    await assert.rejects(st.sendMeterValues(txn, 5200, -7400, 100), RangeError);
    await st.stopSession(txn, 'EVDisconnected');
    const [, , discharge, ended] = events(st);
    assert.equal(measure(discharge!, 'Energy.Active.Export.Register'), 150);
    assert.equal(measure(discharge!, 'Power.Active.Export'), 7400);
    assert.equal(discharge!.payload.transactionInfo.chargingState, undefined, 'state unchanged: still charging/discharging');
    assert.equal(ended!.payload.transactionInfo.stoppedReason, 'EVDisconnected');
    assert.equal(ended!.payload.triggerReason, 'EVDeparted');
    assert.equal(measure(ended!, 'Energy.Active.Export.Register'), 150);
  });

  it('ends a transaction whose token the CSMS blocks in the TransactionEvent answer', async () => {
    const st = await booted();
    await assert.rejects(st.startSession({ connector: 1, idTag: 'BADTAG', authorize: false }), /Blocked/);
    const [started, ended] = events(st);
    assert.equal(started!.payload.eventType, 'Started');
    assert.deepEqual([ended!.payload.eventType, ended!.payload.transactionInfo.stoppedReason, ended!.payload.triggerReason], ['Ended', 'DeAuthorized', 'Deauthorized']);
    assert.deepEqual(st.transactions(), []);
  });
});

describe('OCPP 2.0.1 station: answers to CSMS commands', () => {
  it('RequestStartTransaction starts a transaction with the remoteStartId; RequestStopTransaction ends it', async () => {
    const st = await booted();
    const peer = await csms.peer(st.identity);
    const req = { idToken: { idToken: 'APP-USER-1', type: 'Central' }, remoteStartId: 42, evseId: 2 };
    assert.deepEqual(await peer.call('RequestStartTransaction', req), { status: 'Accepted' });
    const started = await csms.waitFor((r) => r.identity === st.identity && r.action === 'TransactionEvent');
    assert.equal(started.payload.triggerReason, 'RemoteStart');
    assert.equal(started.payload.transactionInfo.remoteStartId, 42);
    assert.deepEqual(started.payload.evse, { id: 2, connectorId: 1 });
    assert.deepEqual(started.payload.idToken, { idToken: 'APP-USER-1', type: 'Central' });
    assert.deepEqual(await peer.call('RequestStartTransaction', { ...req, remoteStartId: 43 }), { status: 'Rejected' }, 'EVSE busy');
    const txn = started.payload.transactionInfo.transactionId as string;
    await csms.waitFor((r) => r.identity === st.identity && r.action === 'TransactionEvent' && r.payload.eventType === 'Updated');

    assert.deepEqual(await peer.call('RequestStopTransaction', { transactionId: 'no-such-transaction' }), { status: 'Rejected' });
    assert.deepEqual(await peer.call('RequestStopTransaction', { transactionId: txn }), { status: 'Accepted' });
    const ended = await csms.waitFor((r) => r.identity === st.identity && r.action === 'TransactionEvent' && r.payload.eventType === 'Ended');
    assert.deepEqual([ended.payload.transactionInfo.stoppedReason, ended.payload.triggerReason], ['Remote', 'RemoteStop']);
  });

  it('Reset: OnIdle waits for the session, Immediate ends it; both come back with BootNotification RemoteReset', async () => {
    const st = await booted({ behaviour: { rebootDelayMs: 50 } });
    const peer = await csms.peer(st.identity);
    assert.deepEqual(await peer.call('Reset', { type: 'Immediate', evseId: 1 }), { status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRequest' } });
    const txn = await st.startSession({ connector: 1, idTag: 'CARD' });
    assert.deepEqual(await peer.call('Reset', { type: 'OnIdle' }), { status: 'Scheduled' });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(csms.of(st.identity, 'BootNotification').length, 1, 'no reset while charging');
    await st.stopSession(txn);
    const reboot = await csms.waitFor((r) => r.identity === st.identity && r.action === 'BootNotification' && r.payload.reason === 'RemoteReset');
    await csms.waitFor((r) => r.identity === st.identity && r.action === 'StatusNotification' && r.payload.evseId === 2, 3000, csms.received.indexOf(reboot));
    assert.equal(csms.connections.get(st.identity), 2);

    const peer2 = await csms.peer(st.identity);
    const txn2 = await st.startSession({ connector: 2, idTag: 'CARD' });
    const mark = csms.received.length;
    assert.deepEqual(await peer2.call('Reset', { type: 'Immediate' }), { status: 'Accepted' });
    const ended = await csms.waitFor((r) => r.identity === st.identity && r.action === 'TransactionEvent' && r.payload.eventType === 'Ended', 3000, mark);
    assert.deepEqual([ended.payload.transactionInfo.transactionId, ended.payload.transactionInfo.stoppedReason, ended.payload.triggerReason], [txn2, 'ImmediateReset', 'ResetCommand']);
    await csms.waitFor((r) => r.identity === st.identity && r.action === 'BootNotification' && r.payload.reason === 'RemoteReset', 3000, csms.received.indexOf(ended));
    assert.equal(csms.connections.get(st.identity), 3);
  });

  it('ChangeAvailability and UnlockConnector act on the EVSE', async () => {
    const st = await booted();
    const peer = await csms.peer(st.identity);
    assert.deepEqual(await peer.call('ChangeAvailability', { operationalStatus: 'Inoperative', evse: { id: 2 } }), { status: 'Accepted' });
    await csms.waitFor((r) => r.identity === st.identity && r.action === 'StatusNotification' && r.payload.evseId === 2 && r.payload.connectorStatus === 'Unavailable');
    assert.deepEqual(await peer.call('RequestStartTransaction', { idToken: { idToken: 'X', type: 'Central' }, remoteStartId: 1, evseId: 2 }), { status: 'Rejected' });
    assert.deepEqual(await peer.call('ChangeAvailability', { operationalStatus: 'Operative', evse: { id: 2 } }), { status: 'Accepted' });
    assert.deepEqual(await peer.call('ChangeAvailability', { operationalStatus: 'Operative', evse: { id: 3 } }), { status: 'Rejected' });
    const txn = await st.startSession({ connector: 1, idTag: 'CARD' });
    assert.deepEqual(await peer.call('ChangeAvailability', { operationalStatus: 'Inoperative' }), { status: 'Scheduled' });
    assert.deepEqual(await peer.call('UnlockConnector', { evseId: 1, connectorId: 1 }), { status: 'OngoingAuthorizedTransaction' });
    assert.deepEqual(await peer.call('UnlockConnector', { evseId: 2, connectorId: 1 }), { status: 'Unlocked' });
    assert.deepEqual(await peer.call('UnlockConnector', { evseId: 4, connectorId: 1 }), { status: 'UnknownConnector' });
    await st.stopSession(txn);
    assert.equal(st.connectorStatus(1), 'Unavailable');
  });

  it('GetVariables reads the device model; SetVariables validates and applies', async () => {
    const st = await booted({ identity: 'CS201-SECRET', password: 'correct horse battery', behaviour: { rebootDelayMs: 50 } });
    const peer = await csms.peer(st.identity);
    const get = async (items: object[]) =>
      ((await peer.call('GetVariables', { getVariableData: items })) as { getVariableResult: { attributeStatus: string; attributeValue?: string }[] })
        .getVariableResult.map((r) => [r.attributeStatus, r.attributeValue]);
    assert.deepEqual(await get([
      { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
      { component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' } },
      { component: { name: 'SecurityCtrlr' }, variable: { name: 'SecurityProfile' } },
      { component: { name: 'SecurityCtrlr' }, variable: { name: 'Identity' } },
      { component: { name: 'DeviceDataCtrlr' }, variable: { name: 'ItemsPerMessage', instance: 'GetReport' } },
      { component: { name: 'EVSE', evse: { id: 2 } }, variable: { name: 'AvailabilityState' } },
      { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } },
      { component: { name: 'FluxCapacitorCtrlr' }, variable: { name: 'Gigawatts' } },
      { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NoSuchVariable' } },
      { component: { name: 'EVSE', evse: { id: 9 } }, variable: { name: 'AvailabilityState' } },
      { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeType: 'MaxSet' },
    ]), [
      ['Accepted', '300'], ['Accepted', '1'], ['Accepted', '1'], ['Accepted', 'CS201-SECRET'], ['Accepted', '8'], ['Accepted', 'Available'],
      ['Rejected', undefined], ['UnknownComponent', undefined], ['UnknownVariable', undefined], ['UnknownComponent', undefined],
      ['NotSupportedAttributeType', undefined],
    ]);
    const tooMany = Array.from({ length: 17 }, () => ({ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }));
    await assert.rejects(peer.call('GetVariables', { getVariableData: tooMany }), /OccurrenceConstraintViolation/);

    const set = async (items: object[]) =>
      ((await peer.call('SetVariables', { setVariableData: items })) as { setVariableResult: { attributeStatus: string }[] })
        .setVariableResult.map((r) => r.attributeStatus);
    const mark = csms.received.length;
    assert.deepEqual(await set([
      { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '1' },
      { component: { name: 'SecurityCtrlr' }, variable: { name: 'SecurityProfile' }, attributeValue: '3' },
      { component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' }, attributeValue: 'often' },
      { component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedMeasurands' }, attributeValue: 'Energy.Active.Import.Register,Bogus' },
      { component: { name: 'NoCtrlr' }, variable: { name: 'X' }, attributeValue: '1' },
      { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, attributeValue: 'too short' },
      { component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, attributeValue: 'rotated password 0123' },
    ]), ['Accepted', 'Rejected', 'Rejected', 'Rejected', 'UnknownComponent', 'Rejected', 'Accepted']);
    await csms.waitFor((r) => r.identity === st.identity && r.action === 'Heartbeat', 2500, mark);
    assert.deepEqual(await get([{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }]), [['Accepted', '1']]);
    // the rotated password is what the station presents after its next reset
    csms.options.passwords!.set('CS201-SECRET', 'rotated password 0123');
    assert.deepEqual(await peer.call('Reset', { type: 'Immediate' }), { status: 'Accepted' });
    await csms.waitFor((r) => r.identity === st.identity && r.action === 'BootNotification' && r.payload.reason === 'RemoteReset');
    assert.equal(csms.connections.get(st.identity), 2);
  });

  it('GetBaseReport answers Accepted, then NotifyReport in parts with tbc on all but the last', async () => {
    const st = await booted();
    const peer = await csms.peer(st.identity);
    const report = async (requestId: number, reportBase: string): Promise<Received[]> => {
      const mark = csms.received.length;
      assert.deepEqual(await peer.call('GetBaseReport', { requestId, reportBase }), { status: 'Accepted' });
      await csms.waitFor((r) => r.identity === st.identity && r.action === 'NotifyReport' && r.payload.requestId === requestId && !r.payload.tbc, 3000, mark);
      return csms.received.slice(mark).filter((r) => r.identity === st.identity && r.action === 'NotifyReport' && r.payload.requestId === requestId);
    };
    const full = await report(7, 'FullInventory');
    assert.ok(full.length >= 2, `${full.length} parts`);
    full.forEach((part, i) => {
      assert.equal(part.payload.seqNo, i);
      assert.equal(part.payload.tbc, i < full.length - 1);
      assert.equal(part.payload.generatedAt, full[0]!.payload.generatedAt);
      assert.ok(part.payload.reportData.length <= 8);
    });
    const rows = full.flatMap((p) => p.payload.reportData as { component: { name: string; evse?: { id: number } }; variable: { name: string }; variableAttribute: { value?: string; mutability: string }[] }[]);
    const hb = rows.find((r) => r.component.name === 'OCPPCommCtrlr' && r.variable.name === 'HeartbeatInterval')!;
    assert.deepEqual([hb.variableAttribute[0]!.value, hb.variableAttribute[0]!.mutability], ['300', 'ReadWrite']);
    assert.equal(rows.filter((r) => r.component.name === 'EVSE' && r.variable.name === 'AvailabilityState').length, 2, 'one per EVSE');
    const pw = rows.find((r) => r.variable.name === 'BasicAuthPassword')!;
    assert.equal(pw.variableAttribute[0]!.value, undefined, 'write-only values are never reported');

    const summary = (await report(8, 'SummaryInventory')).flatMap((p) => p.payload.reportData as { variable: { name: string } }[]);
    assert.ok(summary.length > 0 && summary.every((r) => r.variable.name === 'AvailabilityState'));
    const config = (await report(9, 'ConfigurationInventory')).flatMap((p) => p.payload.reportData as { variableAttribute: { mutability: string }[] }[]);
    assert.ok(config.length > 0 && config.every((r) => r.variableAttribute[0]!.mutability !== 'ReadOnly'));
  });

  it('ClearCache, DataTransfer and TriggerMessage answer and act', async () => {
    const st = await booted();
    const peer = await csms.peer(st.identity);
    assert.deepEqual(await peer.call('ClearCache', {}), { status: 'Accepted' });
    assert.deepEqual(await peer.call('DataTransfer', { vendorId: 'ACME' }), { status: 'UnknownVendorId' });
    assert.deepEqual(await peer.call('DataTransfer', { vendorId: 'OV2X', messageId: 'Echo', data: { n: 1 } }), { status: 'Accepted', data: { n: 1 } });

    const trigger = async (requestedMessage: string, evse?: object): Promise<Record<string, unknown>> =>
      peer.call('TriggerMessage', evse ? { requestedMessage, evse } : { requestedMessage });
    const expect = async (requestedMessage: string, evse: object | undefined, action: string): Promise<Received> => {
      const mark = csms.received.length;
      assert.deepEqual(await trigger(requestedMessage, evse), { status: 'Accepted' }, requestedMessage);
      return csms.waitFor((r) => r.identity === st.identity && r.action === action, 3000, mark);
    };
    assert.deepEqual(await trigger('BootNotification'), { status: 'Rejected' }, 'already accepted');
    assert.deepEqual(await trigger('TransactionEvent'), { status: 'Rejected' }, 'no transaction running');
    assert.deepEqual(await trigger('SignCombinedCertificate'), { status: 'NotImplemented' });
    await expect('SignChargingStationCertificate', undefined, 'SignCertificate');
    assert.deepEqual(await trigger('Heartbeat', { id: 5 }), { status: 'Rejected' }, 'no such EVSE');
    await expect('Heartbeat', undefined, 'Heartbeat');
    await expect('FirmwareStatusNotification', undefined, 'FirmwareStatusNotification');
    await expect('LogStatusNotification', undefined, 'LogStatusNotification');
    assert.equal((await expect('StatusNotification', { id: 2, connectorId: 1 }, 'StatusNotification')).payload.evseId, 2);
    const mv = await expect('MeterValues', { id: 1 }, 'MeterValues');
    assert.equal(mv.payload.evseId, 1);
    assert.equal(mv.payload.meterValue[0].sampledValue[0].context, 'Trigger');
    const txn = await st.startSession({ connector: 1, idTag: 'CARD' });
    const te = await expect('TransactionEvent', undefined, 'TransactionEvent');
    assert.deepEqual([te.payload.eventType, te.payload.triggerReason, te.payload.transactionInfo.transactionId, te.payload.seqNo], ['Updated', 'Trigger', txn, 1]);
  });
});
