// OCTT CSMS test cases of functional block B (Provisioning), boot and reset only.
// The test plays the OCTT tool as the station. The NotifyEventRequest the tool sends after each
// StatusNotification belongs to block N (monitoring) and is left out here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { octtSuite, OcttStation, ts, type Obj } from '../../helpers/octt.js';
import type { TestPlatform } from '../../helpers/platform.js';

describe('OCTT 2.0.1 block B — boot and reset (CSMS)', () => {
  let p: TestPlatform;
  const suite = octtSuite((platform) => (p = platform), [
    { idToken: '100000C01', status: 'Accepted' },
  ]);

  const connect = (id: string, registrationStatus?: 'Accepted' | 'Pending' | 'Rejected') => suite.connect(id, 'ocpp2.0.1', { registrationStatus });
  const available = (st: OcttStation, evseId = 1) => st.call('StatusNotification', { timestamp: ts(), connectorStatus: 'Available', evseId, connectorId: 1 });
  const booted = async (id: string) => {
    const st = await connect(id);
    assert.equal((await st.boot()).status, 'Accepted');
    await available(st);
    return st;
  };
  const reconnect = (st: OcttStation) => suite.reconnect(st);
  const txEvent = (st: OcttStation, eventType: string, seqNo: number, triggerReason: string, transactionInfo: Obj, extra: Obj = {}) =>
    st.call('TransactionEvent', { eventType, timestamp: ts(), triggerReason, seqNo, transactionInfo, ...extra });
  /** Reusable state EnergyTransferStarted: Authorized, cable plugged in, charging. */
  const energyTransferStarted = async (st: OcttStation, txId: string) => {
    assert.equal(((await st.call('Authorize', { idToken: { idToken: '100000C01', type: 'Central' } })).idTokenInfo as Obj).status, 'Accepted');
    await st.call('StatusNotification', { timestamp: ts(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    const started = await txEvent(st, 'Started', 0, 'Authorized', { transactionId: txId, chargingState: 'Charging' }, {
      idToken: { idToken: '100000C01', type: 'Central' }, evse: { id: 1, connectorId: 1 },
    });
    assert.equal((started.idTokenInfo as Obj).status, 'Accepted');
  };
  const lastBootAt = async (id: string) => (await p.repos.stations.get(id))?.lastBootAt?.getTime();

  it('TC_B_01_CSMS Cold Boot Charging Station - Accepted', async () => {
    const st = await connect('TC_B_01');
    const before = Date.now();
    const res = await st.boot('PowerUp');
    assert.equal(res.status, 'Accepted');
    assert.ok(Number.isInteger(res.interval) && (res.interval as number) > 0, 'interval is a positive heartbeat interval');
    assert.ok(Math.abs(Date.parse(res.currentTime as string) - before) < 60_000, 'currentTime is the CSMS clock');
    assert.deepEqual(await available(st), {});

    const s = await p.repos.stations.get('TC_B_01');
    assert.deepEqual([s?.registrationStatus, s?.protocol, s?.vendor, s?.model], ['Accepted', 'ocpp2.0.1', 'OCTT', 'Test']);
    assert.ok(s?.lastBootAt);
    const live = await p.repos.connectors.listByStation('TC_B_01');
    assert.deepEqual(live.map((c) => [c.evseId, c.connectorId, c.status]), [[1, 1, 'Available']]);
  });

  it('TC_B_02_CSMS Cold Boot Charging Station - Pending', async () => {
    const st = await connect('TC_B_02', 'Pending');
    const pending = await st.boot('PowerUp');
    assert.equal(pending.status, 'Pending');
    assert.ok(Number.isInteger(pending.interval), 'Pending carries the retry interval');
    assert.equal((await p.repos.stations.get('TC_B_02'))?.registrationStatus, 'Pending');

    // the operator accepts the station; after the interval the station boots again
    await p.repos.stations.setRegistrationStatus('TC_B_02', 'Accepted');
    assert.equal((await st.boot('PowerUp')).status, 'Accepted');
    assert.deepEqual(await available(st), {});
    const live = await p.repos.connectors.listByStation('TC_B_02');
    assert.deepEqual(live.map((c) => c.status), ['Available']);
  });

  it('TC_B_20_CSMS Reset Charging Station - Without ongoing transaction - OnIdle', async () => {
    const st = await booted('TC_B_20');
    const bootBefore = await lastBootAt('TC_B_20');
    const { action, payload, record } = await st.command({ kind: 'reset', mode: 'soft' }, { status: 'Accepted' });
    assert.equal(action, 'Reset');
    assert.deepEqual(payload, { type: 'OnIdle' });
    assert.deepEqual([record.status, record.action, record.response], ['Accepted', 'Reset', { status: 'Accepted' }]);

    const again = await reconnect(st);
    assert.equal((await again.boot('RemoteReset')).status, 'Accepted');
    await available(again);
    assert.ok((await lastBootAt('TC_B_20'))! >= bootBefore!, 'the reboot is recorded');
    assert.equal((await p.services.commands.get(record.id))?.status, 'Accepted');
  });

  it('TC_B_21_CSMS Reset Charging Station - With Ongoing Transaction - OnIdle', async () => {
    const st = await booted('TC_B_21');
    await energyTransferStarted(st, 'TX-B21');
    const { payload, record } = await st.command({ kind: 'reset', mode: 'soft' }, { status: 'Scheduled' });
    assert.deepEqual(payload, { type: 'OnIdle' });
    assert.equal(record.status, 'Scheduled', 'Scheduled is a successful answer, not a failure');
    assert.equal(record.failure, null);

    // the station waits for the transaction to end before resetting
    await txEvent(st, 'Updated', 1, 'StopAuthorized', { transactionId: 'TX-B21', chargingState: 'EVConnected' }, { idToken: { idToken: '100000C01', type: 'Central' } });
    assert.equal((await p.repos.transactions.findByRef('TC_B_21', 'TX-B21'))?.state, 'active');
    assert.deepEqual(await txEvent(st, 'Ended', 2, 'EVCommunicationLost', { transactionId: 'TX-B21', chargingState: 'Idle', stoppedReason: 'EVDisconnected' }), {});
    await available(st);

    const again = await reconnect(st);
    assert.equal((await again.boot('ScheduledReset')).status, 'Accepted');
    await available(again);
    const tx = await p.repos.transactions.findByRef('TC_B_21', 'TX-B21');
    assert.deepEqual([tx?.state, tx?.stopReason, tx?.lastSeqNo, tx?.seqGaps], ['ended', 'EVDisconnected', 2, 0]);
  });

  it('TC_B_22_CSMS Reset Charging Station - With Ongoing Transaction - Immediate', async () => {
    const st = await booted('TC_B_22');
    await energyTransferStarted(st, 'TX-B22');
    const { payload, record } = await st.command({ kind: 'reset', mode: 'hard' }, { status: 'Accepted' });
    assert.deepEqual(payload, { type: 'Immediate' });
    assert.equal(record.status, 'Accepted');

    await txEvent(st, 'Ended', 1, 'ResetCommand', { transactionId: 'TX-B22', chargingState: 'EVConnected', stoppedReason: 'ImmediateReset' });
    const again = await reconnect(st);
    assert.equal((await again.boot('RemoteReset')).status, 'Accepted');
    await again.call('StatusNotification', { timestamp: ts(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    const tx = await p.repos.transactions.findByRef('TC_B_22', 'TX-B22');
    assert.deepEqual([tx?.state, tx?.stopReason, tx?.chargingState], ['ended', 'ImmediateReset', 'EVConnected']);
    assert.deepEqual((await p.repos.connectors.listByStation('TC_B_22')).map((c) => c.status), ['Occupied']);
  });

  it('TC_B_25_CSMS Reset EVSE - Without ongoing transaction', async () => {
    const st = await booted('TC_B_25');
    const { payload, record } = await st.command({ kind: 'reset', mode: 'soft', evseId: 1 }, { status: 'Accepted' });
    assert.deepEqual(payload, { type: 'OnIdle', evseId: 1 });
    assert.equal(record.status, 'Accepted');
    assert.equal((record.command as Obj).evseId, 1);
    // the EVSE restarts: unavailable while resetting, then available again
    await st.call('StatusNotification', { timestamp: ts(), connectorStatus: 'Unavailable', evseId: 1, connectorId: 1 });
    await available(st);
    const history = await p.repos.connectors.history('TC_B_25', { limit: 10 });
    assert.deepEqual(history.map((h) => h.status).slice(0, 3), ['Available', 'Unavailable', 'Available']);
  });

  it('TC_B_26_CSMS Reset EVSE - With Ongoing Transaction - OnIdle', async () => {
    const st = await booted('TC_B_26');
    await energyTransferStarted(st, 'TX-B26');
    const { payload, record } = await st.command({ kind: 'reset', mode: 'soft', evseId: 1 }, { status: 'Scheduled' });
    assert.deepEqual(payload, { type: 'OnIdle', evseId: 1 });
    assert.equal(record.status, 'Scheduled');
    await txEvent(st, 'Updated', 1, 'StopAuthorized', { transactionId: 'TX-B26', chargingState: 'EVConnected' }, { idToken: { idToken: '100000C01', type: 'Central' } });
    await txEvent(st, 'Ended', 2, 'EVCommunicationLost', { transactionId: 'TX-B26', chargingState: 'Idle', stoppedReason: 'EVDisconnected' });
    const tx = await p.repos.transactions.findByRef('TC_B_26', 'TX-B26');
    assert.deepEqual([tx?.state, tx?.stopReason, tx?.chargingState], ['ended', 'EVDisconnected', 'Idle']);
  });

  it('TC_B_27_CSMS Reset EVSE - With Ongoing Transaction - Immediate', async () => {
    const st = await booted('TC_B_27');
    await energyTransferStarted(st, 'TX-B27');
    const { payload, record } = await st.command({ kind: 'reset', mode: 'hard', evseId: 1 }, { status: 'Accepted' });
    assert.deepEqual(payload, { type: 'Immediate', evseId: 1 });
    assert.equal(record.status, 'Accepted');
    await txEvent(st, 'Ended', 1, 'ResetCommand', { transactionId: 'TX-B27', chargingState: 'EVConnected', stoppedReason: 'ImmediateReset' });
    const tx = await p.repos.transactions.findByRef('TC_B_27', 'TX-B27');
    assert.deepEqual([tx?.state, tx?.stopReason], ['ended', 'ImmediateReset']);
  });

  it('TC_B_30_CSMS Cold Boot Charging Station - Pending/Rejected - SecurityError', async () => {
    for (const status of ['Pending', 'Rejected'] as const) {
      const id = `TC_B_30-${status}`;
      const st = await connect(id, status);
      assert.equal((await st.boot('PowerUp')).status, status);
      const [type, , code] = await st.send('StatusNotification', { timestamp: ts(), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
      assert.deepEqual([type, code], [4, 'SecurityError'], `${status}: StatusNotification must get a SecurityError CALLERROR`);
      const [type2, , code2] = await st.send('Heartbeat', {});
      assert.deepEqual([type2, code2], [4, 'SecurityError']);
      assert.deepEqual(await p.repos.connectors.listByStation(id), [], 'nothing the station said was stored');
    }
  });

  it('TC_B_31_CSMS Cold Boot Charging Station - Pending/Rejected - TriggerMessage', async () => {
    const st = await connect('TC_B_31', 'Pending');
    const first = await st.boot('PowerUp');
    assert.equal(first.status, 'Pending');
    await p.repos.stations.setRegistrationStatus('TC_B_31', 'Accepted');
    // before the interval expires, the CSMS asks for a new BootNotification
    const { payload, record } = await st.command({ kind: 'triggerMessage', message: 'BootNotification' }, { status: 'Accepted' });
    assert.deepEqual(payload, { requestedMessage: 'BootNotification' });
    assert.equal(record.status, 'Accepted');
    assert.equal((await st.boot('Triggered')).status, 'Accepted');
    await available(st);
    assert.deepEqual((await p.repos.connectors.listByStation('TC_B_31')).map((c) => c.status), ['Available']);
  });
});
