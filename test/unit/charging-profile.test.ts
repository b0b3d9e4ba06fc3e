import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChargingProfileError, matchesCriteria, validateProfile, type ChargingProfile, type ProfileContext } from '../../src/domain/smart-charging/profile.js';
import { csChargingProfilesOf, neutralProfile as fromV16 } from '../../src/ocpp/v16/charging-profile.js';
import { chargingProfileOf, neutralProfile as fromV201 } from '../../src/ocpp/v201/charging-profile.js';
import { v16Commands } from '../../src/ocpp/v16/commands.js';
import { v201Commands } from '../../src/ocpp/v201/commands.js';
import { CallFailed } from '../../src/ocpp/rpc/call-failed.js';

const base: ChargingProfile = {
  id: 5, stackLevel: 1, purpose: 'TxDefault', kind: 'Absolute', validFrom: '2030-01-01T00:00:00.000Z', validTo: '2030-02-01T00:00:00.000Z',
  schedules: [{ chargingRateUnit: 'A', startSchedule: '2030-01-01T00:00:00.000Z', duration: 3600, minChargingRate: 6, periods: [{ startPeriod: 0, limit: 16, numberPhases: 3 }, { startPeriod: 900, limit: 10 }] }],
};
const ctx = (extra: Partial<ProfileContext> = {}): ProfileContext => ({ protocol: 'ocpp2.0.1', evseId: 1, active: [], ...extra });

describe('charging profile rules', () => {
  it('accepts a well-formed profile', () => {
    assert.doesNotThrow(() => validateProfile(base, ctx()));
    assert.doesNotThrow(() => validateProfile({ ...base, kind: 'Recurring', recurrencyKind: 'Daily' }, ctx({ protocol: 'ocpp1.6' })));
    assert.doesNotThrow(() => validateProfile({ ...base, purpose: 'Tx', transactionRef: '12' }, ctx({ protocol: 'ocpp1.6', transactionActive: true })));
  });

  it('names the broken rule', () => {
    const sched = base.schedules[0]!;
    const cases: Array<[ChargingProfile, Partial<ProfileContext>, RegExp]> = [
      [{ ...base, stackLevel: -1 }, {}, /stackLevel/], [{ ...base, stackLevel: 100 }, {}, /stackLevel/], [{ ...base, stackLevel: 1.5 }, {}, /stackLevel/],
      [{ ...base, purpose: 'ChargingStationMax' }, {}, /evseId must be 0/],
      [{ ...base, purpose: 'ChargingStationMax', kind: 'Relative', schedules: [{ ...sched, startSchedule: undefined }] }, { evseId: 0 }, /cannot be Relative/],
      [{ ...base, purpose: 'Tx', transactionRef: 'T' }, { evseId: 0 }, /needs an EVSE/],
      [{ ...base, purpose: 'Tx' }, {}, /needs a transactionRef/],
      [{ ...base, purpose: 'Tx', transactionRef: 'abc' }, { protocol: 'ocpp1.6' }, /integers/],
      [{ ...base, purpose: 'Tx', transactionRef: 'T' }, { transactionActive: false }, /not active/],
      [{ ...base, transactionRef: 'T' }, {}, /only Tx profiles/],
      [{ ...base, purpose: 'ChargingStationExternalConstraints' }, { evseId: 0 }, /set by the station/],
      [{ ...base, kind: 'Recurring' }, {}, /recurrencyKind/], [{ ...base, recurrencyKind: 'Daily' }, {}, /Recurring profiles only/],
      [{ ...base, kind: 'Relative' }, {}, /Relative profile has no startSchedule/],
      [{ ...base, schedules: [{ ...sched, startSchedule: undefined }] }, {}, /needs a startSchedule/],
      [{ ...base, schedules: [{ ...sched, chargingRateUnit: 'kW' as 'W' }] }, {}, /A or W/],
      [{ ...base, schedules: [{ ...sched, periods: [{ startPeriod: 10, limit: 1 }] }] }, {}, /start at 0/],
      [{ ...base, schedules: [{ ...sched, periods: [{ startPeriod: 0, limit: 1 }, { startPeriod: 0, limit: 2 }] }] }, {}, /strictly increasing/],
      [{ ...base, schedules: [{ ...sched, periods: [{ startPeriod: 0, limit: -1 }] }] }, {}, /limits must be >= 0/],
      [{ ...base, schedules: [{ ...sched, periods: [] }] }, {}, /at least one period/],
      [{ ...base, schedules: [{ ...sched, periods: [{ startPeriod: 0, limit: 1, numberPhases: 4 }] }] }, {}, /numberPhases/],
      [{ ...base, schedules: [{ ...sched, periods: [{ startPeriod: 0, limit: 1, phaseToUse: 1 }] }] }, {}, /phaseToUse/],
      [{ ...base, schedules: [sched, sched] }, { protocol: 'ocpp1.6' }, /1\.\.1 schedules/],
      [{ ...base, schedules: [] }, {}, /1\.\.3 schedules/],
      [{ ...base, validTo: base.validFrom }, {}, /validFrom must be before validTo/],
      [{ ...base, validFrom: 'yesterday' }, {}, /ISO date-times/],
      [{ ...base, id: 9 }, { active: [{ evseId: 1, profile: base }] }, /already has TxDefault stackLevel 1/],
    ];
    for (const [profile, c, msg] of cases) {
      assert.throws(() => validateProfile(profile, ctx(c)), (e: unknown) => e instanceof ChargingProfileError && msg.test(e.message), msg.source);
    }
    // the same id replaces itself; another EVSE is no clash
    assert.doesNotThrow(() => validateProfile(base, ctx({ active: [{ evseId: 1, profile: base }] })));
    assert.doesNotThrow(() => validateProfile({ ...base, id: 9 }, ctx({ active: [{ evseId: 2, profile: base }] })));
  });

  it('matches clear criteria; an id wins over the other fields', () => {
    assert.equal(matchesCriteria({ profileId: 5, evseId: 9 }, 1, base), true);
    assert.equal(matchesCriteria({ evseId: 1, purpose: 'TxDefault', stackLevel: 1 }, 1, base), true);
    assert.equal(matchesCriteria({ stackLevel: 2 }, 1, base), false);
    assert.equal(matchesCriteria({}, 3, base), true);
  });
});

describe('charging profile translation', () => {
  it('round-trips through 1.6 csChargingProfiles', () => {
    const v16 = csChargingProfilesOf({ ...base, purpose: 'Tx', transactionRef: '42' });
    assert.equal(v16.chargingProfilePurpose, 'TxProfile');
    assert.equal(v16.transactionId, 42);
    assert.deepEqual(fromV16(v16), { ...base, purpose: 'Tx', transactionRef: '42' });
    assert.equal(csChargingProfilesOf({ ...base, purpose: 'ChargingStationMax' }).chargingProfilePurpose, 'ChargePointMaxProfile');
    assert.throws(() => csChargingProfilesOf({ ...base, purpose: 'ChargingStationExternalConstraints' }), CallFailed);
  });

  it('round-trips through 2.0.1 chargingProfile, giving schedules ids', () => {
    const v201 = chargingProfileOf({ ...base, schedules: [...base.schedules, { ...base.schedules[0]!, id: 77 }] });
    assert.equal(v201.chargingProfilePurpose, 'TxDefaultProfile');
    assert.deepEqual(v201.chargingSchedule.map((s) => s.id), [5, 77]);
    const back = fromV201(v201);
    assert.deepEqual(back.schedules.map((s) => s.id), [5, 77]);
    assert.deepEqual({ ...back, schedules: back.schedules.map(({ id: _id, ...s }) => s) }, { ...base, schedules: [base.schedules[0], base.schedules[0]] });
  });

  it('maps clear and get criteria onto each version', () => {
    assert.deepEqual(v16Commands.clearChargingProfile!.payload({ kind: 'clearChargingProfile', evseId: 1, purpose: 'ChargingStationMax', stackLevel: 2 }),
      { connectorId: 1, chargingProfilePurpose: 'ChargePointMaxProfile', stackLevel: 2 });
    assert.deepEqual(v201Commands.clearChargingProfile!.payload({ kind: 'clearChargingProfile', profileId: 3 }), { chargingProfileId: 3 });
    assert.deepEqual(v201Commands.clearChargingProfile!.payload({ kind: 'clearChargingProfile', evseId: 0, purpose: 'TxDefault' }),
      { chargingProfileCriteria: { evseId: 0, chargingProfilePurpose: 'TxDefaultProfile' } });
    assert.deepEqual(v201Commands.getChargingProfiles!.payload({ kind: 'getChargingProfiles', requestId: 8, profileIds: [1, 2], sources: ['CSO'] }),
      { requestId: 8, chargingProfile: { chargingProfileId: [1, 2], chargingLimitSource: ['CSO'] } });
    assert.equal(v16Commands.getChargingProfiles, undefined);
    assert.equal(v16Commands.costUpdated, undefined);
  });
});
