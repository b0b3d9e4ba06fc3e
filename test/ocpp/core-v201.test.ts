import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StationCommand } from '../../src/domain/commands.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';

type Obj = Record<string, unknown>;
const ts = (offsetS = 0) => new Date(Date.now() + offsetS * 1000).toISOString();
const energy = (wh: number, context = 'Sample.Periodic') => [{ timestamp: ts(), sampledValue: [
  { value: wh / 1000, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'kWh' }, context },
  { value: 11000, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' }, context },
] }];

describe('OCPP 2.0.1 core, station → CSMS', () => {
  let p: TestPlatform;
  let c: RawClient;
  let n = 0;
  const call = async (action: string, payload: unknown): Promise<Obj> => {
    const [type, , res] = await c.call(`m${++n}`, action, payload);
    assert.equal(type, 3, `${action} answered with ${JSON.stringify(res)}`);
    return res as Obj;
  };
  const txEvent = (eventType: string, seqNo: number, transactionId: string, extra: Obj = {}) => call('TransactionEvent', {
    eventType, seqNo, timestamp: ts(), triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVCommunicationLost' : 'MeterValuePeriodic',
    transactionInfo: { transactionId, ...(eventType === 'Ended' && { stoppedReason: 'EVDisconnected' }) }, ...extra,
  });

  before(async () => {
    p = await startTestPlatform();
    const password = await p.addStation('CS201');
    await p.repos.tokens.upsert({ idToken: 'TOK-OK', status: 'Accepted', groupIdToken: 'FLEET' });
    await p.repos.tokens.upsert({ idToken: 'TOK-BL', status: 'Blocked' });
    c = await RawClient.connect(`${p.ocppUrl}/CS201`, { protocols: ['ocpp2.0.1'], user: 'CS201', password });
  });
  after(async () => {
    c.close();
    await p.stop();
  });

  it('BootNotification stores the station and answers Accepted', async () => {
    const res = await call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'DC-150', vendorName: 'Volt', serialNumber: 'S-9', firmwareVersion: '4.0', modem: { iccid: 'I', imsi: 'M' } } });
    assert.equal(res.status, 'Accepted');
    assert.equal(typeof res.interval, 'number');
    const s = await p.repos.stations.get('CS201');
    assert.deepEqual([s?.vendor, s?.model, s?.serialNumber, s?.firmwareVersion, s?.iccid, s?.protocol], ['Volt', 'DC-150', 'S-9', '4.0', 'I', 'ocpp2.0.1']);
  });

  it('Heartbeat and StatusNotification', async () => {
    assert.ok((await call('Heartbeat', {})).currentTime);
    await call('StatusNotification', { timestamp: ts(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    const live = await p.repos.connectors.listByStation('CS201');
    assert.deepEqual(live.map((x) => [x.evseId, x.connectorId, x.status]), [[1, 1, 'Occupied']]);
  });

  it('Authorize answers idTokenInfo with the 2.0.1 statuses', async () => {
    const ok = (await call('Authorize', { idToken: { idToken: 'TOK-OK', type: 'ISO14443' } })).idTokenInfo as Obj;
    assert.deepEqual(ok, { status: 'Accepted', groupIdToken: { idToken: 'FLEET', type: 'Central' } });
    assert.equal(((await call('Authorize', { idToken: { idToken: 'TOK-BL', type: 'ISO14443' } })).idTokenInfo as Obj).status, 'Blocked');
    assert.equal(((await call('Authorize', { idToken: { idToken: 'NOBODY', type: 'ISO14443' } })).idTokenInfo as Obj).status, 'Unknown');
  });

  it('TransactionEvent Started/Updated/Ended: state, energy, seqNo gaps, offline flag', async () => {
    const started = await txEvent('Started', 0, 'TX-1', { idToken: { idToken: 'TOK-OK', type: 'ISO14443' }, evse: { id: 1, connectorId: 1 }, meterValue: energy(10_000, 'Transaction.Begin') });
    assert.equal((started.idTokenInfo as Obj).status, 'Accepted');
    await txEvent('Updated', 1, 'TX-1', { meterValue: energy(12_000), transactionInfo: { transactionId: 'TX-1', chargingState: 'Charging' } });
    await txEvent('Updated', 3, 'TX-1', { meterValue: energy(14_000), offline: true });
    await txEvent('Ended', 4, 'TX-1', { meterValue: energy(15_500, 'Transaction.End') });
    const tx = await p.repos.transactions.findByRef('CS201', 'TX-1');
    assert.deepEqual([tx?.state, tx?.evseId, tx?.idToken, tx?.meterStartWh, tx?.meterStopWh, tx?.energyWh, tx?.lastSeqNo, tx?.seqGaps, tx?.stopReason],
      ['ended', 1, await p.services.privacy.pseudonym('TOK-OK'), 10_000, 15_500, 5_500, 4, 1, 'EVDisconnected']);
    assert.equal((await p.repos.meterValues.listByTransaction(tx!.id)).length, 4);
  });

  it('a repeated Started (offline replay) does not create a second transaction', async () => {
    await txEvent('Started', 0, 'TX-2', { evse: { id: 2, connectorId: 1 }, offline: true });
    await txEvent('Started', 0, 'TX-2', { evse: { id: 2, connectorId: 1 }, offline: true });
    const all = await p.repos.transactions.list({ stationId: 'CS201', limit: 100, offset: 0 });
    assert.equal(all.filter((t) => t.transactionRef === 'TX-2').length, 1);
    await txEvent('Ended', 1, 'TX-2');
  });

  it('an Updated/Ended event for a transaction never seen is recovered, not lost', async () => {
    await txEvent('Updated', 5, 'TX-LOST', { evse: { id: 1 }, meterValue: energy(500) });
    await txEvent('Ended', 6, 'TX-LOST', { meterValue: energy(900) });
    const tx = await p.repos.transactions.findByRef('CS201', 'TX-LOST');
    assert.equal(tx?.state, 'ended');
    assert.equal(tx?.meterStopWh, 900);
  });

  it('events replayed after a transaction ended change nothing and are recorded', async () => {
    const ended = await p.repos.transactions.findByRef('CS201', 'TX-1');
    await txEvent('Started', 0, 'TX-1', { evse: { id: 1, connectorId: 1 } });
    await txEvent('Updated', 9, 'TX-1', { meterValue: energy(99_000) });
    assert.deepEqual(await p.repos.transactions.findByRef('CS201', 'TX-1'), ended);
    const events = await p.repos.securityEvents.list({ stationId: 'CS201', limit: 20 });
    assert.ok(events.some((e) => e.type === 'TransactionAlreadyEnded'));
  });

  it('MeterValues outside a transaction are stored verbatim (signed values included)', async () => {
    const signed = { signedMeterData: 'BASE64DATA', signingMethod: 'ECDSA', encodingMethod: 'OCMF', publicKey: 'PK' };
    await call('MeterValues', { evseId: 1, meterValue: [{ timestamp: ts(), sampledValue: [{ value: 230, measurand: 'Voltage', signedMeterValue: signed }] }] });
    const rows = await p.store.db.selectFrom('meterValues').selectAll().where('stationId', '=', 'CS201').where('transactionId', 'is', null).execute();
    assert.equal(rows.length, 1);
    assert.deepEqual((rows[0]!.sampledValue as Obj[])[0]!.signedMeterValue, signed);
  });

  it('NotifyReport parts are assembled into the device model store', async () => {
    const report = (seqNo: number, tbc: boolean, reportData: unknown[]) => call('NotifyReport', { requestId: 7, generatedAt: ts(), seqNo, tbc, reportData });
    await report(0, true, [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, variableAttribute: [{ type: 'Actual', value: '300', mutability: 'ReadWrite' }], variableCharacteristics: { dataType: 'integer', supportsMonitoring: false, unit: 's' } }]);
    await report(1, false, [{ component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, variableAttribute: [{ type: 'Actual', value: '22000', mutability: 'ReadOnly' }, { type: 'MaxSet', value: '22000' }] }]);
    const vars = await p.services.deviceModel.list('CS201');
    assert.equal(vars.length, 3);
    const hb = vars.find((v) => v.variable === 'HeartbeatInterval');
    assert.equal(hb?.value, '300');
    assert.deepEqual(hb?.characteristics, { dataType: 'integer', supportsMonitoring: false, unit: 's' });
    await report(0, false, [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, variableAttribute: [{ type: 'Actual', value: '60' }] }]);
    assert.equal((await p.services.deviceModel.list('CS201', { variable: 'HeartbeatInterval' }))[0]?.value, '60');
  });

  it('DataTransfer routes by vendor', async () => {
    assert.equal((await call('DataTransfer', { vendorId: 'x' })).status, 'UnknownVendorId');
  });
});

describe('OCPP 2.0.1 core, CSMS → station commands', () => {
  let p: TestPlatform;
  let c: RawClient;
  before(async () => {
    p = await startTestPlatform();
    const password = await p.addStation('CS201C');
    c = await RawClient.connect(`${p.ocppUrl}/CS201C`, { protocols: ['ocpp2.0.1'], user: 'CS201C', password });
  });
  after(async () => {
    c.close();
    await p.stop();
  });

  const table: Array<{ command: StationCommand; action: string; payload: Obj; answer: Obj }> = [
    { command: { kind: 'remoteStart', idToken: 'TOK', evseId: 1, remoteStartId: 5 }, action: 'RequestStartTransaction', payload: { idToken: { idToken: 'TOK', type: 'Central' }, remoteStartId: 5, evseId: 1 }, answer: { status: 'Accepted' } },
    { command: { kind: 'remoteStop', transactionRef: 'TX-9' }, action: 'RequestStopTransaction', payload: { transactionId: 'TX-9' }, answer: { status: 'Accepted' } },
    { command: { kind: 'reset', mode: 'hard' }, action: 'Reset', payload: { type: 'Immediate' }, answer: { status: 'Accepted' } },
    { command: { kind: 'changeAvailability', evseId: 1, connectorId: 1, available: false }, action: 'ChangeAvailability', payload: { operationalStatus: 'Inoperative', evse: { id: 1, connectorId: 1 } }, answer: { status: 'Accepted' } },
    { command: { kind: 'unlockConnector', evseId: 1, connectorId: 1 }, action: 'UnlockConnector', payload: { evseId: 1, connectorId: 1 }, answer: { status: 'Unlocked' } },
    { command: { kind: 'clearCache' }, action: 'ClearCache', payload: {}, answer: { status: 'Accepted' } },
    { command: { kind: 'triggerMessage', message: 'Heartbeat' }, action: 'TriggerMessage', payload: { requestedMessage: 'Heartbeat' }, answer: { status: 'Accepted' } },
    { command: { kind: 'getVariables', variables: [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' }] }, action: 'GetVariables',
      payload: { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] },
      answer: { getVariableResult: [{ attributeStatus: 'Accepted', attributeValue: '300', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] } },
    { command: { kind: 'setVariables', variables: [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '60' }] }, action: 'SetVariables',
      payload: { setVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '60' }] },
      answer: { setVariableResult: [{ attributeStatus: 'Accepted', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] } },
    { command: { kind: 'getBaseReport', reportBase: 'FullInventory', requestId: 3 }, action: 'GetBaseReport', payload: { requestId: 3, reportBase: 'FullInventory' }, answer: { status: 'Accepted' } },
    { command: { kind: 'dataTransfer', vendorId: 'v' }, action: 'DataTransfer', payload: { vendorId: 'v' }, answer: { status: 'Accepted' } },
  ];
  for (const t of table) {
    it(`${t.command.kind} → ${t.action}`, async () => {
      const pending = p.bus.send('CS201C', t.command);
      const frame = (await c.next()) as [number, string, string, Obj];
      assert.deepEqual([frame[0], frame[2], frame[3]], [2, t.action, t.payload]);
      c.send(JSON.stringify([3, frame[1], t.answer]));
      assert.deepEqual((await pending).response, t.answer);
    });
  }

  it('1.6-only commands are NotSupported on 2.0.1', async () => {
    const err = await p.bus.send('CS201C', { kind: 'getConfiguration' }).catch((e: { reason: string }) => e);
    assert.equal((err as { reason: string }).reason, 'NotSupported');
  });
});
