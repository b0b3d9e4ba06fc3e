import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countryCodes } from '../../src/domain/locations/countries.js';
import { boundingBox, haversineM, parseBBox, parsePoint } from '../../src/domain/locations/geo.js';
import { evseStatuses } from '../../src/domain/locations/ocpi-enums.js';
import { toOcpiLocation } from '../../src/domain/locations/ocpi.js';
import { availableOcppStatuses, busyOcppStatuses, evseStatus, evseStatusAt, ocppToOcpiStatus } from '../../src/domain/locations/status.js';
import { canonicalTimeZone, locationProblems } from '../../src/domain/locations/validation.js';
import { evseDetails } from '../../src/domain/locations/views.js';
import type { LocationRow } from '../../src/store/schema.js';

describe('location status mapping', () => {
  it('maps every OCPP 1.6 and 2.0.1 connector status to an OCPI EVSE status', () => {
    for (const s of ['Available', 'Preparing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing', 'Reserved', 'Unavailable', 'Faulted', 'Occupied']) {
      assert.ok((evseStatuses as readonly string[]).includes(ocppToOcpiStatus[s]!), s);
    }
  });
  it('derives one EVSE status from several connectors by precedence', () => {
    assert.equal(evseStatus([]), 'UNKNOWN');
    assert.equal(evseStatus(['Available', 'Charging']), 'CHARGING');
    assert.equal(evseStatus(['Faulted', 'Available']), 'AVAILABLE');
    assert.equal(evseStatus(['Faulted', 'Unavailable']), 'OUTOFORDER');
    assert.equal(evseStatus(['Reserved', 'Available']), 'RESERVED');
    assert.equal(evseStatus(['Finishing']), 'BLOCKED');
    assert.equal(evseStatus(['SomethingNew']), 'UNKNOWN');
    // a station-wide (1.6 connector 0) fault or unavailability takes every EVSE down
    assert.equal(evseStatusAt(['Available'], 'Faulted'), 'OUTOFORDER');
    assert.equal(evseStatusAt(['Charging'], 'Unavailable'), 'INOPERATIVE');
    assert.equal(evseStatusAt(['Charging'], 'Available'), 'CHARGING');
    assert.equal(evseStatusAt(['Available'], undefined), 'AVAILABLE');
  });
  it('gives the SQL filter the statuses that make or break availability', () => {
    assert.deepEqual(availableOcppStatuses, ['Available']);
    assert.deepEqual(new Set(busyOcppStatuses), new Set(['Preparing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing', 'Occupied', 'Reserved']));
  });
});

describe('location geography', () => {
  it('parses points and boxes, refusing malformed or out-of-range ones', () => {
    assert.deepEqual(parsePoint('52.37,4.9'), { lat: 52.37, lon: 4.9 });
    for (const bad of ['', '52', '52,', ',4', '91,0', '0,181', 'a,b', '1,2,3']) assert.equal(parsePoint(bad), undefined, bad);
    assert.deepEqual(parseBBox('-20,170,-10,-170'), { minLat: -20, minLon: 170, maxLat: -10, maxLon: -170 });
    for (const bad of ['1,2,3', '10,0,5,1', '0,0,91,1', '0,-181,1,1']) assert.equal(parseBBox(bad), undefined, bad);
  });
  it('computes great-circle distances', () => {
    // Amsterdam Centraal – Utrecht Centraal ≈ 35.2 km
    assert.ok(Math.abs(haversineM({ lat: 52.3791, lon: 4.9003 }, { lat: 52.0894, lon: 5.11 }) - 35_200) < 1_000);
    assert.ok(Math.abs(haversineM({ lat: 0, lon: 179.5 }, { lat: 0, lon: -179.5 }) - 111_195) < 10);
  });
  it('builds a bounding box that contains the whole radius', () => {
    const c = { lat: 60, lon: 10 };
    const b = boundingBox(c, 50_000);
    for (let deg = 0; deg < 360; deg += 15) {
      const rad = (deg * Math.PI) / 180;
      // a point just inside the radius in each direction
      const p = { lat: c.lat + (49_900 / 111_195) * Math.cos(rad), lon: c.lon + (49_900 / (111_195 * Math.cos((c.lat * Math.PI) / 180))) * Math.sin(rad) };
      if (haversineM(c, p) > 50_000) continue;
      assert.ok(p.lat >= b.minLat && p.lat <= b.maxLat && p.lon >= b.minLon && p.lon <= b.maxLon, `${deg}°`);
    }
    assert.deepEqual([boundingBox({ lat: 89.9, lon: 0 }, 50_000).minLon, boundingBox({ lat: 0, lon: 179.9 }, 50_000).maxLon], [-180, 180]);
  });
});

describe('location validation', () => {
  it('knows the ISO 3166-1 alpha-3 list and IANA time zones', () => {
    assert.equal(countryCodes.size, 249);
    assert.ok(countryCodes.has('NLD') && countryCodes.has('DEU') && !countryCodes.has('XYZ') && !countryCodes.has('NL'));
    assert.equal(canonicalTimeZone('europe/berlin'), 'Europe/Berlin');
    for (const bad of ['Mars/Base', '+01:00', '', 'Europe/Berlin; drop table']) assert.equal(canonicalTimeZone(bad), undefined, bad);
  });
  it('names every problem of the opening hours', () => {
    assert.deepEqual(locationProblems({ openingTimes: { twentyfourseven: true } }), []);
    assert.equal(locationProblems({ country: 'ZZZ', timeZone: 'X/Y', openingTimes: { twentyfourseven: false, exceptionalOpenings: [{ periodBegin: '2026-01-02T00:00:00Z', periodEnd: '2026-01-01T00:00:00Z' }] } }).length, 4);
  });
});

describe('OCPI 2.2.1 Location', () => {
  it('uses OCPI field names, string coordinates and leaves out EVSEs without connectors', () => {
    const t = new Date('2026-01-01T00:00:00Z');
    const l: LocationRow = {
      id: 'L1', groupId: 'g', name: 'Centraal', address: 'Stationsplein 1', city: 'Amsterdam', postalCode: '1012AB', state: null, country: 'NLD',
      latitude: 52.3791, longitude: 4.9, timeZone: 'Europe/Amsterdam', parkingType: 'PARKING_GARAGE', operatorName: 'OV2X', ownerName: null,
      openingTimes: { twentyfourseven: false, regularHours: [{ weekday: 1, periodBegin: '07:00', periodEnd: '22:00' }] },
      facilities: ['WIFI'], publish: true, createdAt: t, updatedAt: t,
    };
    const evses = evseDetails({
      stationIds: ['S'],
      evses: [
        { stationId: 'S', evseId: 1, uid: 'U1', emi3Id: 'NL*OVX*E1', physicalReference: '1', floorLevel: null, capabilities: ['RFID_READER'], updatedAt: t },
        { stationId: 'S', evseId: 2, uid: 'U2', emi3Id: null, physicalReference: null, floorLevel: null, capabilities: [], updatedAt: t },
      ],
      connectors: [{ stationId: 'S', evseId: 1, connectorId: 1, standard: 'IEC_62196_T2', format: 'SOCKET', powerType: 'AC_3_PHASE', maxVoltage: 400, maxAmperage: 32, maxElectricPower: 22_000, updatedAt: t }],
      live: [{ stationId: 'S', evseId: 1, connectorId: 1, status: 'Charging', errorCode: null, info: null, statusAt: new Date('2026-02-01T00:00:00Z'), updatedAt: t }],
    });
    const o = toOcpiLocation({ countryCode: 'NL', partyId: 'OVX' }, l, evses);
    assert.deepEqual(o, {
      country_code: 'NL', party_id: 'OVX', id: 'L1', publish: true, name: 'Centraal', address: 'Stationsplein 1', city: 'Amsterdam',
      postal_code: '1012AB', country: 'NLD', coordinates: { latitude: '52.379100', longitude: '4.900000' }, parking_type: 'PARKING_GARAGE',
      evses: [{
        uid: 'U1', evse_id: 'NL*OVX*E1', status: 'CHARGING', capabilities: ['RFID_READER'], physical_reference: '1',
        connectors: [{ id: '1', standard: 'IEC_62196_T2', format: 'SOCKET', power_type: 'AC_3_PHASE', max_voltage: 400, max_amperage: 32, max_electric_power: 22_000, last_updated: t.toISOString() }],
        last_updated: '2026-02-01T00:00:00.000Z',
      }],
      operator: { name: 'OV2X' }, facilities: ['WIFI'], time_zone: 'Europe/Amsterdam',
      opening_times: { twentyfourseven: false, regular_hours: [{ weekday: 1, period_begin: '07:00', period_end: '22:00' }] },
      last_updated: '2026-02-01T00:00:00.000Z',
    });
  });
});
