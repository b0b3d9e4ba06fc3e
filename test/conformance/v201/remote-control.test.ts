// OCTT CSMS test cases of functional block F (Remote control): remote start/stop, unlock,
// TriggerMessage. The "manual action" of each case is a command run through the platform's
// command journal; the test answers it as the OCTT tool does and plays the station's follow-up.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { octtSuite, OcttStation, transactionEvents, ts } from '../../helpers/octt.js';
import type { TestPlatform } from '../../helpers/platform.js';

const VALID = { idToken: '100000C01', type: 'Central' };
const EVSE = { id: 1, connectorId: 1 };

describe('OCTT 2.0.1 block F — remote control (CSMS)', () => {
  let p: TestPlatform;
  const suite = octtSuite((platform) => (p = platform), [
    { idToken: VALID.idToken, status: 'Accepted' },
  ]);

  const booted = (id: string) => suite.booted(id);
  const status = (st: OcttStation, connectorStatus: string) => st.call('StatusNotification', { timestamp: ts(), connectorStatus, evseId: 1, connectorId: 1 });
  const session = transactionEvents;
  const tx = (id: string, ref: string) => p.repos.transactions.findByRef(id, ref);
  const meterValue = (context: string) => [{ timestamp: ts(), sampledValue: [
    { value: 1234, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' }, context },
  ] }];

  it('TC_F_01_CSMS Remote start transaction - Cable plugin first', async () => {
    const st = await booted('TC_F_01');
    const ev = session(st, 'TX-F01');
    // Before: EVConnectedPreSession
    await status(st, 'Occupied');
    await ev('Started', 'CablePluggedIn', { chargingState: 'EVConnected' }, { evse: EVSE });
    const { action, payload, record } = await st.command({ kind: 'remoteStart', idToken: VALID.idToken, evseId: 1 }, { status: 'Accepted', transactionId: 'TX-F01' });
    assert.equal(action, 'RequestStartTransaction');
    assert.deepEqual(payload, { idToken: VALID, remoteStartId: record.requestId, evseId: 1 });
    assert.deepEqual([record.status, record.response], ['Accepted', { status: 'Accepted', transactionId: 'TX-F01' }]);
    const res = await ev('Updated', 'RemoteStart', { remoteStartId: payload.remoteStartId }, { idToken: VALID });
    assert.deepEqual(res.idTokenInfo, { status: 'Accepted' });
    await ev('Updated', 'ChargingStateChanged', { chargingState: 'Charging' });
    const t = await tx('TC_F_01', 'TX-F01');
    assert.deepEqual([t?.state, t?.idToken, t?.remoteStartId, t?.chargingState], ['active', await p.services.privacy.pseudonym(VALID.idToken), record.requestId, 'Charging'],
      'the transaction names the remote start that authorized it');
  });

  it('TC_F_02_CSMS Remote start transaction - Remote start first - AuthorizeRemoteStart is true', async () => {
    const st = await booted('TC_F_02');
    const { payload, record } = await st.command({ kind: 'remoteStart', idToken: VALID.idToken, evseId: 1 }, { status: 'Accepted' });
    assert.deepEqual(payload, { idToken: VALID, remoteStartId: record.requestId, evseId: 1 });
    assert.equal(record.status, 'Accepted');
    // AuthorizeRemoteStart = true: the station authorizes the remote token first
    assert.deepEqual((await st.call('Authorize', { idToken: VALID })).idTokenInfo, { status: 'Accepted' });
    const ev = session(st, 'TX-F02');
    const started = await ev('Started', 'RemoteStart', { remoteStartId: payload.remoteStartId }, { idToken: VALID, evse: EVSE });
    assert.deepEqual(started.idTokenInfo, { status: 'Accepted' });
    await status(st, 'Occupied');
    await ev('Updated', 'CablePluggedIn', { chargingState: 'EVConnected' });
    await ev('Updated', 'ChargingStateChanged', { chargingState: 'Charging' });
    const t = await tx('TC_F_02', 'TX-F02');
    assert.deepEqual([t?.state, t?.idToken, t?.remoteStartId, t?.chargingState, t?.evseId], ['active', await p.services.privacy.pseudonym(VALID.idToken), record.requestId, 'Charging', 1]);
  });

  it('TC_F_03_CSMS Remote start transaction - Remote start first - AuthorizeRemoteStart is false', async () => {
    const st = await booted('TC_F_03');
    const { payload, record } = await st.command({ kind: 'remoteStart', idToken: VALID.idToken }, { status: 'Accepted' });
    assert.deepEqual(payload, { idToken: VALID, remoteStartId: record.requestId }, 'no evseId when the operator names none');
    const ev = session(st, 'TX-F03');
    const started = await ev('Started', 'RemoteStart', { remoteStartId: payload.remoteStartId }, { idToken: VALID, evse: EVSE });
    assert.deepEqual(started.idTokenInfo, { status: 'Accepted' });
    await status(st, 'Occupied');
    await ev('Updated', 'CablePluggedIn', { chargingState: 'EVConnected' });
    const t = await tx('TC_F_03', 'TX-F03');
    assert.deepEqual([t?.state, t?.idToken, t?.remoteStartId, t?.chargingState], ['active', await p.services.privacy.pseudonym(VALID.idToken), record.requestId, 'EVConnected']);
  });

  it('TC_F_04_CSMS Remote start transaction - Remote start first - Cable plugin timeout', async () => {
    const st = await booted('TC_F_04');
    const { payload, record } = await st.command({ kind: 'remoteStart', idToken: VALID.idToken, evseId: 1 }, { status: 'Accepted' });
    const ev = session(st, 'TX-F04');
    await ev('Started', 'RemoteStart', { remoteStartId: payload.remoteStartId }, { idToken: VALID, evse: EVSE });
    // EVConnectionTimeOut passes without a cable
    assert.deepEqual(await ev('Ended', 'EVConnectTimeout', { stoppedReason: 'Timeout' }), {});
    const t = await tx('TC_F_04', 'TX-F04');
    assert.deepEqual([t?.state, t?.stopReason, t?.remoteStartId, t?.energyWh], ['ended', 'Timeout', record.requestId, null]);
  });

  it('TC_F_06_CSMS Remote unlock Connector - Without ongoing transaction - Accepted', async () => {
    const st = await booted('TC_F_06');
    const { action, payload, record } = await st.command({ kind: 'unlockConnector', evseId: 1, connectorId: 1 }, { status: 'Unlocked' });
    assert.deepEqual([action, payload], ['UnlockConnector', { evseId: 1, connectorId: 1 }]);
    assert.deepEqual([record.status, record.response, record.failure], ['Unlocked', { status: 'Unlocked' }, null]);
  });

  it('TC_F_11_CSMS Trigger message - MeterValues - Specific EVSE', async () => {
    const st = await booted('TC_F_11');
    const { action, payload, record } = await st.command({ kind: 'triggerMessage', message: 'MeterValues', evseId: 1 }, { status: 'Accepted' });
    assert.deepEqual([action, payload], ['TriggerMessage', { requestedMessage: 'MeterValues', evse: { id: 1 } }]);
    assert.equal(record.status, 'Accepted');
    const mv = meterValue('Trigger');
    assert.deepEqual(await st.call('MeterValues', { evseId: 1, meterValue: mv }), {});
    const rows = await p.store.db.selectFrom('meterValues').selectAll().where('stationId', '=', 'TC_F_11').execute();
    assert.deepEqual(rows.map((r) => [r.evseId, r.transactionId, r.context, r.sampledValue]), [[1, null, 'Trigger', mv[0]!.sampledValue]]);
  });

  it('TC_F_12_CSMS Trigger message - MeterValues - All EVSE', async () => {
    const st = await booted('TC_F_12');
    const { payload, record } = await st.command({ kind: 'triggerMessage', message: 'MeterValues' }, { status: 'Accepted' });
    assert.deepEqual(payload, { requestedMessage: 'MeterValues' });
    assert.equal(record.status, 'Accepted');
    for (const evseId of [1, 2]) assert.deepEqual(await st.call('MeterValues', { evseId, meterValue: meterValue('Trigger') }), {});
    const rows = await p.store.db.selectFrom('meterValues').selectAll().where('stationId', '=', 'TC_F_12').orderBy('evseId').execute();
    assert.deepEqual(rows.map((r) => [r.evseId, r.context]), [[1, 'Trigger'], [2, 'Trigger']]);
  });

  const triggeredTransactionEvent = async (id: string, evseId: number | undefined) => {
    const st = await booted(id);
    const ev = session(st, `TX-${id}`);
    await status(st, 'Occupied');
    await ev('Started', 'Authorized', { chargingState: 'Charging' }, { idToken: VALID, evse: EVSE });
    const { payload, record } = await st.command({ kind: 'triggerMessage', message: 'TransactionEvent', ...(evseId !== undefined && { evseId }) }, { status: 'Accepted' });
    assert.deepEqual(payload, { requestedMessage: 'TransactionEvent', ...(evseId !== undefined && { evse: { id: evseId } }) });
    assert.equal(record.status, 'Accepted');
    const mv = meterValue('Trigger');
    assert.deepEqual(await ev('Updated', 'Trigger', { chargingState: 'Charging' }, { evse: EVSE, meterValue: mv }), {});
    const t = await tx(id, `TX-${id}`);
    assert.deepEqual([t?.state, t?.lastSeqNo, t?.chargingState], ['active', 1, 'Charging']);
    const rows = await p.repos.meterValues.listByTransaction(t!.id);
    assert.deepEqual(rows.map((r) => [r.context, r.sampledValue]), [['Trigger', mv[0]!.sampledValue]]);
  };

  it('TC_F_13_CSMS Trigger message - TransactionEvent - Specific EVSE', () => triggeredTransactionEvent('TC_F_13', 1));

  it('TC_F_14_CSMS Trigger message - TransactionEvent - All EVSE', () => triggeredTransactionEvent('TC_F_14', undefined));

  it('TC_F_15_CSMS Trigger message - LogStatusNotification - Idle', async () => {
    const st = await booted('TC_F_15');
    const { payload, record } = await st.command({ kind: 'triggerMessage', message: 'LogStatusNotification' }, { status: 'Accepted' });
    assert.deepEqual(payload, { requestedMessage: 'LogStatusNotification' });
    assert.equal(record.status, 'Accepted');
    assert.deepEqual(await st.call('LogStatusNotification', { status: 'Idle' }), {});
  });

  it('TC_F_18_CSMS Trigger message - FirmwareStatusNotification - Idle', async () => {
    const st = await booted('TC_F_18');
    const { payload, record } = await st.command({ kind: 'triggerMessage', message: 'FirmwareStatusNotification' }, { status: 'Accepted' });
    assert.deepEqual(payload, { requestedMessage: 'FirmwareStatusNotification' });
    assert.equal(record.status, 'Accepted');
    assert.deepEqual(await st.call('FirmwareStatusNotification', { status: 'Idle' }), {});
  });

  it('TC_F_20_CSMS Trigger message - Heartbeat', async () => {
    const st = await booted('TC_F_20');
    const { payload, record } = await st.command({ kind: 'triggerMessage', message: 'Heartbeat' }, { status: 'Accepted' });
    assert.deepEqual(payload, { requestedMessage: 'Heartbeat' });
    assert.equal(record.status, 'Accepted');
    const hb = await st.call('Heartbeat', {});
    assert.ok(Math.abs(Date.parse(hb.currentTime as string) - Date.now()) < 60_000);
  });

  const triggeredStatus = async (id: string, connectorStatus: 'Available' | 'Occupied') => {
    const st = await booted(id);
    if (connectorStatus === 'Occupied') await status(st, 'Occupied');
    const { payload, record } = await st.command({ kind: 'triggerMessage', message: 'StatusNotification', evseId: 1 }, { status: 'Accepted' });
    // F06.FR.13: a StatusNotification is only triggered for a given EVSE
    assert.deepEqual(payload, { requestedMessage: 'StatusNotification', evse: { id: 1 } });
    assert.equal(record.status, 'Accepted');
    assert.deepEqual(await status(st, connectorStatus), {});
    const history = await p.repos.connectors.history(id, { limit: 1 });
    assert.deepEqual(history.map((h) => [h.evseId, h.connectorId, h.status]), [[1, 1, connectorStatus]]);
    assert.deepEqual((await p.repos.connectors.listByStation(id)).map((c) => c.status), [connectorStatus]);
  };

  it('TC_F_23_CSMS Trigger message - StatusNotification - Specific EVSE - Available', () => triggeredStatus('TC_F_23', 'Available'));

  it('TC_F_24_CSMS Trigger message - StatusNotification - Specific EVSE - Occupied', () => triggeredStatus('TC_F_24', 'Occupied'));

  it('TC_F_27_CSMS Trigger message - NotImplemented', async () => {
    const st = await booted('TC_F_27');
    const { payload, record } = await st.command({ kind: 'triggerMessage', message: 'SignChargingStationCertificate' }, { status: 'NotImplemented' });
    assert.deepEqual(payload, { requestedMessage: 'SignChargingStationCertificate' });
    assert.equal(record.status, 'NotImplemented', 'the journal keeps the station\'s word');
    assert.deepEqual(record.response, { status: 'NotImplemented' });
    assert.match(record.failure ?? '', /^Rejected: /);
    // the CSMS copes: the station is still served
    assert.ok((await st.call('Heartbeat', {})).currentTime);
  });
});
