// OCTT CSMS test cases of functional block E (Transactions): start and stop options, seqNo.
// TC_E_29–34 (GetTransactionStatus) live with the GetTransactionStatus work. The test plays
// the OCTT tool as the station; every TransactionEventRequest must be answered, with
// idTokenInfo whenever it carries an idToken.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { octtSuite, OcttStation, transactionEvents, ts, type Obj } from '../../helpers/octt.js';
import type { TestPlatform } from '../../helpers/platform.js';

const VALID = { idToken: '100000C01', type: 'Central' };
const INVALID = { idToken: '100000C02', type: 'Central' };
const EVSE = { id: 1, connectorId: 1 };

const energy = (wh: number, context: string, extra: Obj = {}) => [{ timestamp: ts(), sampledValue: [
  { value: wh, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' }, context, ...extra },
] }];

describe('OCTT 2.0.1 block E — transaction start/stop options (CSMS)', () => {
  let p: TestPlatform;
  const suite = octtSuite((platform) => (p = platform), [
    { idToken: VALID.idToken, status: 'Accepted' },
    { idToken: INVALID.idToken, status: 'Invalid' },
  ]);

  const booted = (id: string) => suite.booted(id);
  const status = (st: OcttStation, connectorStatus: string) => st.call('StatusNotification', { timestamp: ts(), connectorStatus, evseId: 1, connectorId: 1 });
  const authorize = async (st: OcttStation, idToken = VALID) => {
    const info = (await st.call('Authorize', { idToken })).idTokenInfo as Obj;
    return info.status;
  };
  /** A station that numbers its TransactionEvents as the OCTT tool does: seqNo from 0 per transaction. */
  const session = transactionEvents;
  const tx = (id: string, ref: string) => p.repos.transactions.findByRef(id, ref);
  const liveStatus = async (id: string) => (await p.repos.connectors.listByStation(id)).map((c) => c.status);

  /** Reusable state EnergyTransferStarted via the Authorized start option. */
  const charging = async (id: string, ref: string) => {
    const st = await booted(id);
    const ev = session(st, ref);
    assert.equal(await authorize(st), 'Accepted');
    await status(st, 'Occupied');
    assert.deepEqual((await ev('Started', 'Authorized', { chargingState: 'EVConnected' }, { idToken: VALID, evse: EVSE, meterValue: energy(1000, 'Transaction.Begin') })).idTokenInfo, { status: 'Accepted' });
    await ev('Updated', 'ChargingStateChanged', { chargingState: 'Charging' });
    return { st, ev };
  };

  it('TC_E_01_CSMS Start transaction options - PowerPathClosed', async () => {
    const st = await booted('TC_E_01');
    const ev = session(st, 'TX-E01');
    assert.equal(await authorize(st), 'Accepted');
    await status(st, 'Occupied');
    const started = await ev('Started', 'ChargingStateChanged', { chargingState: 'SuspendedEVSE' }, { idToken: VALID, evse: EVSE });
    assert.deepEqual(started.idTokenInfo, { status: 'Accepted' });
    assert.equal((await tx('TC_E_01', 'TX-E01'))?.chargingState, 'SuspendedEVSE');
    assert.deepEqual(await ev('Updated', 'ChargingStateChanged', { chargingState: 'Charging' }), {});
    const t = await tx('TC_E_01', 'TX-E01');
    assert.deepEqual([t?.state, t?.idToken, t?.evseId, t?.connectorId, t?.chargingState, t?.lastSeqNo, t?.seqGaps], ['active', await p.services.privacy.pseudonym(VALID.idToken), 1, 1, 'Charging', 1, 0]);
    assert.deepEqual(await liveStatus('TC_E_01'), ['Occupied']);
  });

  it('TC_E_02_CSMS Start transaction options - EnergyTransfer', async () => {
    const st = await booted('TC_E_02');
    const ev = session(st, 'TX-E02');
    assert.equal(await authorize(st), 'Accepted');
    await status(st, 'Occupied');
    const started = await ev('Started', 'ChargingStateChanged', { chargingState: 'Charging' }, { idToken: VALID, evse: EVSE, meterValue: energy(2500, 'Transaction.Begin') });
    assert.deepEqual(started.idTokenInfo, { status: 'Accepted' });
    const t = await tx('TC_E_02', 'TX-E02');
    assert.deepEqual([t?.state, t?.chargingState, t?.meterStartWh, t?.lastSeqNo], ['active', 'Charging', 2500, 0]);
  });

  it('TC_E_03_CSMS Local start transaction - Cable plugin first - Success', async () => {
    const st = await booted('TC_E_03');
    const ev = session(st, 'TX-E03');
    await status(st, 'Occupied');
    assert.deepEqual(await ev('Started', 'CablePluggedIn', { chargingState: 'EVConnected' }, { evse: EVSE }), {}, 'no idToken, no idTokenInfo');
    assert.equal(await authorize(st), 'Accepted');
    assert.deepEqual((await ev('Updated', 'Authorized', {}, { idToken: VALID })).idTokenInfo, { status: 'Accepted' });
    await ev('Updated', 'ChargingStateChanged', { chargingState: 'Charging' });
    const t = await tx('TC_E_03', 'TX-E03');
    assert.deepEqual([t?.state, t?.idToken, t?.chargingState, t?.lastSeqNo], ['active', await p.services.privacy.pseudonym(VALID.idToken), 'Charging', 2], 'the token presented after plug-in is the transaction\'s');
  });

  it('TC_E_04_CSMS Local start transaction - Authorization first - Success', async () => {
    const st = await booted('TC_E_04');
    const ev = session(st, 'TX-E04');
    assert.equal(await authorize(st), 'Accepted');
    assert.deepEqual((await ev('Started', 'Authorized', {}, { idToken: VALID, evse: EVSE })).idTokenInfo, { status: 'Accepted' });
    await status(st, 'Occupied');
    await ev('Updated', 'CablePluggedIn', { chargingState: 'EVConnected' }, { evse: EVSE });
    await ev('Updated', 'ChargingStateChanged', { chargingState: 'Charging' });
    const t = await tx('TC_E_04', 'TX-E04');
    assert.deepEqual([t?.state, t?.idToken, t?.chargingState, t?.lastSeqNo], ['active', await p.services.privacy.pseudonym(VALID.idToken), 'Charging', 2]);
  });

  it('TC_E_07_CSMS Stop transaction options - PowerPathClosed - Local stop', async () => {
    const { st, ev } = await charging('TC_E_07', 'TX-E07');
    assert.equal(await authorize(st), 'Accepted');
    const end = await ev('Ended', 'StopAuthorized', { chargingState: 'EVConnected', stoppedReason: 'Local' }, { idToken: VALID, meterValue: energy(4000, 'Transaction.End') });
    assert.deepEqual(end.idTokenInfo, { status: 'Accepted' });
    const t = await tx('TC_E_07', 'TX-E07');
    assert.deepEqual([t?.state, t?.stopReason, t?.meterStartWh, t?.meterStopWh, t?.energyWh], ['ended', 'Local', 1000, 4000, 3000]);
  });

  it('TC_E_08_CSMS Stop transaction options - EnergyTransfer stopped - StopAuthorized', async () => {
    const { st, ev } = await charging('TC_E_08', 'TX-E08');
    assert.equal(await authorize(st), 'Accepted');
    await ev('Ended', 'StopAuthorized', { chargingState: 'EVConnected', stoppedReason: 'Local' }, { idToken: VALID });
    await status(st, 'Available');
    const t = await tx('TC_E_08', 'TX-E08');
    assert.deepEqual([t?.state, t?.stopReason, t?.chargingState, t?.lastSeqNo], ['ended', 'Local', 'EVConnected', 2]);
  });

  it('TC_E_09_CSMS Start transaction options - EVConnected', async () => {
    const st = await booted('TC_E_09');
    const ev = session(st, 'TX-E09');
    await status(st, 'Occupied');
    assert.deepEqual(await ev('Started', 'CablePluggedIn', { chargingState: 'EVConnected' }, { evse: EVSE }), {});
    const t = await tx('TC_E_09', 'TX-E09');
    assert.deepEqual([t?.state, t?.idToken, t?.chargingState, t?.evseId], ['active', null, 'EVConnected', 1]);
  });

  it('TC_E_10_CSMS Start transaction options - Authorized - Local', async () => {
    const st = await booted('TC_E_10');
    const ev = session(st, 'TX-E10');
    assert.equal(await authorize(st), 'Accepted');
    assert.deepEqual((await ev('Started', 'Authorized', {}, { idToken: VALID, evse: EVSE })).idTokenInfo, { status: 'Accepted' });
    const t = await tx('TC_E_10', 'TX-E10');
    assert.deepEqual([t?.state, t?.idToken, t?.chargingState], ['active', await p.services.privacy.pseudonym(VALID.idToken), null]);
  });

  it('TC_E_11_CSMS Start transaction options - DataSigned', async () => {
    const st = await booted('TC_E_11');
    const ev = session(st, 'TX-E11');
    assert.equal(await authorize(st), 'Accepted');
    await status(st, 'Occupied');
    const signed = { signedMeterData: 'T0NNRnxTaWduZWRTdGFydA==', signingMethod: 'ECDSA-secp256r1-SHA256', encodingMethod: 'OCMF', publicKey: 'UFVCTElDS0VZ' };
    const meterValue = energy(7000, 'Transaction.Begin', { signedMeterValue: signed });
    const started = await ev('Started', 'SignedDataReceived', { chargingState: 'EVConnected' }, { idToken: VALID, evse: EVSE, meterValue });
    assert.deepEqual(started.idTokenInfo, { status: 'Accepted' });
    const t = await tx('TC_E_11', 'TX-E11');
    assert.equal(t?.meterStartWh, 7000);
    const rows = await p.repos.meterValues.listByTransaction(t!.id);
    assert.deepEqual(rows.map((r) => [r.context, r.sampledValue]), [['Transaction.Begin', meterValue[0]!.sampledValue]], 'stored verbatim, signature included');
  });

  it('TC_E_12_CSMS Start transaction options - ParkingBayOccupied', async () => {
    const st = await booted('TC_E_12');
    const ev = session(st, 'TX-E12');
    assert.deepEqual(await ev('Started', 'EVDetected', {}, { evse: EVSE }), {});
    await status(st, 'Occupied');
    assert.equal(await authorize(st), 'Accepted');
    assert.deepEqual((await ev('Updated', 'Authorized', {}, { idToken: VALID })).idTokenInfo, { status: 'Accepted' });
    await ev('Updated', 'CablePluggedIn', { chargingState: 'EVConnected' });
    const t = await tx('TC_E_12', 'TX-E12');
    assert.deepEqual([t?.state, t?.idToken, t?.chargingState, t?.lastSeqNo], ['active', await p.services.privacy.pseudonym(VALID.idToken), 'EVConnected', 2]);
  });

  it('TC_E_14_CSMS Stop transaction options - EVDisconnected - Charging Station side', async () => {
    const { st, ev } = await charging('TC_E_14', 'TX-E14');
    assert.deepEqual(await ev('Ended', 'EVCommunicationLost', { chargingState: 'Idle', stoppedReason: 'EVDisconnected' }), {});
    await status(st, 'Available');
    const t = await tx('TC_E_14', 'TX-E14');
    assert.deepEqual([t?.state, t?.stopReason, t?.chargingState], ['ended', 'EVDisconnected', 'Idle']);
    assert.deepEqual(await liveStatus('TC_E_14'), ['Available']);
  });

  it('TC_E_15_CSMS Stop transaction options - StopAuthorized - Local', async () => {
    const { st, ev } = await charging('TC_E_15', 'TX-E15');
    assert.equal(await authorize(st), 'Accepted', 'the driver presents the same token');
    await ev('Updated', 'StopAuthorized', { chargingState: 'EVConnected' }, { idToken: VALID });
    assert.equal((await tx('TC_E_15', 'TX-E15'))?.state, 'active');
    await ev('Ended', 'EVCommunicationLost', { chargingState: 'Idle', stoppedReason: 'Local' });
    const t = await tx('TC_E_15', 'TX-E15');
    assert.deepEqual([t?.state, t?.stopReason, t?.lastSeqNo], ['ended', 'Local', 3]);
  });

  it('TC_E_16_CSMS Stop transaction options - Deauthorized - Invalid idToken', async () => {
    const st = await booted('TC_E_16');
    const ev = session(st, 'TX-E16');
    await status(st, 'Occupied');
    const started = await ev('Started', 'Authorized', { chargingState: 'EVConnected' }, { idToken: INVALID, evse: EVSE });
    assert.ok(['Invalid', 'Unknown'].includes((started.idTokenInfo as Obj).status as string), `got ${JSON.stringify(started.idTokenInfo)}`);
    assert.deepEqual(await ev('Ended', 'Deauthorized', { chargingState: 'EVConnected', stoppedReason: 'DeAuthorized' }), {});
    const t = await tx('TC_E_16', 'TX-E16');
    assert.deepEqual([t?.state, t?.idToken, t?.stopReason], ['ended', await p.services.privacy.pseudonym(INVALID.idToken), 'DeAuthorized']);
  });

  it('TC_E_17_CSMS Stop transaction options - Deauthorized - EV side disconnect', async () => {
    const { ev } = await charging('TC_E_17', 'TX-E17');
    await ev('Updated', 'ChargingStateChanged', { chargingState: 'SuspendedEV' });
    assert.equal((await tx('TC_E_17', 'TX-E17'))?.chargingState, 'SuspendedEV');
    await ev('Ended', 'EVCommunicationLost', { chargingState: 'Idle', stoppedReason: 'EVDisconnected' });
    const t = await tx('TC_E_17', 'TX-E17');
    assert.deepEqual([t?.state, t?.stopReason, t?.chargingState], ['ended', 'EVDisconnected', 'Idle']);
  });

  it('TC_E_19_CSMS Stop transaction options - ParkingBayUnoccupied', async () => {
    const { st, ev } = await charging('TC_E_19', 'TX-E19');
    await ev('Updated', 'EVCommunicationLost', { chargingState: 'Idle' });
    await status(st, 'Available');
    assert.equal((await tx('TC_E_19', 'TX-E19'))?.state, 'active', 'the transaction lasts until the bay is empty');
    await ev('Ended', 'EVDeparted', { stoppedReason: 'Local' });
    const t = await tx('TC_E_19', 'TX-E19');
    assert.deepEqual([t?.state, t?.stopReason, t?.chargingState, t?.lastSeqNo], ['ended', 'Local', 'Idle', 3], 'an Ended without chargingState keeps the last one');
  });

  it('TC_E_20_CSMS Stop transaction options - EVDisconnected - EV side', async () => {
    const { st, ev } = await charging('TC_E_20', 'TX-E20');
    await ev('Ended', 'EVCommunicationLost', { chargingState: 'Idle', stoppedReason: 'EVDisconnected' }, { meterValue: energy(9000, 'Transaction.End') });
    await status(st, 'Available');
    const t = await tx('TC_E_20', 'TX-E20');
    assert.deepEqual([t?.state, t?.stopReason, t?.energyWh], ['ended', 'EVDisconnected', 8000]);
  });

  it('TC_E_21_CSMS Stop transaction options - StopAuthorized - Remote', async () => {
    const { st, ev } = await charging('TC_E_21', 'TX-E21');
    const { action, payload, record } = await st.command({ kind: 'remoteStop', transactionRef: 'TX-E21' }, { status: 'Accepted' });
    assert.deepEqual([action, payload], ['RequestStopTransaction', { transactionId: 'TX-E21' }]);
    assert.deepEqual([record.status, record.response], ['Accepted', { status: 'Accepted' }]);
    await ev('Updated', 'RemoteStop', { chargingState: 'EVConnected' });
    await ev('Ended', 'EVCommunicationLost', { chargingState: 'Idle', stoppedReason: 'Remote' });
    const t = await tx('TC_E_21', 'TX-E21');
    assert.deepEqual([t?.state, t?.stopReason], ['ended', 'Remote']);
  });

  it('TC_E_22_CSMS Stop transaction options - EnergyTransfer stopped - SuspendedEV', async () => {
    const { ev } = await charging('TC_E_22', 'TX-E22');
    await ev('Ended', 'ChargingStateChanged', { chargingState: 'SuspendedEV', stoppedReason: 'StoppedByEV' });
    const t = await tx('TC_E_22', 'TX-E22');
    assert.deepEqual([t?.state, t?.stopReason, t?.chargingState], ['ended', 'StoppedByEV', 'SuspendedEV']);
  });

  it('TC_E_26_CSMS Disconnect cable on EV-side - Suspend transaction', async () => {
    const { st, ev } = await charging('TC_E_26', 'TX-E26');
    // StopTxOnEVSideDisconnect = false: the transaction is suspended, not ended
    await ev('Updated', 'EVCommunicationLost', { chargingState: 'Idle' });
    await status(st, 'Available');
    assert.deepEqual([(await tx('TC_E_26', 'TX-E26'))?.state, (await tx('TC_E_26', 'TX-E26'))?.chargingState], ['active', 'Idle']);
    await status(st, 'Occupied');
    await ev('Updated', 'CablePluggedIn', { chargingState: 'EVConnected' });
    await ev('Updated', 'ChargingStateChanged', { chargingState: 'Charging' });
    const t = await tx('TC_E_26', 'TX-E26');
    assert.deepEqual([t?.state, t?.chargingState, t?.lastSeqNo, t?.seqGaps], ['active', 'Charging', 4, 0]);
  });

  it('TC_E_38_CSMS Local start transaction - EV not ready', async () => {
    const st = await booted('TC_E_38');
    const ev = session(st, 'TX-E38');
    assert.equal(await authorize(st), 'Accepted');
    await ev('Started', 'Authorized', {}, { idToken: VALID, evse: EVSE });
    await status(st, 'Occupied');
    await ev('Updated', 'CablePluggedIn', { chargingState: 'EVConnected' });
    await ev('Updated', 'ChargingStateChanged', { chargingState: 'SuspendedEV' });
    await ev('Updated', 'MeterValuePeriodic', {}, { meterValue: energy(0, 'Sample.Periodic') });
    const t = await tx('TC_E_38', 'TX-E38');
    assert.deepEqual([t?.state, t?.chargingState, t?.lastSeqNo], ['active', 'SuspendedEV', 3], 'a meter value event without chargingState does not erase it');
  });

  it('TC_E_39_CSMS Stop transaction options - Deauthorized - timeout', async () => {
    const st = await booted('TC_E_39');
    const ev = session(st, 'TX-E39');
    assert.equal(await authorize(st), 'Accepted');
    await ev('Started', 'Authorized', {}, { idToken: VALID, evse: EVSE });
    // EVConnectionTimeOut passes without a cable
    assert.deepEqual(await ev('Ended', 'EVConnectTimeout', { stoppedReason: 'Timeout' }), {});
    const t = await tx('TC_E_39', 'TX-E39');
    assert.deepEqual([t?.state, t?.stopReason, t?.idToken, t?.energyWh], ['ended', 'Timeout', await p.services.privacy.pseudonym(VALID.idToken), null]);
  });

  it('TC_E_53_CSMS Reset Sequence Number - CSMS accepting seqNo = 0 at start of transaction', async () => {
    const st = await booted('TC_E_53');
    for (const ref of ['TX-E53-1', 'TX-E53-2']) {
      const ev = session(st, ref);
      await status(st, 'Occupied');
      assert.deepEqual((await ev('Started', 'Authorized', { chargingState: 'Charging' }, { idToken: VALID, evse: EVSE })).idTokenInfo, { status: 'Accepted' });
      assert.deepEqual(await ev('Updated', 'MeterValuePeriodic', {}, { meterValue: energy(500, 'Sample.Periodic') }), {});
      assert.deepEqual(await ev('Ended', 'EVCommunicationLost', { chargingState: 'Idle', stoppedReason: 'EVDisconnected' }), {});
      await status(st, 'Available');
    }
    const txs = await p.repos.transactions.list({ stationId: 'TC_E_53', limit: 10, offset: 0 });
    assert.deepEqual(txs.map((t) => [t.transactionRef, t.state, t.lastSeqNo, t.seqGaps]).sort(), [['TX-E53-1', 'ended', 2, 0], ['TX-E53-2', 'ended', 2, 0]]);
  });
});
