// OCPP 1.6 Smart Charging profile, CSMS side, against the simulator: SetChargingProfile,
// ClearChargingProfile and GetCompositeSchedule through the smart-charging service.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChargingProfileError, type ChargingProfile } from '../../../src/domain/smart-charging/profile.js';
import { SimulatedStation } from '../../../src/sim/station.js';
import type { Behaviour } from '../../../src/sim/types.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';

type Obj = Record<string, unknown>;

const profile = (id: number, extra: Partial<ChargingProfile> = {}): ChargingProfile => ({
  id, stackLevel: 0, purpose: 'TxDefault', kind: 'Relative',
  schedules: [{ chargingRateUnit: 'A', periods: [{ startPeriod: 0, limit: 16 }] }], ...extra,
});

describe('OCPP 1.6 Smart Charging profile (CSMS side)', () => {
  let p: TestPlatform;
  const open: SimulatedStation[] = [];
  let seq = 0;

  async function station(behaviour: Behaviour = {}): Promise<SimulatedStation> {
    const identity = `SC16-${++seq}`;
    const password = await p.addStation(identity);
    const st = new SimulatedStation({ url: p.ocppUrl, identity, password, protocol: '1.6', connectors: 2, meterIntervalMs: 0, behaviour });
    open.push(st);
    await st.connect();
    assert.equal((await st.boot()).status, 'Accepted');
    return st;
  }

  before(async () => {
    p = await startTestPlatform();
    await p.repos.tokens.upsert({ idToken: 'SC-TAG', status: 'Accepted' });
  });
  after(async () => {
    await Promise.all(open.map((s) => s.close()));
    await p.stop();
  });

  it('TC_056_CSMS Central Smart Charging - TxDefaultProfile', async () => {
    const st = await station();
    const rec = await p.services.smartCharging.setProfile(st.identity, 1, profile(1));
    assert.equal(rec.status, 'Accepted');
    assert.equal(rec.action, 'SetChargingProfile');
    const stored = await p.services.smartCharging.profiles(st.identity);
    assert.deepEqual(stored.map((s) => [s.evseId, s.status, s.profile.id, s.commandId]), [[1, 'active', 1, rec.id]]);
    // a second profile with the same id replaces the first
    await p.services.smartCharging.setProfile(st.identity, 1, profile(1, { stackLevel: 2 }));
    assert.deepEqual((await p.services.smartCharging.profiles(st.identity)).map((s) => s.profile.stackLevel), [2]);
  });

  it('TC_057_CSMS Central Smart Charging - TxProfile', async () => {
    const st = await station();
    const txn = await st.startSession({ connector: 1, idTag: 'SC-TAG' });
    const rec = await p.services.smartCharging.setProfile(st.identity, 1, profile(7, { purpose: 'Tx', transactionRef: String(txn) }));
    assert.equal(rec.status, 'Accepted');
    assert.equal(((rec.command.profile as Obj).transactionRef), String(txn));
    assert.deepEqual((await p.services.smartCharging.profiles(st.identity, { status: 'active' })).map((s) => [s.profile.purpose, s.profile.transactionRef]), [['Tx', String(txn)]]);
    await st.stopSession(txn);
  });

  it('TC_066_CSMS Get Composite Schedule', async () => {
    const st = await station();
    await p.services.smartCharging.setProfile(st.identity, 0, profile(3, {
      purpose: 'ChargingStationMax', kind: 'Absolute',
      schedules: [{ chargingRateUnit: 'A', startSchedule: new Date(Date.now() - 1000).toISOString(), periods: [{ startPeriod: 0, limit: 10 }] }],
    }));
    await p.services.smartCharging.setProfile(st.identity, 1, profile(4, { schedules: [{ chargingRateUnit: 'A', periods: [{ startPeriod: 0, limit: 13 }] }] }));
    const rec = await p.services.smartCharging.compositeSchedule(st.identity, 1, 600, 'A');
    assert.equal(rec.status, 'Accepted');
    const schedule = rec.response!.chargingSchedule as Obj;
    assert.equal(schedule.chargingRateUnit, 'A');
    assert.equal(schedule.duration, 600);
    // the station maximum (10 A) is below the TxDefault (13 A)
    assert.deepEqual(schedule.chargingSchedulePeriod, [{ startPeriod: 0, limit: 10 }]);
  });

  it('TC_067_CSMS Clear Charging Profile', async () => {
    const st = await station();
    const sc = p.services.smartCharging;
    const max = profile(10, { purpose: 'ChargingStationMax', kind: 'Absolute', schedules: [{ chargingRateUnit: 'A', startSchedule: new Date().toISOString(), periods: [{ startPeriod: 0, limit: 32 }] }] });
    for (const [evse, prof] of [[0, max], [1, profile(11, { stackLevel: 1 })], [2, profile(12, { stackLevel: 3 })]] as const) {
      assert.equal((await sc.setProfile(st.identity, evse, prof)).status, 'Accepted');
    }
    const ids = async () => (await sc.profiles(st.identity)).map((s) => s.profile.id).sort((a, b) => a - b);
    assert.equal((await sc.clearProfiles(st.identity, { profileId: 10 })).status, 'Accepted');
    assert.deepEqual(await ids(), [11, 12]);
    assert.equal((await sc.clearProfiles(st.identity, { evseId: 2, purpose: 'TxDefault', stackLevel: 3 })).status, 'Accepted');
    assert.deepEqual(await ids(), [11]);
    const all = await sc.clearProfiles(st.identity);
    assert.equal(all.action, 'ClearChargingProfile');
    assert.deepEqual(all.command, { kind: 'clearChargingProfile' });
    assert.deepEqual(await ids(), []);
  });

  it('ClearChargingProfile matching nothing: the station answers Unknown and nothing is removed', async () => {
    const st = await station();
    const sc = p.services.smartCharging;
    await sc.setProfile(st.identity, 1, profile(20));
    const rec = await sc.clearProfiles(st.identity, { profileId: 999 });
    assert.equal(rec.status, 'Unknown');
    assert.deepEqual((await sc.profiles(st.identity)).map((s) => s.profile.id), [20]);
  });

  it('a profile in a unit the charge point does not allow is Rejected and stored as rejected', async () => {
    const st = await station();
    assert.equal((await p.services.commands.send(st.identity, { kind: 'changeConfiguration', key: 'ChargingScheduleAllowedChargingRateUnit', value: 'Current' })).status, 'Accepted');
    const rec = await p.services.smartCharging.setProfile(st.identity, 1, profile(30, { schedules: [{ chargingRateUnit: 'W', periods: [{ startPeriod: 0, limit: 7400 }] }] }));
    assert.equal(rec.status, 'Rejected');
    assert.match(rec.failure ?? '', /^Rejected: /);
    assert.deepEqual((await p.services.smartCharging.profiles(st.identity)).map((s) => [s.profile.id, s.status]), [[30, 'rejected']]);
    assert.equal((await p.services.smartCharging.compositeSchedule(st.identity, 1, 60, 'W')).status, 'Rejected');
  });

  it('a charge point without Smart Charging answers NotSupported', async () => {
    const st = await station({ smartCharging: false });
    const rec = await p.services.smartCharging.setProfile(st.identity, 1, profile(40));
    assert.equal(rec.status, 'NotSupported');
    assert.deepEqual((await p.services.smartCharging.profiles(st.identity)).map((s) => s.status), ['rejected']);
  });

  it('a TxProfile for a transaction that is not running is refused before anything is sent', async () => {
    const st = await station();
    const before = (await p.services.commands.list(st.identity)).length;
    await assert.rejects(p.services.smartCharging.setProfile(st.identity, 1, profile(50, { purpose: 'Tx', transactionRef: '987654' })),
      (e: unknown) => e instanceof ChargingProfileError && /not active/.test(e.message));
    await assert.rejects(p.services.smartCharging.setProfile(st.identity, 1, profile(51, { purpose: 'Tx' })), /needs a transactionRef/);
    await assert.rejects(p.services.smartCharging.setProfile(st.identity, 1, profile(52, { schedules: [{ chargingRateUnit: 'A', periods: [{ startPeriod: 0, limit: 6, phaseToUse: 1, numberPhases: 1 }] }] })), /phaseToUse/);
    assert.equal((await p.services.commands.list(st.identity)).length, before, 'nothing was journalled or sent');
  });

  it('an offline charge point: the command fails, nothing is stored', async () => {
    const st = await station();
    await st.close();
    const rec = await p.services.smartCharging.setProfile(st.identity, 1, profile(60));
    assert.equal(rec.status, 'Failed');
    assert.match(rec.failure ?? '', /^Offline: /);
    assert.deepEqual(await p.services.smartCharging.profiles(st.identity), []);
  });

  it('1.6 has neither GetChargingProfiles nor CostUpdated', async () => {
    const st = await station();
    await assert.rejects(p.services.smartCharging.requestProfiles(st.identity), /only in OCPP 2\.0\.1/);
    const rec = await p.services.commands.send(st.identity, { kind: 'costUpdated', transactionRef: '1', totalCost: 1 });
    assert.equal(rec.status, 'Failed');
    assert.match(rec.failure ?? '', /^NotSupported: /);
  });

  it('unknown stations are a clear error, not a crash', async () => {
    await assert.rejects(p.services.smartCharging.setProfile('NOPE', 1, profile(1)), /unknown station/);
  });
});
