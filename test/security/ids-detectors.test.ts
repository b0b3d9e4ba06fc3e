import assert from 'node:assert/strict';
import { connect as tcpConnect, type Socket } from 'node:net';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { apiUser, call } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';
import { startTlsTestPlatform } from '../helpers/test-pki.js';
import { until } from '../helpers/until.js';
import type { IdsAlert } from '../../src/store/schema.js';

const boot16 = { chargePointVendor: 'ACME', chargePointModel: 'X1' };
const boot201 = { reason: 'PowerUp', chargingStation: { vendorName: 'ACME', model: 'X1' } };
type Protocol = 'ocpp1.6' | 'ocpp2.0.1';

async function alertsOf(p: TestPlatform, filter: { stationId?: string; rule?: string; sourceIp?: string } = {}): Promise<IdsAlert[]> {
  await p.ids!.settled();
  const rows = await p.services.idsAlerts.list({ stationId: filter.stationId, limit: 500, offset: 0 });
  return rows.filter((a) => (filter.rule === undefined || a.rule === filter.rule) && (filter.sourceIp === undefined || a.sourceIp === filter.sourceIp));
}

const evidenceOf = (a: IdsAlert | undefined): Record<string, unknown> => {
  assert.ok(a, 'alert expected');
  return a.evidence as Record<string, unknown>;
};

/** An open TCP socket that sends half a request head and then nothing (slowloris). */
function stalledHead(p: TestPlatform, localAddress: string): Promise<{ socket: Socket; closed: Promise<void> }> {
  const { port } = new URL(p.httpUrl);
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: '127.0.0.1', port: Number(port), localAddress }, () => {
      socket.write('GET /ocpp/NOBODY HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
      resolve({ socket, closed: new Promise((done) => socket.once('close', () => done())) });
    });
    socket.once('error', reject);
  });
}

describe('IDS detectors (issue 7, second round)', () => {
  let p: TestPlatform;
  const pw: Record<string, string> = {};
  const connect = (id: string, protocol: Protocol = 'ocpp1.6', localAddress?: string) =>
    RawClient.connect(`${p.ocppUrl}/${id}`, { protocols: [protocol], user: id, password: pw[id], localAddress });
  async function booted(id: string, protocol: Protocol = 'ocpp1.6', localAddress?: string): Promise<RawClient> {
    const c = await connect(id, protocol, localAddress);
    const [, , res] = await c.call('boot', 'BootNotification', protocol === 'ocpp1.6' ? boot16 : boot201);
    assert.equal((res as { status: string }).status, 'Accepted');
    return c;
  }
  async function start16(c: RawClient, id: string): Promise<number> {
    const [type, , res] = await c.call(id, 'StartTransaction', { connectorId: 1, idTag: 'DET-CARD', meterStart: 1000, timestamp: new Date().toISOString() });
    assert.equal(type, 3);
    return (res as { transactionId: number }).transactionId;
  }
  const txEvent = (eventType: 'Started' | 'Updated' | 'Ended', tx: string, seqNo: number, extra: Record<string, unknown> = {}) => ({
    eventType, timestamp: new Date().toISOString(), seqNo, evse: { id: 1, connectorId: 1 },
    triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'StopAuthorized' : 'MeterValuePeriodic',
    transactionInfo: { transactionId: tx, ...(eventType === 'Ended' && { stoppedReason: 'Local' }) }, ...extra,
  });
  const power = (w: number, unit = 'W') => ({ connectorId: 1, meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: String(unit === 'kW' ? w / 1000 : w), measurand: 'Power.Active.Import', unit }] }] });

  before(async () => {
    p = await startTestPlatform({
      handshakeTimeout: 500,
      idsRules: JSON.stringify([{ id: 'T1-slow-handshake', threshold: 2, timeoutS: 1 }, { id: 'T3-clock-skew', threshold: 3, graceS: 1 }]),
    });
    for (const id of ['HALF-1', 'HALF-2', 'HS-OK', 'BURST-1', 'BURST-OK', 'UNK-1', 'UNK-2', 'UNK-OK', 'UNK-OK2', 'STOP-1', 'STOP-2', 'STOP-OK', 'STOP-OK2',
      'PWR-1', 'PWR-2', 'PWR-OK', 'PWR-DM', 'SKEW-1', 'SKEW-OK', 'NET-1', 'NET-OK', 'BASE-1', 'BASE-OK', 'SCOPE-IN', 'SCOPE-OUT']) pw[id] = await p.addStation(id);
    await p.repos.tokens.upsert({ idToken: 'DET-CARD', status: 'Accepted' });
  });
  after(() => p.stop());

  it('T1 slow handshake: sockets that never finish their request head are dropped at the timeout and raise an alert for the address', async () => {
    const stalls = await Promise.all([stalledHead(p, '127.0.0.21'), stalledHead(p, '127.0.0.21')]);
    await Promise.all(stalls.map((s) => s.closed));
    await until('slow-handshake alert', async () => (await alertsOf(p, { rule: 'T1-slow-handshake', sourceIp: '127.0.0.21' })).length === 1);
    const [alert] = await alertsOf(p, { rule: 'T1-slow-handshake', sourceIp: '127.0.0.21' });
    assert.equal(evidenceOf(alert).stage, 'request');
    assert.equal(evidenceOf(alert).stalls, 2);
  });

  it('T1 half-open: upgraded sockets that stay silent past timeoutS raise an alert for the address', async () => {
    const a = await connect('HALF-1', 'ocpp1.6', '127.0.0.22');
    const b = await connect('HALF-2', 'ocpp1.6', '127.0.0.22');
    await until('half-open alert', async () => (await alertsOf(p, { rule: 'T1-slow-handshake', sourceIp: '127.0.0.22' })).length === 1);
    const e = evidenceOf((await alertsOf(p, { rule: 'T1-slow-handshake', sourceIp: '127.0.0.22' }))[0]);
    assert.equal(e.stage, 'silentAfterUpgrade');
    a.close();
    b.close();
  });

  it('T1 benign look-alike: health checks that connect and hang up, an idle keep-alive API client and a station that boots at once raise nothing', async () => {
    const { port } = new URL(p.httpUrl);
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => {
        const s = tcpConnect({ host: '127.0.0.1', port: Number(port), localAddress: '127.0.0.23' }, () => s.end());
        s.once('close', () => resolve()).once('error', reject);
      });
    }
    // one request on a keep-alive socket, then idle for longer than the handshake timeout
    const agent = new (await import('node:http')).Agent({ keepAlive: true, localAddress: '127.0.0.23' });
    const status = await new Promise<number>((resolve, reject) => {
      request(`${p.httpUrl}/health`, { agent }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); }).once('error', reject).end();
    });
    assert.equal(status, 200);
    const c = await booted('HS-OK', 'ocpp1.6', '127.0.0.23');
    await new Promise((r) => setTimeout(r, 1600));
    c.close();
    agent.destroy();
    assert.deepEqual(await alertsOf(p, { sourceIp: '127.0.0.23' }), []);
  });

  it('T1 boot burst: a station that pipes dozens of CALLs right after its boot raises an alert', async () => {
    const c = await booted('BURST-1');
    for (let i = 0; i < 80; i++) c.send(JSON.stringify([2, `s${i}`, 'StatusNotification', { connectorId: 1, status: 'Available', errorCode: 'NoError' }]));
    for (let i = 0; i < 80; i++) await c.next(10_000);
    const [alert] = await alertsOf(p, { stationId: 'BURST-1', rule: 'T1-boot-burst' });
    assert.ok(Number(evidenceOf(alert).queuedCalls) >= 60);
    c.close();
  });

  it('T1 benign look-alike: a boot, its status burst, then an offline queue of 150 readings replayed one per answer raise nothing', async () => {
    const c = await booted('BURST-OK');
    for (let i = 0; i < 3; i++) c.send(JSON.stringify([2, `st${i}`, 'StatusNotification', { connectorId: i, status: 'Available', errorCode: 'NoError' }]));
    for (let i = 0; i < 3; i++) await c.next();
    const start = Date.now() - 3 * 3600_000;
    for (let i = 0; i < 150; i++) {
      const [type] = await c.call(`q${i}`, 'MeterValues', { connectorId: 1, meterValue: [{ timestamp: new Date(start + i * 60_000).toISOString(), sampledValue: [{ value: String(1000 + i * 10) }] }] });
      assert.equal(type, 3);
    }
    c.close();
    assert.deepEqual(await alertsOf(p, { stationId: 'BURST-OK', rule: 'T1-boot-burst' }), []);
  });

  it('T2 unknown transaction (1.6): meter values for transaction ids we never handed out raise an alert', async () => {
    const c = await booted('UNK-1');
    for (let i = 0; i < 3; i++) {
      const [type] = await c.call(`mv${i}`, 'MeterValues', { connectorId: 1, transactionId: 990_000 + i, meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: '1000' }] }] });
      assert.equal(type, 3);
    }
    const e = evidenceOf((await alertsOf(p, { stationId: 'UNK-1', rule: 'T2-unknown-transaction' }))[0]);
    assert.equal(e.lastOperation, 'meterValues');
    assert.equal(e.unknown, 3);
    c.close();
  });

  it('T2 unknown transaction (2.0.1): events for transactions never started are recovered but raise an alert', async () => {
    const c = await booted('UNK-2', 'ocpp2.0.1');
    for (let i = 0; i < 3; i++) assert.equal((await c.call(`u${i}`, 'TransactionEvent', txEvent('Updated', `GHOST-${i}`, 1)))[0], 3);
    const e = evidenceOf((await alertsOf(p, { stationId: 'UNK-2', rule: 'T2-unknown-transaction' }))[0]);
    assert.equal(e.lastOperation, 'recover');
    c.close();
  });

  it('T2 benign look-alike: a known transaction replayed after a reconnect, and a 2.0.1 Started still unanswered when its Updated follows, raise nothing', async () => {
    const a = await booted('UNK-OK');
    const tx = await start16(a, 'start');
    a.close();
    await a.closed;
    const b = await connect('UNK-OK');
    for (let i = 0; i < 5; i++) {
      assert.equal((await b.call(`r${i}`, 'MeterValues', { connectorId: 1, transactionId: tx, meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: String(1000 + i) }] }] }))[0], 3);
    }
    assert.equal((await b.call('stop', 'StopTransaction', { transactionId: tx, meterStop: 1010, timestamp: new Date().toISOString() }))[0], 3);
    // readings queued before the stop that arrive after it: the transaction is known, it ended
    assert.equal((await b.call('late', 'MeterValues', { connectorId: 1, transactionId: tx, meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: '1010' }] }] }))[0], 3);
    b.close();
    const c = await booted('UNK-OK2', 'ocpp2.0.1');
    c.send(JSON.stringify([2, 'ts', 'TransactionEvent', txEvent('Started', 'LATE-1', 0)]));
    c.send(JSON.stringify([2, 'tu', 'TransactionEvent', txEvent('Updated', 'LATE-1', 1)]));
    assert.equal(((await c.next()) as unknown[])[0], 3);
    assert.equal(((await c.next()) as unknown[])[0], 3);
    c.close();
    assert.deepEqual(await alertsOf(p, { stationId: 'UNK-OK', rule: 'T2-unknown-transaction' }), []);
    assert.deepEqual(await alertsOf(p, { stationId: 'UNK-OK2', rule: 'T2-unknown-transaction' }), []);
  });

  it('T2 repeated stop: a second StopTransaction (1.6) or Ended (2.0.1) under a new message id raises an alert', async () => {
    const c = await booted('STOP-1');
    const tx = await start16(c, 'start');
    await c.call('stop-a', 'StopTransaction', { transactionId: tx, meterStop: 2000, timestamp: new Date().toISOString() });
    await c.call('stop-b', 'StopTransaction', { transactionId: tx, meterStop: 9000, timestamp: new Date().toISOString() });
    const e = evidenceOf((await alertsOf(p, { stationId: 'STOP-1', rule: 'T2-repeated-stop' }))[0]);
    assert.deepEqual([e.transactionId, (e.first as { messageId: string }).messageId, (e.again as { messageId: string }).messageId], [String(tx), 'stop-a', 'stop-b']);
    c.close();
    const d = await booted('STOP-2', 'ocpp2.0.1');
    await d.call('s', 'TransactionEvent', txEvent('Started', 'TX-END', 0));
    await d.call('e1', 'TransactionEvent', txEvent('Ended', 'TX-END', 1));
    await d.call('e2', 'TransactionEvent', txEvent('Ended', 'TX-END', 2));
    assert.equal((await alertsOf(p, { stationId: 'STOP-2', rule: 'T2-repeated-stop' })).length, 1);
    d.close();
  });

  it('T2 benign look-alike: a stop re-sent after the answer was lost (same message id; a 2.0.1 retry under a new id with the same seqNo) raises nothing', async () => {
    const a = await booted('STOP-OK');
    const tx = await start16(a, 'start');
    const stop = JSON.stringify([2, 'stop-1', 'StopTransaction', { transactionId: tx, meterStop: 2000, timestamp: new Date().toISOString() }]);
    a.send(stop);
    // the stop is handled, but the socket drops before the station reads the answer; it re-sends the very same message
    await until('stop handled', async () => (await p.repos.transactions.findByRef('STOP-OK', String(tx)))?.state === 'ended');
    a.ws.terminate();
    const b = await connect('STOP-OK');
    b.send(stop);
    assert.equal(((await b.next()) as unknown[])[0], 3);
    b.close();
    assert.deepEqual(await alertsOf(p, { stationId: 'STOP-OK', rule: 'T2-repeated-stop' }), []);
    // a 2.0.1 station retrying its Ended event after a reconnect under a new message id: the same seqNo
    const d = await booted('STOP-OK2', 'ocpp2.0.1');
    await d.call('s', 'TransactionEvent', txEvent('Started', 'TX-RETRY', 0));
    await d.call('e1', 'TransactionEvent', txEvent('Ended', 'TX-RETRY', 1));
    d.close();
    const e = await connect('STOP-OK2', 'ocpp2.0.1');
    await e.call('e1-retry', 'TransactionEvent', txEvent('Ended', 'TX-RETRY', 1));
    e.close();
    assert.deepEqual(await alertsOf(p, { stationId: 'STOP-OK2', rule: 'T2-repeated-stop' }), []);
  });

  it('T2 over-power: readings above the EVSE rating of the locations model, or above maxKw without one, raise an alert', async () => {
    const ac = { standard: 'IEC_62196_T2', format: 'SOCKET', powerType: 'AC_3_PHASE', maxVoltage: 230, maxAmperage: 16, maxElectricPower: 11_000 };
    for (const id of ['PWR-1', 'PWR-OK']) await p.repos.locations.putEvse(id, 1, { uid: `${id}-E1`, emi3Id: null, physicalReference: null, floorLevel: null, capabilities: [], connectors: [{ connectorId: 1, ...ac }] });
    const c = await booted('PWR-1');
    assert.equal((await c.call('p1', 'MeterValues', power(50_000)))[0], 3);
    const e = evidenceOf((await alertsOf(p, { stationId: 'PWR-1', rule: 'T2-over-power' }))[0]);
    assert.deepEqual([e.powerW, e.ratingW, e.ratingFrom, e.evseId], [50_000, 11_000, 'locations', 1]);
    c.close();
    const d = await booted('PWR-2');
    assert.equal((await d.call('p1', 'MeterValues', power(500_000, 'kW')))[0], 3);
    const f = evidenceOf((await alertsOf(p, { stationId: 'PWR-2', rule: 'T2-over-power' }))[0]);
    assert.deepEqual([f.powerW, f.ratingW, f.ratingFrom], [500_000, 400_000, 'rule']);
    d.close();
  });

  it('T2 over-power (2.0.1): without a locations rating, the EVSE.Power maxLimit the station reported in its device model is the bound', async () => {
    const c = await booted('PWR-DM', 'ocpp2.0.1');
    const report = {
      requestId: 1, generatedAt: new Date().toISOString(), seqNo: 0, tbc: false,
      reportData: [{ component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, variableAttribute: [{ type: 'Actual', value: '0', mutability: 'ReadOnly' }], variableCharacteristics: { unit: 'W', dataType: 'decimal', maxLimit: 22_000, supportsMonitoring: false } }],
    };
    assert.equal((await c.call('nr', 'NotifyReport', report))[0], 3);
    await until('device model stored', async () => (await p.repos.deviceModel.list('PWR-DM', { component: 'EVSE', variable: 'Power' })).length === 1);
    const reading = (w: number) => ({ evseId: 1, meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: w, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } }] }] });
    assert.equal((await c.call('ok', 'MeterValues', reading(22_500)))[0], 3);
    assert.deepEqual(await alertsOf(p, { stationId: 'PWR-DM', rule: 'T2-over-power' }), []);
    assert.equal((await c.call('hi', 'MeterValues', reading(30_000)))[0], 3);
    const e = evidenceOf((await alertsOf(p, { stationId: 'PWR-DM', rule: 'T2-over-power' }))[0]);
    assert.deepEqual([e.powerW, e.ratingW, e.ratingFrom], [30_000, 22_000, 'deviceModel']);
    c.close();
  });

  it('T2 benign look-alike: a reading a few percent above the rating (meter tolerance, ramp-up) raises nothing', async () => {
    const c = await booted('PWR-OK');
    for (const w of [11_000, 11_900, 7_000]) assert.equal((await c.call(`p${w}`, 'MeterValues', power(w)))[0], 3);
    c.close();
    assert.deepEqual(await alertsOf(p, { stationId: 'PWR-OK', rule: 'T2-over-power' }), []);
  });

  it('T3 clock skew: live messages stamped two hours behind raise an alert once the grace after connecting is over', async () => {
    const c = await booted('SKEW-1', 'ocpp2.0.1');
    const behind = () => new Date(Date.now() - 2 * 3600_000).toISOString();
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await c.call('t0', 'TransactionEvent', { ...txEvent('Started', 'SKEW-TX', 0), timestamp: behind(), offline: false }))[0], 3);
    for (let i = 0; i < 2; i++) {
      assert.equal((await c.call(`s${i}`, 'StatusNotification', { timestamp: behind(), connectorStatus: 'Available', evseId: 1, connectorId: 1 }))[0], 3);
    }
    const e = evidenceOf((await alertsOf(p, { stationId: 'SKEW-1', rule: 'T3-clock-skew' }))[0]);
    assert.ok(Math.abs(Number(e.skewS) + 7200) < 60, `skew ${String(e.skewS)}`);
    c.close();
  });

  it('T3 benign look-alike: offline events and a 1.6 queue replayed right after reconnecting carry old timestamps and raise nothing', async () => {
    const c = await booted('SKEW-OK', 'ocpp2.0.1');
    const old = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
    // offline events are never judged, not even once the grace after connecting is over
    await new Promise((r) => setTimeout(r, 1100));
    for (let i = 0; i < 5; i++) assert.equal((await c.call(`o${i}`, 'TransactionEvent', { ...txEvent(i === 0 ? 'Started' : 'Updated', 'OFF-TX', i), timestamp: old(5 - i), offline: true }))[0], 3);
    c.close();
    await c.closed;
    const d = await RawClient.connect(`${p.ocppUrl}/SKEW-OK`, { protocols: ['ocpp1.6'], user: 'SKEW-OK', password: pw['SKEW-OK'] });
    for (let i = 0; i < 5; i++) assert.equal((await d.call(`q${i}`, 'StatusNotification', { connectorId: 1, status: i % 2 ? 'Charging' : 'Available', errorCode: 'NoError', timestamp: old(3 - i * 0.5) }))[0], 3);
    d.close();
    assert.deepEqual(await alertsOf(p, { stationId: 'SKEW-OK', rule: 'T3-clock-skew' }), []);
  });

  it('T4 network change: an identity connecting from another /16 than last time raises an alert with both addresses', async () => {
    (await connect('NET-1', 'ocpp1.6', '127.0.0.1')).close();
    (await connect('NET-1', 'ocpp1.6', '127.1.0.1')).close();
    const e = evidenceOf((await alertsOf(p, { stationId: 'NET-1', rule: 'T4-network-change' }))[0]);
    assert.deepEqual([e.before, e.after, e.prefix], ['127.0.0.1', '127.1.0.1', '/16']);
  });

  it('T4 benign look-alike: the first connection ever, then a new address inside the same /16, raise nothing', async () => {
    const a = await connect('NET-OK', 'ocpp1.6', '127.2.0.1');
    a.close();
    await a.closed;
    (await connect('NET-OK', 'ocpp1.6', '127.2.7.9')).close();
    assert.deepEqual(await alertsOf(p, { stationId: 'NET-OK', rule: 'T4-network-change' }), []);
  });

  it('T4 boot baseline across restarts: a different model than the boot stored before this process started raises an alert', async () => {
    // what the station said at a boot before the platform restarted: in the store, not in the engine's memory
    for (const id of ['BASE-1', 'BASE-OK']) await p.repos.stations.recordBoot(id, { protocol: 'ocpp1.6', vendor: 'ACME', model: 'X1', serialNumber: `SN-${id}`, firmwareVersion: '1.0', at: new Date() });
    const c = await connect('BASE-1');
    await c.call('boot', 'BootNotification', { ...boot16, chargePointModel: 'X9', chargePointSerialNumber: 'SN-BASE-1' });
    const e = evidenceOf((await alertsOf(p, { stationId: 'BASE-1', rule: 'T4-boot-identity-change' }))[0]);
    assert.deepEqual(e.changed, ['model']);
    c.close();
  });

  it('T4 benign look-alike: the same station rebooting after a restart (firmware updated) raises nothing', async () => {
    const c = await connect('BASE-OK');
    await c.call('boot', 'BootNotification', { ...boot16, chargePointSerialNumber: 'SN-BASE-OK', firmwareVersion: '2.0' });
    c.close();
    assert.deepEqual(await alertsOf(p, { stationId: 'BASE-OK', rule: 'T4-boot-identity-change' }), []);
  });

  it('alerts API: a group-scoped reader gets a full page of its own alerts even when newer alerts of other groups exist', async () => {
    await p.repos.stationGroups.create('G-SCOPE', 'Scope site');
    await p.repos.stationGroups.assign('SCOPE-IN', 'G-SCOPE');
    const alert = (stationId: string) => p.repos.idsAlerts.open({ class: 'T1', rule: 'T1-frame-rate', severity: 'warning', stationId, sourceIp: null, dedupKey: `scope|${stationId}|${Math.random()}`, evidence: {}, response: {} });
    for (let i = 0; i < 2; i++) await alert('SCOPE-IN');
    for (let i = 0; i < 5; i++) await alert('SCOPE-OUT');
    const reader = await apiUser(p, ['support_l2'], { groups: ['G-SCOPE'] });
    const page = await call<{ items: Array<{ stationId: string }> }>(p, 'GET', '/security/alerts?limit=2', { token: reader.token });
    assert.equal(page.status, 200);
    assert.deepEqual(page.body.items.map((a) => a.stationId), ['SCOPE-IN', 'SCOPE-IN']);
  });
});

describe('IDS certificate mismatch (profile 3)', () => {
  let h: Awaited<ReturnType<typeof startTlsTestPlatform>>;
  const ORG = 'OV2X Test CPO';
  before(async () => {
    h = await startTlsTestPlatform({ cpoOrganization: ORG, handshakeTimeout: 500, idsRules: JSON.stringify([{ id: 'T1-slow-handshake', threshold: 2 }]) });
    for (const id of ['CERT-1', 'CERT-2', 'CERT-OK']) await h.p.services.stations.register(id, { securityProfile: 3 });
  });
  after(() => h.stop());

  const open = (id: string, cert: { certPem: string; keyPem: string }, ca = h.pki.rootPem): Promise<number> => new Promise((resolve, reject) => {
    const ws = new WebSocket(`${h.p.tls!.ocppUrl}/${id}`, ['ocpp1.6'], { ca, cert: cert.certPem, key: cert.keyPem });
    ws.once('open', () => { ws.close(); resolve(101); });
    ws.once('unexpected-response', (_req, res) => { res.resume(); resolve(res.statusCode ?? 0); });
    ws.once('error', reject);
  });

  it('T1 slow handshake over TLS: sockets that never finish the TLS handshake raise an alert for the address', async () => {
    const port = Number(new URL(h.p.tls!.httpUrl).port);
    await Promise.all([0, 1].map(() => new Promise<void>((resolve, reject) => {
      const s = tcpConnect({ host: '127.0.0.1', port, localAddress: '127.0.0.31' });
      s.once('close', () => resolve()).once('error', reject);
    })));
    await until('tls stall alert', async () => {
      await h.p.ids!.settled();
      return (await h.p.services.idsAlerts.list({ limit: 50, offset: 0 })).some((a) => a.rule === 'T1-slow-handshake' && a.sourceIp === '127.0.0.31');
    });
    const alert = (await h.p.services.idsAlerts.list({ limit: 50, offset: 0 })).find((a) => a.rule === 'T1-slow-handshake');
    assert.equal(evidenceOf(alert).stage, 'tls');
  });

  it('T4: a verified certificate naming another station raises a high alert at its first use', async () => {
    const other = await h.pki.station(`CN=CERT-2, O=${ORG}`);
    assert.equal(await open('CERT-1', other), 403);
    await h.p.ids!.settled();
    const [alert] = (await h.p.services.idsAlerts.list({ stationId: 'CERT-1', limit: 50, offset: 0 })).filter((a) => a.rule === 'T4-certificate-mismatch');
    assert.equal(alert?.severity, 'high');
    assert.match(String(evidenceOf(alert).subject), /CN=CERT-2/);
  });

  it('T4 benign look-alike: the station\'s own certificate, and its own one that expired, raise no certificate-mismatch alert', async () => {
    assert.equal(await open('CERT-OK', await h.pki.station(`CN=CERT-OK, O=${ORG}`)), 101);
    const expired = await h.pki.station(`CN=CERT-OK, O=${ORG}`, { notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) });
    assert.equal(await open('CERT-OK', expired), 403);
    await h.p.ids!.settled();
    assert.deepEqual((await h.p.services.idsAlerts.list({ stationId: 'CERT-OK', limit: 50, offset: 0 })).filter((a) => a.rule === 'T4-certificate-mismatch'), []);
  });
});
