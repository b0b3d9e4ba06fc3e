// OCPP 2.0.1 functional block E (Transactions), CSMS side: GetTransactionStatus (E14) and
// zombie transactions (a transaction can never stay open for ever).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SimulatedStation } from '../../../src/sim/station.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';
import { RawClient } from '../../helpers/raw-client.js';
import { answerNext, bootedStation, callOk, rawStation, until, type Obj } from '../helpers.js';

const now = () => new Date().toISOString();
const energy = (wh: number, context = 'Sample.Periodic') => [{ timestamp: now(), sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' }, context }] }];
const boot = { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } };

describe('OCPP 2.0.1 block E — GetTransactionStatus (CSMS)', () => {
  let p: TestPlatform;
  let st: SimulatedStation;
  before(async () => {
    p = await startTestPlatform();
    await p.repos.tokens.upsert({ idToken: 'TOK-E', status: 'Accepted' });
    st = await bootedStation(p, 'E201-SIM', '2.0.1');
  });
  after(async () => {
    await st.close();
    await p.stop();
  });

  it('TC_E_31_CSMS Check Transaction status - Transaction with id ended - with message in queue', async () => {
    const password = await p.addStation('E201-RAW');
    const connect = () => RawClient.connect(`${p.ocppUrl}/E201-RAW`, { protocols: ['ocpp2.0.1'], user: 'E201-RAW', password });
    let c = await connect();
    try {
      await callOk(c, 'BootNotification', boot);
      await callOk(c, 'TransactionEvent', { eventType: 'Started', seqNo: 0, timestamp: now(), triggerReason: 'Authorized', transactionInfo: { transactionId: 'TXQ', chargingState: 'Charging' }, idToken: { idToken: 'TOK-E', type: 'ISO14443' }, evse: { id: 1, connectorId: 1 } });
      c.close();
      await c.closed;
      c = await connect();
      await callOk(c, 'TransactionEvent', { eventType: 'Ended', seqNo: 3, offline: true, timestamp: now(), triggerReason: 'EVCommunicationLost', transactionInfo: { transactionId: 'TXQ', chargingState: 'Idle', stoppedReason: 'EVDisconnected' } });
      const asking = p.services.commands.send('E201-RAW', { kind: 'getTransactionStatus', transactionRef: 'TXQ' });
      const [, , action, payload] = await answerNext(c, () => ({ ongoingIndicator: false, messagesInQueue: true }));
      assert.deepEqual([action, payload], ['GetTransactionStatus', { transactionId: 'TXQ' }]);
      const r = await asking;
      assert.equal(r.status, 'Accepted');
      assert.deepEqual(r.response, { ongoingIndicator: false, messagesInQueue: true });
      assert.equal((await p.repos.transactions.findByRef('E201-RAW', 'TXQ'))?.seqGaps, 2);
    } finally {
      c.close();
    }
  });

  it('GetTransactionStatus of an ongoing, an ended and no particular transaction (simulator)', async () => {
    const ref = String(await st.startSession({ connector: 1, idTag: 'TOK-E' }));
    const ongoing = await p.services.commands.send('E201-SIM', { kind: 'getTransactionStatus', transactionRef: ref });
    assert.deepEqual(ongoing.response, { ongoingIndicator: true, messagesInQueue: false });
    await st.stopSession(ref);
    const ended = await p.services.commands.send('E201-SIM', { kind: 'getTransactionStatus', transactionRef: ref });
    assert.deepEqual(ended.response, { ongoingIndicator: false, messagesInQueue: false });
    const any = await p.services.commands.send('E201-SIM', { kind: 'getTransactionStatus' });
    assert.deepEqual(any.response, { messagesInQueue: false });
  });

  it('ExtendedTriggerMessage is sent as 2.0.1 TriggerMessage', async () => {
    const r = await p.services.commands.send('E201-SIM', { kind: 'extendedTriggerMessage', message: 'Heartbeat' });
    assert.deepEqual([r.action, r.status], ['TriggerMessage', 'Accepted']);
  });

  it('GetTransactionStatus to an offline station is recorded as Failed', async () => {
    await p.addStation('E201-OFF');
    const r = await p.services.commands.send('E201-OFF', { kind: 'getTransactionStatus' });
    assert.equal(r.status, 'Failed');
  });
});

describe('OCPP 2.0.1 zombie transactions (CSMS)', () => {
  let p: TestPlatform;
  let c: RawClient;
  const id = 'Z201';
  let seq = 0;
  const event = (eventType: string, transactionId: string, extra: Obj = {}) => callOk(c, 'TransactionEvent', {
    eventType, seqNo: seq++, timestamp: now(), triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVDeparted' : 'MeterValuePeriodic',
    transactionInfo: { transactionId, ...(eventType === 'Ended' && { stoppedReason: 'EVDisconnected' }) }, ...extra,
  });
  const start = (ref: string, evse: number, wh: number) => event('Started', ref, { evse: { id: evse, connectorId: 1 }, idToken: { idToken: 'TOK-Z', type: 'ISO14443' }, meterValue: energy(wh, 'Transaction.Begin') });
  const securityEvents = async () => (await p.repos.securityEvents.list({ stationId: id, limit: 50 })).map((e) => e.type);

  before(async () => {
    p = await startTestPlatform({ zombieGrace: 1 });
    await p.repos.tokens.upsert({ idToken: 'TOK-Z', status: 'Accepted' });
    c = await rawStation(p, id, 'ocpp2.0.1');
    await callOk(c, 'BootNotification', boot);
  });
  after(async () => {
    c.close();
    await p.stop();
  });

  it('a new transaction on an EVSE/connector with an open one closes the old one (SupersededByNewTransaction, closed by csms)', async () => {
    await start('OLD', 1, 1000);
    await event('Updated', 'OLD', { meterValue: energy(1800) });
    await start('NEW', 1, 1800);
    const old = await p.repos.transactions.findByRef(id, 'OLD');
    assert.deepEqual([old?.state, old?.stopReason, old?.closedBy, old?.meterStopWh, old?.energyWh], ['ended', 'SupersededByNewTransaction', 'csms', 1800, 800]);
    assert.equal((await p.repos.transactions.findByRef(id, 'NEW'))?.state, 'active');
    // a start on another EVSE leaves both alone
    await start('EVSE2', 2, 0);
    assert.equal((await p.repos.transactions.findByRef(id, 'NEW'))?.state, 'active');

    // the station's late Ended replaces the platform's end data, and is not a security event
    await event('Ended', 'OLD', { meterValue: energy(1900, 'Transaction.End'), offline: true });
    const replaced = await p.repos.transactions.findByRef(id, 'OLD');
    assert.deepEqual([replaced?.stopReason, replaced?.closedBy, replaced?.meterStopWh, replaced?.energyWh], ['EVDisconnected', 'station', 1900, 900]);
    assert.ok(!(await securityEvents()).includes('TransactionAlreadyEnded'));
    // an Ended for a transaction the station itself ended stays a security event
    await event('Ended', 'OLD');
    assert.ok((await securityEvents()).includes('TransactionAlreadyEnded'));
    await event('Ended', 'NEW');
    await event('Ended', 'EVSE2');
  });

  it('reboot in the middle of a transaction: what the station does not resume is closed StationRebooted after the grace period', async () => {
    await start('SILENT', 1, 5000);
    await start('RESUMED', 2, 7000);
    await event('Updated', 'SILENT', { meterValue: energy(5500) });
    await callOk(c, 'BootNotification', { ...boot, reason: 'PowerUp' });
    await event('Updated', 'RESUMED', { meterValue: energy(7200) });
    await until('the silent transaction to be closed', async () => (await p.repos.transactions.findByRef(id, 'SILENT'))?.state === 'ended', 5000);
    const closed = await p.repos.transactions.findByRef(id, 'SILENT');
    assert.deepEqual([closed?.stopReason, closed?.closedBy, closed?.meterStopWh, closed?.energyWh], ['StationRebooted', 'csms', 5500, 500]);
    assert.equal((await p.repos.transactions.findByRef(id, 'RESUMED'))?.state, 'active');

    // the station's queued Updated and Ended for it arrive later: kept, and the Ended wins
    await event('Updated', 'SILENT', { meterValue: energy(5600), offline: true });
    await event('Ended', 'SILENT', { meterValue: energy(5700, 'Transaction.End'), offline: true });
    const replaced = await p.repos.transactions.findByRef(id, 'SILENT');
    assert.deepEqual([replaced?.stopReason, replaced?.closedBy, replaced?.meterStopWh], ['EVDisconnected', 'station', 5700]);
    assert.equal((await securityEvents()).filter((t) => t === 'TransactionAlreadyEnded').length, 1, 'only the deliberate replay of the previous case was a security event');
    await event('Ended', 'RESUMED');
  });
});
