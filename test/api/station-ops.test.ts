// Station operations (issue 6) over a real platform: stations are raw OCPP clients on real sockets,
// everything is read back through the REST API. Onboarding with a location binding, status
// history paging and filters, live availability, the diagnostics view, decommissioning (refused
// at the upgrade, history kept, REMOVED in locations) and the OCPI CdrLocation of a CDR.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { OcpiCdr } from '../../src/domain/cdrs/index.js';
import { apiUser, call, type ApiUser } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';
import { startTlsTestPlatform } from '../helpers/test-pki.js';
import { until } from '../helpers/until.js';

type Obj = Record<string, unknown>;
interface StationView { id: string; onboarding: string; locationId: string | null; decommissionedAt: string | null; connected: boolean; groupId: string | null }
interface StatusRecord { evseId: number; connectorId: number; status: string; errorCode: string | null; statusAt: string }
interface Page<T> { items: T[]; total: number }
interface Availability { evseId: number; connectorId: number; ocppStatus: string; status: string; available: boolean }

const base = { address: 'Stationsplein 1', city: 'Amsterdam', country: 'NLD', timeZone: 'Europe/Amsterdam', coordinates: { latitude: 52.3791, longitude: 4.9003 } };
const t2 = { connectorId: 1, standard: 'IEC_62196_T2', format: 'SOCKET', powerType: 'AC_3_PHASE', maxVoltage: 400, maxAmperage: 32, maxElectricPower: 22_000 };
const T0 = Date.parse('2026-03-01T10:00:00Z');
const at = (min: number): string => new Date(T0 + min * 60_000).toISOString();

/** A 1.6 station spoken to frame by frame. */
class Station16 {
  private n = 0;
  constructor(readonly id: string, readonly c: RawClient) {}

  static async connect(p: TestPlatform, id: string, password: string): Promise<Station16> {
    const st = new Station16(id, await RawClient.connect(`${p.ocppUrl}/${id}`, { protocols: ['ocpp1.6'], user: id, password }));
    await st.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'Wallbox', firmwareVersion: '1.2.3' });
    return st;
  }

  async call(action: string, payload: unknown): Promise<Obj> {
    const [type, , res] = await this.c.call(`m${++this.n}`, action, payload);
    assert.equal(type, 3, `${action} answered with ${JSON.stringify(res)}`);
    return res as Obj;
  }

  status(connectorId: number, status: string, min: number, errorCode = 'NoError'): Promise<Obj> {
    return this.call('StatusNotification', { connectorId, status, errorCode, timestamp: at(min) });
  }
}

describe('Station operations (issue 6)', () => {
  let p: TestPlatform;
  let manager: ApiUser;
  let support: ApiUser;
  let otherGroup: ApiUser;
  let locationId: string;
  const clients: RawClient[] = [];

  before(async () => {
    p = await startTestPlatform();
    await p.services.identity.stationGroups.create('A', 'group A');
    await p.services.identity.stationGroups.create('B', 'group B');
    manager = await apiUser(p, ['cpo_manager'], { groups: ['A'] });
    support = await apiUser(p, ['support_l1'], { groups: ['A'] });
    otherGroup = await apiUser(p, ['cpo_manager'], { groups: ['B'] });
    const loc = await call<{ id: string }>(p, 'POST', '/locations', { token: manager.token, body: { ...base, groupId: 'A', name: 'Centraal', postalCode: '1012AB' } });
    assert.equal(loc.status, 201, JSON.stringify(loc.body));
    locationId = loc.body.id;
    await p.repos.tokens.upsert({ idToken: 'RFID-CARD-1', status: 'Accepted' });
    await p.repos.tokens.upsert({ idToken: 'APP-USER-1', type: 'Central', status: 'Accepted' });
  });
  after(async () => {
    for (const c of clients) c.close();
    await p?.stop();
  });

  const register = async (body: Obj, u = manager) => call<{ station: StationView; password: string }>(p, 'POST', '/stations', { token: u.token, body });
  const stationView = async (id: string) => (await call<StationView>(p, 'GET', `/stations/${id}`, { token: support.token })).body;
  const connect = async (id: string, password: string): Promise<Station16> => {
    const st = await Station16.connect(p, id, password);
    clients.push(st.c);
    return st;
  };

  it('pre-registers a station bound to a location and EVSEs, and shows its onboarding state', async () => {
    // a location of another group is refused, and nothing is registered
    const wrong = await register({ id: 'OPS-NOPE', groupId: 'A', locationId: '00000000-0000-0000-0000-000000000000' });
    assert.equal(wrong.status, 422);
    assert.equal((await call(p, 'GET', '/stations/OPS-NOPE', { token: support.token })).status, 404);
    const noGroup = await register({ id: 'OPS-NOPE', groupId: 'A', locationId, evses: [{ evseId: 1, connectors: [t2] }, { evseId: 2, connectors: [t2, t2] }] });
    assert.equal(noGroup.status, 422, 'repeated connector ids: the whole registration is refused');
    assert.equal((await call(p, 'GET', '/stations/OPS-NOPE', { token: support.token })).status, 404, 'and rolled back');

    const r = await register({ id: 'OPS-1', groupId: 'A', locationId, evses: [{ evseId: 1, emi3Id: 'NL*OVX*E0101', connectors: [t2] }] });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.station.onboarding, 'registered');
    assert.equal(r.body.station.locationId, locationId);
    const detail = await call<{ stationIds: string[]; evses: Array<{ stationId: string; emi3Id: string; status: string }> }>(p, 'GET', `/locations/${locationId}`, { token: support.token });
    assert.deepEqual(detail.body.stationIds, ['OPS-1']);
    assert.deepEqual(detail.body.evses.map((e) => [e.stationId, e.emi3Id]), [['OPS-1', 'NL*OVX*E0101']]);

    const c = await RawClient.connect(`${p.ocppUrl}/OPS-1`, { protocols: ['ocpp1.6'], user: 'OPS-1', password: r.body.password });
    clients.push(c);
    await until('connected', async () => (await stationView('OPS-1')).onboarding === 'connected');
    const [type] = await c.call('b1', 'BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'Wallbox' });
    assert.equal(type, 3);
    const booted = await stationView('OPS-1');
    assert.deepEqual([booted.onboarding, booted.connected], ['accepted', true]);
    const pending = await register({ id: 'OPS-PENDING', groupId: 'A' });
    await p.repos.stations.setRegistrationStatus('OPS-PENDING', 'Pending');
    await Station16.connect(p, 'OPS-PENDING', pending.body.password).then((s) => clients.push(s.c));
    assert.equal((await stationView('OPS-PENDING')).onboarding, 'booted');
  });

  it('pages the status history newest first, filtered by connector and time range', async () => {
    const { body } = await register({ id: 'OPS-HIST', groupId: 'A' });
    const st = await connect('OPS-HIST', body.password);
    // connector 1 at minutes 0..4, connector 2 at minutes 1 and 3
    for (const [conn, status, min] of [[1, 'Available', 0], [2, 'Available', 1], [1, 'Preparing', 2], [2, 'Unavailable', 3], [1, 'Charging', 4]] as const) await st.status(conn, status, min);
    const url = (q: string) => `/stations/OPS-HIST/status-history?${q}`;
    const get = async (q: string) => {
      const r = await call<Page<StatusRecord>>(p, 'GET', url(q), { token: support.token });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body;
    };
    await until('history written', async () => (await get('')).total === 5);
    const first = await get('limit=2');
    assert.deepEqual(first.items.map((i) => i.statusAt), [at(4), at(3)]);
    const second = await get('limit=2&offset=2');
    assert.deepEqual(second.items.map((i) => i.statusAt), [at(2), at(1)]);
    assert.equal(second.total, 5);
    const oldest = await get('order=asc&limit=1');
    assert.deepEqual(oldest.items.map((i) => [i.status, i.statusAt]), [['Available', at(0)]]);
    // 1.6 connector n is EVSE n, connector 1
    const two = await get('evseId=2');
    assert.deepEqual(two.items.map((i) => [i.evseId, i.connectorId, i.status]), [[2, 1, 'Unavailable'], [2, 1, 'Available']]);
    const window = await get(`from=${encodeURIComponent(at(1))}&to=${encodeURIComponent(at(3))}`);
    assert.deepEqual(window.items.map((i) => i.statusAt), [at(2), at(1)], 'from inclusive, to exclusive');
    assert.equal((await call(p, 'GET', url(`from=${encodeURIComponent(at(3))}&to=${encodeURIComponent(at(1))}`), { token: support.token })).status, 400);
    assert.equal((await call(p, 'GET', url(''), { token: otherGroup.token })).status, 404, 'outside the caller\'s groups');
  });

  it('shows live availability per connector and the diagnostics a support engineer opens first', async () => {
    const { body } = await register({ id: 'OPS-DIAG', groupId: 'A' });
    // a failed login first: it is a security event of this station
    await assert.rejects(RawClient.connect(`${p.ocppUrl}/OPS-DIAG`, { protocols: ['ocpp1.6'], user: 'OPS-DIAG', password: 'wrong-password-wrong-password' }), (e: { status?: number }) => e.status === 401);
    const st = await connect('OPS-DIAG', body.password);
    await st.status(1, 'Available', 0);
    await st.status(2, 'Faulted', 1, 'GroundFailure');
    await st.status(3, 'Charging', 2);
    const availability = async () => (await call<{ connected: boolean; connectors: Availability[] }>(p, 'GET', '/stations/OPS-DIAG/availability', { token: support.token })).body;
    await until('statuses', async () => (await availability()).connectors.length === 3);
    const live = await availability();
    assert.equal(live.connected, true);
    assert.deepEqual(live.connectors.map((c) => [c.evseId, c.ocppStatus, c.status, c.available]), [[1, 'Available', 'AVAILABLE', true], [2, 'Faulted', 'OUTOFORDER', false], [3, 'Charging', 'CHARGING', false]]);

    // a command the station does not answer stays open
    const sent = await call<{ commandId: number }>(p, 'POST', '/stations/OPS-DIAG/commands', { token: manager.token, body: { kind: 'reset', mode: 'soft' } });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const frame = (await st.c.next()) as unknown[];
    assert.equal(frame[2], 'Reset');

    await until('security event recorded', async () => (await p.repos.securityEvents.list({ stationId: 'OPS-DIAG', limit: 5 })).length > 0);
    const d = await call<Obj & {
      station: StationView; connection: Obj; boot: Obj; lastHeartbeatAt: string | null; connectors: Availability[]; recentFaults: StatusRecord[];
      securityEvents: Array<{ type: string }> | null; openCommands: Array<{ id: number; kind: string }>; logUploads: unknown[]; issuedCertificate: unknown;
    }>(p, 'GET', '/stations/OPS-DIAG/diagnostics', { token: support.token });
    assert.equal(d.status, 200, JSON.stringify(d.body));
    const v = d.body;
    assert.equal(v.station.onboarding, 'accepted');
    assert.deepEqual([v.connection.connected, v.connection.protocol, v.connection.securityProfile], [true, 'ocpp1.6', 1]);
    assert.ok(typeof v.connection.since === 'string' && Date.parse(v.connection.since) <= Date.now());
    assert.deepEqual([v.boot.vendor, v.boot.model, v.boot.firmwareVersion], ['Acme', 'Wallbox', '1.2.3']);
    assert.ok(v.boot.lastBootAt);
    assert.deepEqual(v.recentFaults.map((f) => [f.evseId, f.status, f.errorCode]), [[2, 'Faulted', 'GroundFailure']]);
    assert.equal(v.securityEvents, null, 'support without security:read does not see the security log');
    const withSecurity = await call<{ securityEvents: Array<{ type: string }> }>(p, 'GET', '/stations/OPS-DIAG/diagnostics', { token: manager.token });
    assert.ok(withSecurity.body.securityEvents.some((e) => e.type === 'InvalidCredentials'), JSON.stringify(withSecurity.body.securityEvents));
    assert.deepEqual(v.openCommands.map((c) => [c.id, c.kind]), [[sent.body.commandId, 'reset']]);
    assert.deepEqual(v.logUploads, []);
    assert.deepEqual([v.issuedCertificate, v.connection.clientCertificate], [null, null], 'profile 1: no certificate');
    assert.equal(v.connectors.length, 3);
    assert.equal((await call(p, 'GET', '/stations/OPS-DIAG/diagnostics', { token: otherGroup.token })).status, 404);

    // offline: nothing current is known about its connectors
    st.c.close();
    await until('offline', async () => !(await availability()).connected);
    assert.deepEqual((await availability()).connectors.map((c) => c.status), ['UNKNOWN', 'UNKNOWN', 'UNKNOWN']);
  });

  it('issues CDRs with the OCPI CdrLocation of a located station and the OCPI token type', async () => {
    const { body } = await register({
      id: 'OPS-CDR', groupId: 'A', locationId,
      evses: [{ evseId: 1, emi3Id: 'NL*OVX*E0201', connectors: [t2] }, { evseId: 2, connectors: [{ ...t2, standard: 'IEC_62196_T2_COMBO', format: 'CABLE', powerType: 'DC', maxVoltage: 920, maxAmperage: 200 }] }],
    });
    const st = await connect('OPS-CDR', body.password);
    const session = async (connectorId: number, idTag: string): Promise<OcpiCdr> => {
      const started = await st.call('StartTransaction', { connectorId, idTag, meterStart: 0, timestamp: at(10) });
      const txId = started.transactionId as number;
      await st.call('StopTransaction', { transactionId: txId, meterStop: 5000, timestamp: at(40), reason: 'EVDisconnected' });
      let id: number | undefined;
      await until('CDR issued', async () => (id = (await p.repos.cdrs.byTransaction(txId))?.id) !== undefined);
      const r = await call<OcpiCdr>(p, 'GET', `/cdrs/${id}`, { token: manager.token });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body;
    };
    const rfid = await session(1, 'RFID-CARD-1');
    const evse = (await p.repos.locations.getEvse('OPS-CDR', 1))!;
    assert.deepEqual(rfid.cdr_location, {
      id: locationId, name: 'Centraal', address: base.address, city: base.city, postal_code: '1012AB', country: 'NLD',
      coordinates: { latitude: '52.379100', longitude: '4.900300' },
      evse_uid: evse.uid, evse_id: 'NL*OVX*E0201', connector_id: '1', connector_standard: 'IEC_62196_T2', connector_format: 'SOCKET', connector_power_type: 'AC_3_PHASE',
      station_id: 'OPS-CDR', ocpp_evse_id: 1, ocpp_connector_id: 1,
    });
    assert.equal(rfid.cdr_token.type, 'RFID');
    const app = await session(2, 'APP-USER-1');
    const dc = (await p.repos.locations.getEvse('OPS-CDR', 2))!;
    assert.equal(app.cdr_token.type, 'APP_USER', 'an OCPP Central token is an OCPI APP_USER');
    assert.deepEqual([app.cdr_location.evse_uid, app.cdr_location.evse_id, app.cdr_location.connector_standard, app.cdr_location.connector_power_type], [dc.uid, dc.uid, 'IEC_62196_T2_COMBO', 'DC'], 'no eMI3 id: the uid stands in');
    const csv = await call<string>(p, 'GET', '/cdrs/export?stationId=OPS-CDR', { token: manager.token });
    const [header, row] = csv.body.trimEnd().split('\r\n').map((l) => l.split(','));
    const fields = Object.fromEntries(header!.map((h, i) => [h, row![i]]));
    assert.deepEqual([fields.token_type, fields.location_id, fields.evse_emi3_id, fields.connector_standard], ['RFID', locationId, 'NL*OVX*E0201', 'IEC_62196_T2']);
    st.c.close();
  });

  it('decommissions a station: disconnected, refused at the upgrade, certificates revoked, REMOVED, history kept; recommissioned with new credentials', async () => {
    const { body } = await register({ id: 'OPS-DEC', groupId: 'A', locationId, evses: [{ evseId: 1, connectors: [t2] }] });
    const st = await connect('OPS-DEC', body.password);
    await st.status(1, 'Available', 0);
    const started = await st.call('StartTransaction', { connectorId: 1, idTag: 'RFID-CARD-1', meterStart: 0, timestamp: at(1) });
    await st.call('StopTransaction', { transactionId: started.transactionId, meterStop: 1000, timestamp: at(2), reason: 'Local' });
    await until('CDR issued', async () => (await p.repos.cdrs.byTransaction(started.transactionId as number)) !== undefined);
    await until('history written', async () => (await p.repos.stationOps.statusHistory({ stationId: 'OPS-DEC', limit: 10, offset: 0 })).total === 1);
    // a certificate the CPO CA issued to it (registry row) is revoked with it
    await p.repos.pki.addIssued({
      serialNumber: '1a2b3c4d', stationId: 'OPS-DEC', certificateType: 'ChargingStationCertificate', subject: 'CN=OPS-DEC,O=OV2X', issuer: 'CN=Issuing',
      notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 86_400_000), fingerprint: 'ff', pem: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n',
    });

    assert.equal((await call(p, 'DELETE', '/stations/OPS-DEC', { token: manager.token })).status, 409, 'a station with history is decommissioned, not deleted');
    assert.equal((await call(p, 'POST', '/stations/OPS-DEC/decommission', { token: support.token })).status, 403, 'support may only read');
    assert.equal((await call(p, 'POST', '/stations/OPS-DEC/decommission', { token: otherGroup.token })).status, 404);
    const dec = await call<{ station: StationView; revokedCertificates: string[]; unrevokedCertificates: string[] }>(p, 'POST', '/stations/OPS-DEC/decommission', { token: manager.token });
    assert.equal(dec.status, 200, JSON.stringify(dec.body));
    assert.equal(dec.body.station.onboarding, 'decommissioned');
    assert.ok(dec.body.station.decommissionedAt);
    assert.deepEqual([dec.body.revokedCertificates, dec.body.unrevokedCertificates], [['1a2b3c4d'], []]);
    assert.ok((await p.repos.pki.getIssued('1a2b3c4d'))?.revokedAt, 'revoked in the registry');
    const closed = await st.c.closed;
    assert.equal(closed.code, 1008);
    assert.equal((await call(p, 'POST', '/stations/OPS-DEC/decommission', { token: manager.token })).status, 409);
    const row = (await p.repos.stations.get('OPS-DEC'))!;
    assert.deepEqual([row.passwordHash, row.pendingPasswordHash], [null, null], 'credentials wiped');

    // refused at the upgrade, with the old password and with none (a wiped hash must not mean "no password needed")
    for (const password of [body.password, undefined]) {
      await assert.rejects(RawClient.connect(`${p.ocppUrl}/OPS-DEC`, { protocols: ['ocpp1.6'], user: 'OPS-DEC', password }), (e: { status?: number }) => e.status === 403);
    }
    await until('refusal recorded', async () => (await p.repos.securityEvents.list({ stationId: 'OPS-DEC', limit: 10 })).some((e) => e.type === 'Decommissioned'));

    // REMOVED in the locations API, not counted as available
    const loc = await call<{ evses: Array<{ stationId: string; status: string; connectors: Array<{ status: string }> }> }>(p, 'GET', `/locations/${locationId}`, { token: support.token });
    const removed = loc.body.evses.find((e) => e.stationId === 'OPS-DEC')!;
    assert.deepEqual([removed.status, removed.connectors.map((c) => c.status)], ['REMOVED', ['REMOVED']]);
    const availability = await call<{ decommissioned: boolean; connectors: Availability[] }>(p, 'GET', '/stations/OPS-DEC/availability', { token: support.token });
    assert.deepEqual([availability.body.decommissioned, availability.body.connectors.map((c) => c.status)], [true, ['REMOVED']]);
    const listed = await call<Page<StationView>>(p, 'GET', '/stations?decommissioned=true', { token: support.token });
    assert.deepEqual(listed.body.items.map((s) => s.id), ['OPS-DEC']);

    // history stays: status, transactions, CDRs
    assert.equal((await call<Page<StatusRecord>>(p, 'GET', '/stations/OPS-DEC/status-history', { token: support.token })).body.total, 1);
    assert.ok(await p.repos.transactions.get(started.transactionId as number));
    const cdrs = await call<Page<OcpiCdr>>(p, 'GET', '/cdrs?stationId=OPS-DEC', { token: manager.token });
    assert.equal(cdrs.body.total, 1);

    // back in service: only the new password works
    assert.equal((await register({ id: 'OPS-LIVE', groupId: 'A' })).status, 201);
    assert.equal((await call(p, 'POST', '/stations/OPS-LIVE/recommission', { token: manager.token, body: {} })).status, 409, 'not decommissioned');
    const rec = await call<{ station: StationView; password: string }>(p, 'POST', '/stations/OPS-DEC/recommission', { token: manager.token, body: {} });
    assert.equal(rec.status, 200, JSON.stringify(rec.body));
    assert.equal(rec.body.station.decommissionedAt, null);
    assert.notEqual(rec.body.password, body.password);
    await assert.rejects(RawClient.connect(`${p.ocppUrl}/OPS-DEC`, { protocols: ['ocpp1.6'], user: 'OPS-DEC', password: body.password }), (e: { status?: number }) => e.status === 401);
    const back = await connect('OPS-DEC', rec.body.password);
    assert.equal((await stationView('OPS-DEC')).onboarding, 'accepted');
    back.c.close();
  });
});

describe('Station diagnostics over TLS (security profile 3)', () => {
  it('shows the verified client certificate the station connected with', async () => {
    const h = await startTlsTestPlatform({ cpoOrganization: 'OV2X Test CPO' });
    try {
      await h.p.services.stations.register('OPS-TLS', { securityProfile: 3 });
      const admin = await apiUser(h.p, ['admin']);
      const cert = await h.pki.station('CN=OPS-TLS, O=OV2X Test CPO', { notAfter: new Date('2027-01-02T03:04:05Z') });
      const c = await RawClient.connect(`${h.p.tls!.ocppUrl}/OPS-TLS`, { protocols: ['ocpp1.6'], tls: { ca: h.pki.rootPem, cert: cert.certPem, key: cert.keyPem } });
      await until('connected', async () => h.p.services.stations.isConnected('OPS-TLS'));
      const d = await call<{ connection: { securityProfile: number; clientCertificate: { subject: string; serialNumber: string; notAfter: string } | null } }>(h.p, 'GET', '/stations/OPS-TLS/diagnostics', { token: admin.token });
      assert.equal(d.status, 200, JSON.stringify(d.body));
      assert.equal(d.body.connection.securityProfile, 3);
      assert.deepEqual(d.body.connection.clientCertificate, { subject: 'CN=OPS-TLS, O=OV2X Test CPO', serialNumber: cert.serial, notAfter: '2027-01-02T03:04:05.000Z' });
      c.close();
    } finally {
      await h.stop();
    }
  });
});
