// OCTT CSMS test cases of functional block G (Availability): status notifications and
// ChangeAvailability at station, EVSE and connector level. The NotifyEventRequest
// (AvailabilityState) the tool sends with each StatusNotification belongs to block N and is
// left out here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StationCommand } from '../../../src/domain/commands.js';
import { octtSuite, OcttStation, ts, type Obj } from '../../helpers/octt.js';
import type { TestPlatform } from '../../helpers/platform.js';

const VALID = { idToken: '100000C01', type: 'Central' };

describe('OCTT 2.0.1 block G — availability (CSMS)', () => {
  let p: TestPlatform;
  const suite = octtSuite((platform) => (p = platform), [
    { idToken: VALID.idToken, status: 'Accepted' },
  ]);

  const status = (st: OcttStation, connectorStatus: string, evseId = 1, timestamp = ts()) =>
    st.call('StatusNotification', { timestamp, connectorStatus, evseId, connectorId: 1 });
  /** Booted with two EVSEs of one connector each. */
  const booted = (id: string) => suite.booted(id, 'ocpp2.0.1', [1, 2]);
  const live = async (id: string) => (await p.repos.connectors.listByStation(id)).map((c) => [c.evseId, c.connectorId, c.status]);

  it('TC_G_01_CSMS Status Notification', async () => {
    const st = await booted('TC_G_01');
    for (const s of ['Occupied', 'Reserved', 'Unavailable', 'Faulted', 'Available']) assert.deepEqual(await status(st, s, 1), {});
    await status(st, 'Occupied', 2);
    // a queued report older than the live one is history, not the live status
    await status(st, 'Faulted', 2, ts(-600));
    assert.deepEqual(await live('TC_G_01'), [[1, 1, 'Available'], [2, 1, 'Occupied']]);
    const history = await p.repos.connectors.history('TC_G_01', { limit: 20 });
    assert.equal(history.length, 9);
    assert.deepEqual(history.filter((h) => h.evseId === 1).map((h) => h.status).reverse(), ['Available', 'Occupied', 'Reserved', 'Unavailable', 'Faulted', 'Available']);
  });

  /** A ChangeAvailability case without a transaction: command, answer, the station's new status. */
  const change = async (id: string, command: StationCommand & { kind: 'changeAvailability' }, expected: Obj, before: 'Available' | 'Unavailable') => {
    const st = await booted(id);
    if (before === 'Unavailable') {
      await status(st, 'Unavailable', 1);
      await status(st, 'Unavailable', 2);
    }
    const { action, payload, record } = await st.command(command, { status: 'Accepted' });
    assert.deepEqual([action, payload], ['ChangeAvailability', expected]);
    assert.deepEqual([record.status, record.response, record.failure], ['Accepted', { status: 'Accepted' }, null]);
    const after = command.available ? 'Available' : 'Unavailable';
    const evses = command.evseId === 0 ? [1, 2] : [command.evseId];
    for (const evseId of evses) assert.deepEqual(await status(st, after, evseId), {});
    const other = before;
    assert.deepEqual(await live(id), [1, 2].map((e) => [e, 1, evses.includes(e) ? after : other]));
  };

  it('TC_G_03_CSMS Change Availability EVSE - Operative to inoperative', () =>
    change('TC_G_03', { kind: 'changeAvailability', evseId: 1, available: false }, { operationalStatus: 'Inoperative', evse: { id: 1 } }, 'Available'));

  it('TC_G_04_CSMS Change Availability EVSE - Inoperative to operative', () =>
    change('TC_G_04', { kind: 'changeAvailability', evseId: 1, available: true }, { operationalStatus: 'Operative', evse: { id: 1 } }, 'Unavailable'));

  it('TC_G_05_CSMS Change Availability Charging Station - Operative to inoperative', () =>
    change('TC_G_05', { kind: 'changeAvailability', evseId: 0, available: false }, { operationalStatus: 'Inoperative' }, 'Available'));

  it('TC_G_06_CSMS Change Availability Charging Station - Inoperative to operative', () =>
    change('TC_G_06', { kind: 'changeAvailability', evseId: 0, available: true }, { operationalStatus: 'Operative' }, 'Unavailable'));

  it('TC_G_07_CSMS Change Availability Connector - Operative to inoperative', () =>
    change('TC_G_07', { kind: 'changeAvailability', evseId: 1, connectorId: 1, available: false }, { operationalStatus: 'Inoperative', evse: { id: 1, connectorId: 1 } }, 'Available'));

  it('TC_G_08_CSMS Change Availability Connector - Inoperative to operative', () =>
    change('TC_G_08', { kind: 'changeAvailability', evseId: 1, connectorId: 1, available: true }, { operationalStatus: 'Operative', evse: { id: 1, connectorId: 1 } }, 'Unavailable'));

  /** With a transaction on EVSE 1: the station schedules the change until the transaction ends. */
  const changeDuringTransaction = async (id: string, command: StationCommand & { kind: 'changeAvailability' }, expected: Obj) => {
    const st = await booted(id);
    let seqNo = 0;
    const ev = (eventType: string, triggerReason: string, info: Obj, extra: Obj = {}) =>
      st.call('TransactionEvent', { eventType, timestamp: ts(), triggerReason, seqNo: seqNo++, transactionInfo: { transactionId: `TX-${id}`, ...info }, ...extra });
    await status(st, 'Occupied', 1);
    await ev('Started', 'Authorized', { chargingState: 'Charging' }, { idToken: VALID, evse: { id: 1, connectorId: 1 } });

    const { payload, record } = await st.command(command, { status: 'Scheduled' });
    assert.deepEqual(payload, expected);
    assert.deepEqual([record.status, record.response, record.failure], ['Scheduled', { status: 'Scheduled' }, null], 'Scheduled is success, recorded as such');

    // StopAuthorized → EVConnectedPostSession → EVDisconnected, then the scheduled change
    await ev('Updated', 'StopAuthorized', { chargingState: 'EVConnected' }, { idToken: VALID });
    await ev('Ended', 'EVCommunicationLost', { chargingState: 'Idle', stoppedReason: 'EVDisconnected' });
    assert.deepEqual(await status(st, 'Unavailable', 1), {});
    const t = await p.repos.transactions.findByRef(id, `TX-${id}`);
    assert.deepEqual([t?.state, t?.stopReason], ['ended', 'EVDisconnected']);
    return st;
  };

  it('TC_G_11_CSMS Change Availability EVSE - With ongoing transaction', async () => {
    await changeDuringTransaction('TC_G_11', { kind: 'changeAvailability', evseId: 1, available: false }, { operationalStatus: 'Inoperative', evse: { id: 1 } });
    assert.deepEqual(await live('TC_G_11'), [[1, 1, 'Unavailable'], [2, 1, 'Available']]);
  });

  it('TC_G_14_CSMS Change Availability Charging Station - With ongoing transaction', async () => {
    const st = await changeDuringTransaction('TC_G_14', { kind: 'changeAvailability', evseId: 0, available: false }, { operationalStatus: 'Inoperative' });
    // the idle EVSE 2 goes unavailable at once (the station answered Scheduled for the whole station)
    await status(st, 'Unavailable', 2);
    assert.deepEqual(await live('TC_G_14'), [[1, 1, 'Unavailable'], [2, 1, 'Unavailable']]);
  });

  it('TC_G_17_CSMS Change Availability Connector - With ongoing transaction', async () => {
    await changeDuringTransaction('TC_G_17', { kind: 'changeAvailability', evseId: 1, connectorId: 1, available: false }, { operationalStatus: 'Inoperative', evse: { id: 1, connectorId: 1 } });
    assert.deepEqual(await live('TC_G_17'), [[1, 1, 'Unavailable'], [2, 1, 'Available']]);
  });

  it('TC_G_20_CSMS Connector status Notification - Lock Failure', async () => {
    const st = await booted('TC_G_20');
    const res = await st.call('NotifyEvent', { generatedAt: ts(), seqNo: 0, eventData: [{
      eventId: 1, timestamp: ts(), trigger: 'Delta', actualValue: 'true', eventNotificationType: 'HardWiredNotification',
      component: { name: 'ConnectorPlugRetentionLock', evse: { id: 1, connectorId: 1 } }, variable: { name: 'Problem' },
    }] });
    assert.deepEqual(res, {});
    const events = await p.services.monitoring.listEvents(st.id, { component: 'ConnectorPlugRetentionLock' });
    assert.deepEqual(events.map((e) => [e.variable, e.actualValue, e.evseId, e.trigger]), [['Problem', 'true', 1, 'Delta']]);
  });
});
