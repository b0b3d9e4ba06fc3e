// OCPP 2.0.1 block K, CSMS side: SetChargingProfile, ClearChargingProfile, GetCompositeSchedule,
// GetChargingProfiles with ReportChargingProfiles, and the station's limit and EV-needs notifications.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChargingProfileError, type ChargingProfile } from '../../../src/domain/smart-charging/profile.js';
import { SimulatedStation } from '../../../src/sim/station.js';
import type { Behaviour } from '../../../src/sim/types.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';
import { RawClient } from '../../helpers/raw-client.js';

type Obj = Record<string, unknown>;

const profile = (id: number, extra: Partial<ChargingProfile> = {}): ChargingProfile => ({
  id, stackLevel: 0, purpose: 'TxDefault', kind: 'Relative',
  schedules: [{ chargingRateUnit: 'W', periods: [{ startPeriod: 0, limit: 7400 }] }], ...extra,
});
const absolute = (id: number, purpose: ChargingProfile['purpose'], limit: number): ChargingProfile => profile(id, {
  purpose, kind: 'Absolute', schedules: [{ chargingRateUnit: 'W', startSchedule: new Date(Date.now() - 1000).toISOString(), periods: [{ startPeriod: 0, limit }] }],
});

describe('OCPP 2.0.1 block K — smart charging (CSMS side)', () => {
  let p: TestPlatform;
  const open: SimulatedStation[] = [];
  let seq = 0;

  async function station(behaviour: Behaviour = {}): Promise<SimulatedStation> {
    const identity = `SC201-${++seq}`;
    const password = await p.addStation(identity);
    const st = new SimulatedStation({ url: p.ocppUrl, identity, password, protocol: '2.0.1', connectors: 2, meterIntervalMs: 0, behaviour });
    open.push(st);
    await st.connect();
    assert.equal((await st.boot()).status, 'Accepted');
    return st;
  }
  const ids = async (st: SimulatedStation, status?: 'active' | 'rejected' | 'reported') =>
    (await p.services.smartCharging.profiles(st.identity, { status })).map((s) => s.profile.id).sort((a, b) => a - b);

  before(async () => {
    p = await startTestPlatform();
    await p.repos.tokens.upsert({ idToken: 'SC-TAG', status: 'Accepted' });
  });
  after(async () => {
    await Promise.all(open.map((s) => s.close()));
    await p.stop();
  });

  it('TC_K_01_CSMS Set Charging Profile - TxDefaultProfile - Specific EVSE', async () => {
    const st = await station();
    const rec = await p.services.smartCharging.setProfile(st.identity, 1, profile(1));
    assert.equal(rec.status, 'Accepted');
    assert.deepEqual((await p.services.smartCharging.profiles(st.identity)).map((s) => [s.evseId, s.status, s.profile.purpose]), [[1, 'active', 'TxDefault']]);
  });

  it('TC_K_10_CSMS Set Charging Profile - TxDefaultProfile - All EVSE', async () => {
    const st = await station();
    assert.equal((await p.services.smartCharging.setProfile(st.identity, 0, profile(2))).status, 'Accepted');
    const composite = await p.services.smartCharging.compositeSchedule(st.identity, 2, 300, 'W');
    assert.deepEqual((composite.response!.schedule as Obj).chargingSchedulePeriod, [{ startPeriod: 0, limit: 7400 }]);
  });

  it('TC_K_03_CSMS Set Charging Profile - ChargingStationMaxProfile', async () => {
    const st = await station();
    assert.equal((await p.services.smartCharging.setProfile(st.identity, 0, absolute(3, 'ChargingStationMax', 5000))).status, 'Accepted');
    // only on EVSE 0, and never Relative-less rules broken: refused before sending
    await assert.rejects(p.services.smartCharging.setProfile(st.identity, 1, absolute(4, 'ChargingStationMax', 5000)), /evseId must be 0/);
    assert.deepEqual(await ids(st), [3]);
  });

  it('sets a TxProfile for a running transaction; refuses one for a transaction that is not active', async () => {
    const st = await station();
    const txn = await st.startSession({ connector: 1, idTag: 'SC-TAG' });
    const rec = await p.services.smartCharging.setProfile(st.identity, 1, profile(5, { purpose: 'Tx', transactionRef: String(txn) }));
    assert.equal(rec.status, 'Accepted');
    assert.equal((((rec.command.profile as Obj).transactionRef)), txn);
    await assert.rejects(p.services.smartCharging.setProfile(st.identity, 2, profile(6, { purpose: 'Tx', transactionRef: String(txn) })),
      (e: unknown) => e instanceof ChargingProfileError && /not active on EVSE 2/.test(e.message));
    await st.stopSession(txn);
    await assert.rejects(p.services.smartCharging.setProfile(st.identity, 1, profile(6, { purpose: 'Tx', transactionRef: String(txn) })), /not active/);
  });

  it('refuses a second profile with the same stack level and purpose on an EVSE before sending', async () => {
    const st = await station();
    await p.services.smartCharging.setProfile(st.identity, 1, profile(7, { stackLevel: 1 }));
    await assert.rejects(p.services.smartCharging.setProfile(st.identity, 1, profile(8, { stackLevel: 1 })), /already has TxDefault stackLevel 1/);
    await assert.rejects(p.services.smartCharging.setProfile(st.identity, 0, absolute(9, 'ChargingStationExternalConstraints', 1)), /set by the station/);
  });

  it('TC_K_05_CSMS Clear Charging Profile - With chargingProfileId', async () => {
    const st = await station();
    await p.services.smartCharging.setProfile(st.identity, 1, profile(10));
    await p.services.smartCharging.setProfile(st.identity, 2, profile(11));
    const rec = await p.services.smartCharging.clearProfiles(st.identity, { profileId: 10 });
    assert.equal(rec.status, 'Accepted');
    assert.deepEqual(await ids(st), [11]);
  });

  it('TC_K_08_CSMS Clear Charging Profile - Without previous charging profile', async () => {
    const st = await station();
    const rec = await p.services.smartCharging.clearProfiles(st.identity, { purpose: 'TxDefault', stackLevel: 0 });
    assert.equal(rec.status, 'Unknown');
    assert.deepEqual(rec.response, { status: 'Unknown' });
  });

  it('TC_K_43_CSMS Get Composite Schedule - Specific EVSE', async () => {
    const st = await station();
    await p.services.smartCharging.setProfile(st.identity, 0, absolute(12, 'ChargingStationMax', 6000));
    await p.services.smartCharging.setProfile(st.identity, 1, profile(13, { schedules: [{ chargingRateUnit: 'W', periods: [{ startPeriod: 0, limit: 4000 }, { startPeriod: 60, limit: 9000 }] }] }));
    const rec = await p.services.smartCharging.compositeSchedule(st.identity, 1, 120, 'W');
    assert.equal(rec.status, 'Accepted');
    const schedule = rec.response!.schedule as Obj;
    assert.deepEqual([schedule.evseId, schedule.duration, schedule.chargingRateUnit], [1, 120, 'W']);
    // 4 kW from the TxDefault, then the 6 kW station maximum caps its 9 kW
    assert.deepEqual(schedule.chargingSchedulePeriod, [{ startPeriod: 0, limit: 4000 }, { startPeriod: 60, limit: 6000 }]);
    assert.equal((await p.services.smartCharging.compositeSchedule(st.identity, 9, 120)).status, 'Rejected');
  });

  it('TC_K_31_CSMS Get Charging Profile - No EvseId', async () => {
    const st = await station();
    await p.services.smartCharging.setProfile(st.identity, 1, profile(14));
    await p.services.smartCharging.setProfile(st.identity, 2, profile(15));
    const rec = await p.services.smartCharging.requestProfiles(st.identity, { purpose: 'TxDefault' });
    assert.equal(rec.status, 'Accepted');
    assert.equal(rec.requestId, (rec.command as Obj).requestId);
    await waitFor(async () => (await p.services.commands.get(rec.id))?.progress === 'Completed');
    const journal = await p.services.commands.get(rec.id);
    assert.deepEqual(journal?.updates.map((u) => [u.status, u.details.evseId, u.details.profileIds]), [['Reporting', 1, [14]], ['Completed', 2, [15]]]);
    const reported = await p.services.smartCharging.profiles(st.identity, { status: 'reported' });
    assert.deepEqual(reported.map((r) => [r.evseId, r.profile.id, r.source, r.commandId]), [[1, 14, 'CSO', rec.id], [2, 15, 'CSO', rec.id]]);
  });

  it('a new report replaces what an earlier one said about the same criteria', async () => {
    const st = await station();
    const sc = p.services.smartCharging;
    await sc.setProfile(st.identity, 1, profile(21));
    await sc.setProfile(st.identity, 2, profile(22));
    const first = await sc.requestProfiles(st.identity, {});
    await waitFor(async () => (await p.services.commands.get(first.id))?.progress === 'Completed');
    assert.deepEqual(await ids(st, 'reported'), [21, 22]);
    await sc.clearProfiles(st.identity, { profileId: 21 });
    const second = await sc.requestProfiles(st.identity, {});
    await waitFor(async () => (await p.services.commands.get(second.id))?.progress === 'Completed');
    assert.deepEqual(await ids(st, 'reported'), [22]);
    await sc.clearProfiles(st.identity);
    assert.equal((await sc.requestProfiles(st.identity, {})).status, 'NoProfiles');
    assert.deepEqual(await ids(st), []);
  });

  it('TC_K_32_CSMS Get Charging Profile - chargingProfileId', async () => {
    const st = await station();
    await p.services.smartCharging.setProfile(st.identity, 1, profile(16));
    const rec = await p.services.smartCharging.requestProfiles(st.identity, { profileIds: [16] });
    assert.deepEqual((rec.command as Obj).profileIds, [16]);
    await waitFor(async () => (await p.services.commands.get(rec.id))?.progress === 'Completed');
    assert.deepEqual(await ids(st, 'reported'), [16]);
  });

  it('TC_K_29_CSMS Get Charging Profile - EvseId 0', async () => {
    const st = await station();
    await p.services.smartCharging.setProfile(st.identity, 1, profile(17));
    // nothing is installed on EVSE 0: the station answers NoProfiles and sends no report
    const rec = await p.services.smartCharging.requestProfiles(st.identity, { evseId: 0, stackLevel: 0 });
    assert.equal(rec.status, 'NoProfiles');
    assert.deepEqual(await ids(st, 'reported'), []);
  });

  it('a station refusing a unit answers Rejected (stored as rejected); one without smart charging answers NotSupported', async () => {
    const st = await station();
    const set = await p.services.commands.send(st.identity, { kind: 'setVariables', variables: [{ component: 'SmartChargingCtrlr', variable: 'RateUnit', value: 'A' }] });
    assert.equal(set.status, 'Accepted');
    const rec = await p.services.smartCharging.setProfile(st.identity, 1, profile(18));
    assert.equal(rec.status, 'Rejected');
    assert.deepEqual((await p.services.smartCharging.profiles(st.identity)).map((s) => [s.profile.id, s.status]), [[18, 'rejected']]);
    const off = await station({ smartCharging: false });
    const refused = await p.services.smartCharging.setProfile(off.identity, 1, profile(19));
    assert.equal(refused.status, 'Failed');
    assert.match(refused.failure ?? '', /NotSupported/);
    assert.deepEqual(await p.services.smartCharging.profiles(off.identity), []);
  });

  it('offline: the command is journalled as Failed and nothing is stored', async () => {
    const st = await station();
    await st.close();
    const rec = await p.services.smartCharging.setProfile(st.identity, 1, profile(20));
    assert.equal(rec.status, 'Failed');
    assert.deepEqual(await p.services.smartCharging.profiles(st.identity), []);
  });
});

describe('OCPP 2.0.1 block K — station → CSMS notifications', () => {
  let p: TestPlatform;
  let c: RawClient;
  let n = 0;
  const call = async (action: string, payload: unknown): Promise<Obj> => {
    const [type, , res] = await c.call(`k${++n}`, action, payload);
    assert.equal(type, 3, `${action} answered with ${JSON.stringify(res)}`);
    return res as Obj;
  };
  const schedule = { id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 3000 }] };

  before(async () => {
    p = await startTestPlatform();
    const password = await p.addStation('KN1');
    c = await RawClient.connect(`${p.ocppUrl}/KN1`, { protocols: ['ocpp2.0.1'], user: 'KN1', password });
    await call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
  });
  after(async () => {
    c.close();
    await p.stop();
  });

  it('NotifyChargingLimit stores the external limit per EVSE; ClearedChargingLimit removes it', async () => {
    assert.deepEqual(await call('NotifyChargingLimit', { evseId: 1, chargingLimit: { chargingLimitSource: 'EMS', isGridCritical: true }, chargingSchedule: [schedule] }), {});
    await call('NotifyChargingLimit', { chargingLimit: { chargingLimitSource: 'SO' } });
    let limits = await p.services.smartCharging.limits('KN1');
    assert.deepEqual(limits.map((l) => [l.evseId, l.source, l.isGridCritical, l.schedules]), [
      [0, 'SO', null, []],
      [1, 'EMS', true, [{ id: 1, chargingRateUnit: 'W', periods: [{ startPeriod: 0, limit: 3000 }] }]],
    ]);
    assert.deepEqual(await call('ClearedChargingLimit', { chargingLimitSource: 'EMS', evseId: 1 }), {});
    limits = await p.services.smartCharging.limits('KN1');
    assert.deepEqual(limits.map((l) => l.source), ['SO']);
  });

  it('NotifyEVChargingNeeds is answered Accepted and the needs are kept per EVSE', async () => {
    const departure = new Date(Date.now() + 3_600_000).toISOString();
    const res = await call('NotifyEVChargingNeeds', { evseId: 1, maxScheduleTuples: 12, chargingNeeds: {
      requestedEnergyTransfer: 'AC_three_phase', departureTime: departure,
      acChargingParameters: { energyAmount: 20_000, evMinCurrent: 6, evMaxCurrent: 32, evMaxVoltage: 400 },
    } });
    assert.equal(res.status, 'Accepted');
    const [needs] = await p.services.smartCharging.needs('KN1');
    assert.deepEqual([needs?.evseId, needs?.requestedEnergyTransfer, needs?.energyAmountWh, needs?.departureTime?.toISOString(), needs?.maxScheduleTuples, needs?.acParameters],
      [1, 'AC_three_phase', 20_000, departure, 12, { energyAmount: 20_000, evMinCurrent: 6, evMaxCurrent: 32, evMaxVoltage: 400 }]);
  });

  it('NotifyEVChargingSchedule is answered Accepted and stored', async () => {
    const timeBase = new Date().toISOString();
    const res = await call('NotifyEVChargingSchedule', { evseId: 2, timeBase, chargingSchedule: schedule });
    assert.equal(res.status, 'Accepted');
    const [s] = await p.services.smartCharging.evSchedules('KN1');
    assert.deepEqual([s?.evseId, s?.timeBase.toISOString(), s?.schedule], [2, timeBase, { id: 1, chargingRateUnit: 'W', periods: [{ startPeriod: 0, limit: 3000 }] }]);
  });

  it('ReportChargingProfiles for an unknown requestId is still stored, without a journal entry', async () => {
    const res = await call('ReportChargingProfiles', { requestId: 424242, chargingLimitSource: 'EMS', evseId: 1, chargingProfile: [{
      id: 77, stackLevel: 0, chargingProfilePurpose: 'ChargingStationExternalConstraints', chargingProfileKind: 'Absolute',
      chargingSchedule: [{ ...schedule, startSchedule: new Date().toISOString() }],
    }] });
    assert.deepEqual(res, {});
    const reported = await p.services.smartCharging.profiles('KN1', { status: 'reported' });
    assert.deepEqual(reported.map((r) => [r.profile.id, r.profile.purpose, r.source, r.commandId]), [[77, 'ChargingStationExternalConstraints', 'EMS', null]]);
  });

  it('a malformed NotifyEVChargingNeeds is refused by the schema, not a crash', async () => {
    const [type, , code] = await c.call('bad', 'NotifyEVChargingNeeds', { evseId: 1, chargingNeeds: {} });
    assert.equal(type, 4);
    assert.match(String(code), /Violation|Format/);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
