import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CallFailed } from '../../src/ocpp/rpc/call-failed.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';

type Obj = Record<string, unknown>;
const ts = (offsetS = 0) => new Date(Date.now() + offsetS * 1000).toISOString();

describe('OCPP 1.6 core profile, charge point → CSMS', () => {
  let p: TestPlatform;
  let c: RawClient;
  let n = 0;
  const call = async (action: string, payload: unknown): Promise<Obj> => {
    const [type, , res] = await c.call(`m${++n}`, action, payload);
    assert.equal(type, 3, `${action} answered with ${JSON.stringify(res)}`);
    return res as Obj;
  };

  before(async () => {
    p = await startTestPlatform({ heartbeatInterval: 120 });
    const password = await p.addStation('CP16');
    await p.repos.tokens.upsert({ idToken: 'TAG-OK', status: 'Accepted', expiresAt: new Date(Date.now() + 86400_000), groupIdToken: 'GROUP-1' });
    await p.repos.tokens.upsert({ idToken: 'TAG-BLOCKED', status: 'Blocked' });
    await p.repos.tokens.upsert({ idToken: 'TAG-OLD', status: 'Accepted', expiresAt: new Date(Date.now() - 1000) });
    c = await RawClient.connect(`${p.ocppUrl}/CP16`, { protocols: ['ocpp1.6'], user: 'CP16', password });
  });
  after(async () => {
    c.close();
    await p.stop();
  });

  it('BootNotification stores the station facts and answers Accepted with the interval', async () => {
    const res = await call('BootNotification', { chargePointVendor: 'ACME', chargePointModel: 'Wall-22', chargePointSerialNumber: 'SN-1', firmwareVersion: '1.2.3', iccid: 'ICC', imsi: 'IMSI', meterType: 'M', meterSerialNumber: 'MSN' });
    assert.equal(res.status, 'Accepted');
    assert.equal(res.interval, 120);
    assert.ok(Math.abs(Date.parse(String(res.currentTime)) - Date.now()) < 5000);
    const s = await p.repos.stations.get('CP16');
    assert.deepEqual([s?.vendor, s?.model, s?.serialNumber, s?.firmwareVersion, s?.protocol, s?.meterSerialNumber], ['ACME', 'Wall-22', 'SN-1', '1.2.3', 'ocpp1.6', 'MSN']);
    assert.ok(s?.lastBootAt);
  });

  it('Heartbeat answers the current time', async () => {
    const res = await call('Heartbeat', {});
    assert.ok(Math.abs(Date.parse(String(res.currentTime)) - Date.now()) < 5000);
  });

  it('StatusNotification updates live status and history; an older report does not override', async () => {
    await call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: ts(-10) });
    await call('StatusNotification', { connectorId: 1, errorCode: 'GroundFailure', status: 'Faulted', timestamp: ts(-5) });
    await call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: ts(-20) });
    await call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' });
    const live = await p.repos.connectors.listByStation('CP16');
    const c1 = live.find((x) => x.evseId === 1);
    assert.deepEqual([c1?.status, c1?.errorCode], ['Faulted', 'GroundFailure']);
    assert.ok(live.some((x) => x.evseId === 0 && x.connectorId === 0));
    const history = await p.repos.connectors.history('CP16', { limit: 10 });
    assert.equal(history.length, 4);
  });

  it('Authorize answers each token status; unknown is Invalid in 1.6', async () => {
    const ok = (await call('Authorize', { idTag: 'TAG-OK' })).idTagInfo as Obj;
    assert.equal(ok.status, 'Accepted');
    assert.equal(ok.parentIdTag, 'GROUP-1');
    assert.ok(ok.expiryDate);
    assert.equal(((await call('Authorize', { idTag: 'TAG-BLOCKED' })).idTagInfo as Obj).status, 'Blocked');
    assert.equal(((await call('Authorize', { idTag: 'TAG-OLD' })).idTagInfo as Obj).status, 'Expired');
    assert.equal(((await call('Authorize', { idTag: 'WHO' })).idTagInfo as Obj).status, 'Invalid');
  });

  it('Start → MeterValues → Stop persists the transaction, its meter values and energy', async () => {
    const start = await call('StartTransaction', { connectorId: 1, idTag: 'TAG-OK', meterStart: 1000, timestamp: ts(-60) });
    const txId = start.transactionId as number;
    assert.ok(Number.isInteger(txId) && txId > 0);
    assert.equal((start.idTagInfo as Obj).status, 'Accepted');
    for (let i = 1; i <= 3; i++) {
      await call('MeterValues', { connectorId: 1, transactionId: txId, meterValue: [{ timestamp: ts(-60 + i * 10), sampledValue: [
        { value: String(1000 + i * 500), measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' },
        { value: '7200', measurand: 'Power.Active.Import', unit: 'W' },
      ] }] });
    }
    const stop = await call('StopTransaction', { transactionId: txId, idTag: 'TAG-OK', meterStop: 3000, timestamp: ts(), reason: 'EVDisconnected',
      transactionData: [{ timestamp: ts(), sampledValue: [{ value: '3.0', unit: 'kWh', context: 'Transaction.End' }] }] });
    assert.equal((stop.idTagInfo as Obj).status, 'Accepted');
    const tx = await p.repos.transactions.get(txId);
    assert.deepEqual([tx?.state, tx?.meterStartWh, tx?.meterStopWh, tx?.energyWh, tx?.stopReason, tx?.transactionRef], ['ended', 1000, 3000, 2000, 'EVDisconnected', String(txId)]);
    const mv = await p.repos.meterValues.listByTransaction(txId);
    assert.equal(mv.length, 4);
    assert.deepEqual((mv[0]!.sampledValue as Obj[])[0], { value: '1500', measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' });
  });

  it('StopTransaction twice or for an unknown id is answered, changes nothing, and is recorded', async () => {
    const { transactionId } = await call('StartTransaction', { connectorId: 2, idTag: 'TAG-OK', meterStart: 0, timestamp: ts(-5) });
    await call('StopTransaction', { transactionId, meterStop: 100, timestamp: ts() });
    const first = await p.repos.transactions.get(transactionId as number);
    await call('StopTransaction', { transactionId, meterStop: 999, timestamp: ts() });
    await call('StopTransaction', { transactionId: 987654, meterStop: 1, timestamp: ts() });
    const again = await p.repos.transactions.get(transactionId as number);
    assert.deepEqual(again, first);
    const events = await p.repos.securityEvents.list({ stationId: 'CP16', limit: 10 });
    assert.ok(events.some((e) => e.type === 'TransactionAlreadyEnded'));
    assert.ok(events.some((e) => e.type === 'UnknownTransaction'));
  });

  it('StartTransaction with an unknown token is recorded but answered Invalid', async () => {
    const r = await call('StartTransaction', { connectorId: 2, idTag: 'STRANGER', meterStart: 0, timestamp: ts() });
    assert.equal((r.idTagInfo as Obj).status, 'Invalid');
    await call('StopTransaction', { transactionId: r.transactionId, meterStop: 0, timestamp: ts(), reason: 'DeAuthorized' });
  });

  it('DataTransfer to an unknown vendor answers UnknownVendorId; a registered vendor handler answers', async () => {
    assert.equal((await call('DataTransfer', { vendorId: 'nobody' })).status, 'UnknownVendorId');
    p.services.dataTransfer.register('acme', async (messageId, data) => ({ status: 'Accepted', data: `${messageId}:${String(data)}` }));
    assert.deepEqual(await call('DataTransfer', { vendorId: 'acme', messageId: 'ping', data: 'x' }), { status: 'Accepted', data: 'ping:x' });
  });
});

describe('OCPP 1.6 core profile, CSMS → charge point commands', () => {
  let p: TestPlatform;
  let c: RawClient;
  before(async () => {
    p = await startTestPlatform({ callTimeout: 500 });
    const password = await p.addStation('CP16C');
    c = await RawClient.connect(`${p.ocppUrl}/CP16C`, { protocols: ['ocpp1.6'], user: 'CP16C', password });
  });
  after(async () => {
    c.close();
    await p.stop();
  });

  /** Sends a command through the bus, answers it as the station, returns [CALL frame, result]. */
  const exchange = async (command: Parameters<TestPlatform['bus']['send']>[1], answer: Obj) => {
    const pending = p.bus.send('CP16C', command);
    const frame = (await c.next()) as [number, string, string, Obj];
    c.send(JSON.stringify([3, frame[1], answer]));
    return [frame, await pending] as const;
  };

  const table: Array<{ command: Parameters<TestPlatform['bus']['send']>[1]; action: string; payload: Obj; answer: Obj }> = [
    { command: { kind: 'remoteStart', idToken: 'TAG', evseId: 2 }, action: 'RemoteStartTransaction', payload: { idTag: 'TAG', connectorId: 2 }, answer: { status: 'Accepted' } },
    { command: { kind: 'remoteStop', transactionRef: '42' }, action: 'RemoteStopTransaction', payload: { transactionId: 42 }, answer: { status: 'Accepted' } },
    { command: { kind: 'reset', mode: 'soft' }, action: 'Reset', payload: { type: 'Soft' }, answer: { status: 'Accepted' } },
    { command: { kind: 'changeAvailability', evseId: 0, available: false }, action: 'ChangeAvailability', payload: { connectorId: 0, type: 'Inoperative' }, answer: { status: 'Scheduled' } },
    { command: { kind: 'unlockConnector', evseId: 1, connectorId: 1 }, action: 'UnlockConnector', payload: { connectorId: 1 }, answer: { status: 'Unlocked' } },
    { command: { kind: 'getConfiguration', keys: ['HeartbeatInterval'] }, action: 'GetConfiguration', payload: { key: ['HeartbeatInterval'] }, answer: { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] } },
    { command: { kind: 'changeConfiguration', key: 'HeartbeatInterval', value: '60' }, action: 'ChangeConfiguration', payload: { key: 'HeartbeatInterval', value: '60' }, answer: { status: 'Accepted' } },
    { command: { kind: 'clearCache' }, action: 'ClearCache', payload: {}, answer: { status: 'Accepted' } },
    { command: { kind: 'dataTransfer', vendorId: 'acme', messageId: 'm', data: 'd' }, action: 'DataTransfer', payload: { vendorId: 'acme', messageId: 'm', data: 'd' }, answer: { status: 'Accepted', data: 'ok' } },
    { command: { kind: 'triggerMessage', message: 'StatusNotification', evseId: 1 }, action: 'TriggerMessage', payload: { requestedMessage: 'StatusNotification', connectorId: 1 }, answer: { status: 'Accepted' } },
  ];
  for (const t of table) {
    it(`${t.command.kind} → ${t.action}`, async () => {
      const [frame, result] = await exchange(t.command, t.answer);
      assert.deepEqual([frame[0], frame[2], frame[3]], [2, t.action, t.payload]);
      assert.deepEqual(result.response, t.answer);
    });
  }

  it('a Rejected answer is a typed Rejected error carrying the response', async () => {
    const err = await exchange({ kind: 'reset', mode: 'hard' }, { status: 'Rejected' }).then(() => assert.fail(), (e: unknown) => e);
    assert.ok(err instanceof CallFailed);
    assert.equal(err.reason, 'Rejected');
    assert.deepEqual(err.response, { status: 'Rejected' });
  });

  it('a CALLERROR answer is a typed CallError', async () => {
    const pending = p.bus.send('CP16C', { kind: 'clearCache' });
    const frame = (await c.next()) as unknown[];
    c.send(JSON.stringify([4, frame[1], 'NotSupported', 'nope', {}]));
    const err = await pending.then(() => assert.fail(), (e: unknown) => e as CallFailed);
    assert.equal(err.reason, 'CallError');
    assert.equal(err.callError?.code, 'NotSupported');
  });

  it('a schema-invalid answer is a typed InvalidResponse', async () => {
    const err = await exchange({ kind: 'clearCache' }, { status: 'Maybe' }).then(() => assert.fail(), (e: unknown) => e as CallFailed);
    assert.equal(err.reason, 'InvalidResponse');
  });

  it('a station that never answers gives Timeout, and the next command still goes through', async () => {
    const err = await p.bus.send('CP16C', { kind: 'clearCache' }).then(() => assert.fail(), (e: unknown) => e as CallFailed);
    assert.equal(err.reason, 'Timeout');
    await c.next(); // the unanswered CALL
    const [, result] = await exchange({ kind: 'clearCache' }, { status: 'Accepted' });
    assert.equal(result.status, 'Accepted');
  });

  it('keeps one CALL outstanding: the second command waits until the first is answered', async () => {
    const a = p.bus.send('CP16C', { kind: 'clearCache' });
    const b = p.bus.send('CP16C', { kind: 'reset', mode: 'soft' });
    const first = (await c.next()) as unknown[];
    await assert.rejects(c.next(200), /no message/);
    c.send(JSON.stringify([3, first[1], { status: 'Accepted' }]));
    const second = (await c.next()) as unknown[];
    assert.equal(second[2], 'Reset');
    c.send(JSON.stringify([3, second[1], { status: 'Accepted' }]));
    await Promise.all([a, b]);
  });

  it('2.0.1-only commands and offline stations fail with typed errors; invalid input is never sent', async () => {
    const failure = (r: Promise<unknown>) => r.then(() => assert.fail('expected a failure'), (e: unknown) => e as CallFailed);
    assert.equal((await failure(p.bus.send('CP16C', { kind: 'getVariables', variables: [] }))).reason, 'NotSupported');
    assert.equal((await failure(p.bus.send('NOBODY', { kind: 'clearCache' }))).reason, 'Offline');
    assert.equal((await failure(p.bus.send('CP16C', { kind: 'remoteStop', transactionRef: 'abc' }))).reason, 'InvalidRequest');
    assert.equal((await failure(p.bus.send('CP16C', { kind: 'remoteStart', idToken: 'X'.repeat(21) }))).reason, 'InvalidRequest');
    await assert.rejects(c.next(200), /no message/);
  });
});
