import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SimulatedStation } from '../../src/sim/station.js';
import type { StationOptions } from '../../src/sim/types.js';
import { startCsms, type TinyCsms } from './csms.js';

let csms: TinyCsms;
const open: SimulatedStation[] = [];
let seq = 0;

async function booted(protocol: '1.6' | '2.0.1', extra: Partial<StationOptions> = {}): Promise<SimulatedStation> {
  const st = new SimulatedStation({ url: csms.url, identity: `SIMSC-${++seq}`, protocol, connectors: 2, meterIntervalMs: 0, ...extra });
  open.push(st);
  await st.connect();
  assert.equal((await st.boot()).status, 'Accepted');
  return st;
}

const v16Profile = (id: number, extra: Record<string, unknown> = {}, schedule: Record<string, unknown> = {}) => ({
  chargingProfileId: id, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative',
  chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }], ...schedule }, ...extra,
});
const v201Profile = (id: number, extra: Record<string, unknown> = {}, schedule: Record<string, unknown> = {}) => ({
  id, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative',
  chargingSchedule: [{ id, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 7360 }], ...schedule }], ...extra,
});

before(async () => {
  csms = await startCsms();
});
after(async () => {
  await Promise.all(open.map((s) => s.close()));
  await csms.close();
});

describe('simulated smart charging, OCPP 1.6', () => {
  it('refuses what the charge point cannot hold: stack level, periods, a TxProfile without its transaction', async () => {
    const st = await booted('1.6');
    const peer = await csms.peer(st.identity);
    const set = (connectorId: number, p: unknown) => peer.call('SetChargingProfile', { connectorId, csChargingProfiles: p });
    assert.deepEqual(await set(1, v16Profile(1, { stackLevel: 9 })), { status: 'Rejected' }, 'ChargeProfileMaxStackLevel is 8');
    const periods = Array.from({ length: 25 }, (_, i) => ({ startPeriod: i * 60, limit: 16 }));
    assert.deepEqual(await set(1, v16Profile(1, {}, { chargingSchedulePeriod: periods })), { status: 'Rejected' });
    assert.deepEqual(await set(1, v16Profile(1, { chargingProfilePurpose: 'TxProfile', transactionId: 5 })), { status: 'Rejected' });
    assert.deepEqual(await set(1, v16Profile(1, { chargingProfilePurpose: 'ChargePointMaxProfile' })), { status: 'Rejected' }, 'only on connector 0');
    assert.deepEqual(await set(7, v16Profile(1)), { status: 'Rejected' }, 'no such connector');
    assert.deepEqual(await set(1, v16Profile(1)), { status: 'Accepted' });
  });

  it('composes a recurring station maximum with a connector default, and reports connector 0', async () => {
    const st = await booted('1.6', { powerW: 22_080 });
    const peer = await csms.peer(st.identity);
    // a daily 10 A cap that began 59 minutes ago and lifts after an hour
    const start = new Date(Date.now() - 59 * 60_000).toISOString();
    assert.deepEqual(await peer.call('SetChargingProfile', { connectorId: 0, csChargingProfiles: v16Profile(1, { chargingProfilePurpose: 'ChargePointMaxProfile', chargingProfileKind: 'Recurring', recurrencyKind: 'Daily' }, { startSchedule: start, chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }, { startPeriod: 3600, limit: 32 }] }) }), { status: 'Accepted' });
    assert.deepEqual(await peer.call('SetChargingProfile', { connectorId: 1, csChargingProfiles: v16Profile(2, {}, { chargingSchedulePeriod: [{ startPeriod: 0, limit: 20 }] }) }), { status: 'Accepted' });
    const r = await peer.call('GetCompositeSchedule', { connectorId: 1, duration: 300, chargingRateUnit: 'A' });
    const periods = (r.chargingSchedule as { chargingSchedulePeriod: unknown[] }).chargingSchedulePeriod;
    assert.deepEqual(periods, [{ startPeriod: 0, limit: 10 }, { startPeriod: 60, limit: 20 }]);
    const station = await peer.call('GetCompositeSchedule', { connectorId: 0, duration: 120 });
    assert.equal(station.connectorId, 0);
    assert.deepEqual((station.chargingSchedule as { chargingSchedulePeriod: unknown[] }).chargingSchedulePeriod, [{ startPeriod: 0, limit: 10 }, { startPeriod: 60, limit: 32 }]);
    assert.deepEqual(await peer.call('GetCompositeSchedule', { connectorId: 9, duration: 60 }), { status: 'Rejected' });
  });

  it('clears by id and by criteria, Unknown when nothing matches; NotSupported without smart charging', async () => {
    const st = await booted('1.6');
    const peer = await csms.peer(st.identity);
    await peer.call('SetChargingProfile', { connectorId: 1, csChargingProfiles: v16Profile(1) });
    await peer.call('SetChargingProfile', { connectorId: 2, csChargingProfiles: v16Profile(2, { stackLevel: 2 }) });
    assert.deepEqual(await peer.call('ClearChargingProfile', { id: 1 }), { status: 'Accepted' });
    assert.deepEqual(await peer.call('ClearChargingProfile', { id: 1 }), { status: 'Unknown' });
    assert.deepEqual(await peer.call('ClearChargingProfile', { connectorId: 2, stackLevel: 1 }), { status: 'Unknown' });
    assert.deepEqual(await peer.call('ClearChargingProfile', { chargingProfilePurpose: 'TxDefaultProfile', stackLevel: 2 }), { status: 'Accepted' });
    const off = await booted('1.6', { behaviour: { smartCharging: false } });
    assert.deepEqual(await (await csms.peer(off.identity)).call('SetChargingProfile', { connectorId: 1, csChargingProfiles: v16Profile(1) }), { status: 'NotSupported' });
  });
});

describe('simulated smart charging, OCPP 2.0.1', () => {
  it('says why it rejects a profile, and honours a TxProfile only for its own transaction', async () => {
    const st = await booted('2.0.1');
    const peer = await csms.peer(st.identity);
    await peer.call('SetVariables', { setVariableData: [{ component: { name: 'SmartChargingCtrlr' }, variable: { name: 'RateUnit' }, attributeValue: 'A' }] });
    assert.deepEqual(await peer.call('SetChargingProfile', { evseId: 1, chargingProfile: v201Profile(1) }), { status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRateUnit' } });
    const txn = await st.startSession({ connector: 1, idTag: 'SIM-TAG' });
    const tx = (transactionId: string) => v201Profile(2, { chargingProfilePurpose: 'TxProfile', transactionId }, { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 8 }] });
    assert.deepEqual(await peer.call('SetChargingProfile', { evseId: 1, chargingProfile: tx('other') }), { status: 'Rejected', statusInfo: { reasonCode: 'TxNotFound' } });
    assert.deepEqual(await peer.call('SetChargingProfile', { evseId: 1, chargingProfile: tx(String(txn)) }), { status: 'Accepted' });
    const r = await peer.call('GetCompositeSchedule', { evseId: 1, duration: 60, chargingRateUnit: 'A' });
    assert.deepEqual((r.schedule as { chargingSchedulePeriod: unknown[] }).chargingSchedulePeriod, [{ startPeriod: 0, limit: 8 }]);
    assert.deepEqual(await peer.call('GetCompositeSchedule', { evseId: 1, duration: 60, chargingRateUnit: 'W' }), { status: 'Rejected' });
    await st.stopSession(txn);
  });

  it('converts between W and A in the composite schedule and reports profiles by criteria', async () => {
    const st = await booted('2.0.1');
    const peer = await csms.peer(st.identity);
    assert.deepEqual(await peer.call('SetChargingProfile', { evseId: 0, chargingProfile: v201Profile(3) }), { status: 'Accepted' });
    const r = await peer.call('GetCompositeSchedule', { evseId: 2, duration: 60, chargingRateUnit: 'A' });
    // 7360 W over 3 phases at 230 V
    assert.deepEqual((r.schedule as { chargingSchedulePeriod: unknown[] }).chargingSchedulePeriod, [{ startPeriod: 0, limit: 10.7 }]);
    assert.deepEqual(await peer.call('GetChargingProfiles', { requestId: 5, chargingProfile: { chargingLimitSource: ['EMS'] } }), { status: 'NoProfiles' });
    const from = csms.received.length;
    assert.deepEqual(await peer.call('GetChargingProfiles', { requestId: 6, chargingProfile: { chargingProfileId: [3] } }), { status: 'Accepted' });
    const report = await csms.waitFor((x) => x.identity === st.identity && x.action === 'ReportChargingProfiles', 2000, from);
    assert.deepEqual([report.payload.requestId, report.payload.evseId, report.payload.tbc, report.payload.chargingLimitSource, report.payload.chargingProfile[0].id], [6, 0, false, 'CSO', 3]);
    assert.deepEqual(await peer.call('CostUpdated', { totalCost: 1.23, transactionId: 'any' }), {});
  });

  it('without smart charging, block K calls fail with NotSupported and the device model says so', async () => {
    const st = await booted('2.0.1', { behaviour: { smartCharging: false } });
    const peer = await csms.peer(st.identity);
    await assert.rejects(peer.call('SetChargingProfile', { evseId: 1, chargingProfile: v201Profile(1) }), /NotSupported/);
    await assert.rejects(peer.call('GetCompositeSchedule', { evseId: 1, duration: 60 }), /NotSupported/);
    const got = await peer.call('GetVariables', { getVariableData: [{ component: { name: 'SmartChargingCtrlr' }, variable: { name: 'Enabled' } }] });
    assert.equal((got.getVariableResult as Array<{ attributeValue: string }>)[0]!.attributeValue, 'false');
  });
});
