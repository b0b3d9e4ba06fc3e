import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cdrLocationOf, ocpiTokenType } from '../../src/domain/cdrs/location.js';
import { onboardingState } from '../../src/domain/stations/station-ops.js';

describe('OCPI token type of an OCPP idToken type', () => {
  it('maps every OCPP 2.0.1 IdTokenEnumType, keeps stored OCPI names and falls back to OTHER', () => {
    const cases: Array<[string, string]> = [
      ['ISO14443', 'RFID'], ['ISO15693', 'RFID'], ['Central', 'APP_USER'], ['eMAID', 'OTHER'], ['KeyCode', 'OTHER'],
      ['Local', 'OTHER'], ['MacAddress', 'OTHER'], ['NoAuthorization', 'OTHER'],
      ['RFID', 'RFID'], ['APP_USER', 'APP_USER'], ['AD_HOC_USER', 'AD_HOC_USER'], ['OTHER', 'OTHER'], ['SomethingNew', 'OTHER'],
    ];
    for (const [ocpp, ocpi] of cases) assert.equal(ocpiTokenType(ocpp), ocpi, ocpp);
  });
});

describe('onboarding state', () => {
  const at = new Date('2026-01-01T00:00:00Z');
  const s = { decommissionedAt: null, lastBootAt: null, lastSeenAt: null, registrationStatus: 'Accepted' as const };
  it('follows a station from pre-registration to acceptance, and decommissioning overrides everything', () => {
    assert.equal(onboardingState(s, false), 'registered');
    assert.equal(onboardingState(s, true), 'connected');
    assert.equal(onboardingState({ ...s, lastSeenAt: at }, false), 'connected', 'it has connected before');
    assert.equal(onboardingState({ ...s, lastBootAt: at, registrationStatus: 'Pending' }, true), 'booted');
    assert.equal(onboardingState({ ...s, lastBootAt: at, registrationStatus: 'Rejected' }, true), 'booted');
    assert.equal(onboardingState({ ...s, lastBootAt: at }, false), 'accepted');
    assert.equal(onboardingState({ ...s, lastBootAt: at, decommissionedAt: at }, true), 'decommissioned');
  });
});

describe('CdrLocation of a located connector', () => {
  const located = {
    locationId: 'L', name: null, address: 'A 1', city: 'C', postalCode: null, state: null, country: 'DEU', latitude: 50.1234567, longitude: -0.5,
    evseUid: null, emi3Id: null, connectorId: null, standard: null, format: null, powerType: null,
  };
  it('leaves out what the location model does not define and writes coordinates with 6 decimals', () => {
    assert.deepEqual(cdrLocationOf(located), { id: 'L', address: 'A 1', city: 'C', country: 'DEU', coordinates: { latitude: '50.123457', longitude: '-0.500000' } });
    assert.deepEqual(cdrLocationOf({ ...located, evseUid: 'U' }), { id: 'L', address: 'A 1', city: 'C', country: 'DEU', coordinates: { latitude: '50.123457', longitude: '-0.500000' }, evse_uid: 'U', evse_id: 'U' });
  });
});
