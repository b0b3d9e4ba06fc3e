import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiUser, call } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';
import { until } from '../helpers/until.js';
import type { IdsAlert } from '../../src/store/schema.js';

const boot16 = { chargePointVendor: 'ACME', chargePointModel: 'X1' };

async function booted(p: TestPlatform, id: string, password: string, protocol: 'ocpp1.6' | 'ocpp2.0.1' = 'ocpp1.6'): Promise<RawClient> {
  const c = await RawClient.connect(`${p.ocppUrl}/${id}`, { protocols: [protocol], user: id, password });
  const boot = protocol === 'ocpp1.6' ? boot16 : { reason: 'PowerUp', chargingStation: { vendorName: 'ACME', model: 'X1' } };
  const [, , res] = await c.call('boot', 'BootNotification', boot);
  assert.equal((res as { status: string }).status, 'Accepted');
  return c;
}

async function alertsOf(p: TestPlatform, filter: { stationId?: string; rule?: string } = {}): Promise<IdsAlert[]> {
  await p.ids!.settled();
  const rows = await p.services.idsAlerts.list({ stationId: filter.stationId, limit: 500, offset: 0 });
  return rows.filter((a) => filter.rule === undefined || a.rule === filter.rule);
}

/** Reads `n` answers (the server answers every CALL, refused ones included). */
async function drain(c: RawClient, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await c.next(10_000);
}

const refusedUpgrade = (url: string, opts: Parameters<typeof RawClient.connect>[1]) =>
  RawClient.connect(url, opts).then(() => assert.fail('upgrade should be refused'), (e: unknown) => e as { status: number });

describe('IDS with the built-in rules', () => {
  let p: TestPlatform;
  const pw: Record<string, string> = {};
  before(async () => {
    p = await startTestPlatform();
    for (const id of ['BIG-1', 'BIG-OK']) pw[id] = await p.addStation(id);
    for (const id of ['SEQ-1', 'SEQ-OK', 'RESEND-1', 'RESEND-OK']) pw[id] = await p.addStation(id);
    for (const id of ['SITE-1', 'SITE-2', 'AMS-1', 'MUC-1']) pw[id] = await p.addStation(id);
    const place = { name: null, address: 'Main St 1', city: 'Town', postalCode: '1234', state: null, country: 'NLD', timeZone: 'Europe/Amsterdam', openingTimes: null, parkingType: null, operatorName: null, ownerName: null, facilities: [], publish: true, groupId: null };
    await p.repos.locations.create('L-SITE', { ...place, latitude: 52.3702, longitude: 4.8952 });
    await p.repos.locations.create('L-SITE-ANNEX', { ...place, latitude: 52.3710, longitude: 4.8990 });
    await p.repos.locations.create('L-MUC', { ...place, country: 'DEU', latitude: 48.1374, longitude: 11.5755 });
    await p.repos.locations.attach('SITE-1', 'L-SITE');
    await p.repos.locations.attach('SITE-2', 'L-SITE-ANNEX');
    await p.repos.locations.attach('AMS-1', 'L-SITE');
    await p.repos.locations.attach('MUC-1', 'L-MUC');
    for (const uid of ['IDS-CARD-SITE', 'IDS-CARD-TRAVEL']) await p.repos.tokens.upsert({ idToken: uid, status: 'Accepted' });
    for (const id of ['METER-1', 'METER-OK', 'FUT-1', 'FUT-OK', 'FLAP-1', 'FLAP-OK', 'BOOT-1', 'BOOT-OK']) pw[id] = await p.addStation(id);
    for (const id of ['FLOOD-1', 'REPLAY-OK', 'BAD-1', 'BAD-OK', 'STRAY-1', 'STRAY-OK', 'DUP-1', 'DUP-OK', 'PW-1', 'PW-OK', 'TOK-A', 'TOK-B', 'TOK-C', 'TAMPER-1', 'TAMPER-OK']) pw[id] = await p.addStation(id);
    await p.repos.tokens.upsert({ idToken: 'IDS-CARD-CLONED', status: 'Accepted' });
    await p.repos.tokens.upsert({ idToken: 'IDS-CARD-HOME', status: 'Accepted' });
  });
  after(() => p.stop());

  it('T1 frame rate: a pipelined flood raises an alert and throttles the station', async () => {
    const c = await booted(p, 'FLOOD-1', pw['FLOOD-1']!);
    for (let i = 0; i < 400; i++) c.send(JSON.stringify([2, `f${i}`, 'Heartbeat', {}]));
    await until('frame-rate alert', async () => (await alertsOf(p, { stationId: 'FLOOD-1', rule: 'T1-frame-rate' })).length === 1);
    const [alert] = await alertsOf(p, { stationId: 'FLOOD-1', rule: 'T1-frame-rate' });
    assert.equal(alert!.class, 'T1');
    assert.equal(alert!.sourceIp, '127.0.0.1');
    assert.deepEqual({ kind: (alert!.response as { kind: string }).kind, executed: (alert!.response as { executed: boolean }).executed }, { kind: 'throttle', executed: true });
    assert.ok(Array.isArray((alert!.evidence as { recent: unknown[] }).recent));
    await drain(c, 400);
    // throttled: each further CALL waits the rule's 250 ms before it is handled
    const t0 = Date.now();
    await c.call('after', 'Heartbeat', {});
    assert.ok(Date.now() - t0 >= 240, `answer after ${Date.now() - t0} ms`);
    c.close();
  });

  it('T1 benign look-alike: an offline queue replayed after reconnect (150 MeterValues one by one) raises nothing', async () => {
    const c = await booted(p, 'REPLAY-OK', pw['REPLAY-OK']!);
    const start = Date.now() - 3 * 3600_000;
    for (let i = 0; i < 150; i++) {
      const ts = new Date(start + i * 60_000).toISOString();
      const [type] = await c.call(`q${i}`, 'MeterValues', { connectorId: 1, meterValue: [{ timestamp: ts, sampledValue: [{ value: String(1000 + i * 10), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }] });
      assert.equal(type, 3);
    }
    c.close();
    assert.deepEqual(await alertsOf(p, { stationId: 'REPLAY-OK' }), []);
  });

  it('T1 bad frames: a run of unreadable frames raises an alert', async () => {
    const c = await booted(p, 'BAD-1', pw['BAD-1']!);
    for (let i = 0; i < 12; i++) c.send(`[2, "b${i}", "Heartbeat", {`);
    await drain(c, 12);
    const [alert] = await alertsOf(p, { stationId: 'BAD-1', rule: 'T1-bad-frames' });
    assert.ok(alert, 'bad-frames alert');
    assert.equal((alert.evidence as { lastKind: string }).lastKind, 'RpcFrameworkError');
    c.close();
  });

  it('T1 benign look-alike: one schema-invalid CALL among valid traffic raises nothing', async () => {
    const c = await booted(p, 'BAD-OK', pw['BAD-OK']!);
    for (let i = 0; i < 20; i++) await c.call(`h${i}`, 'Heartbeat', {});
    const [type] = await c.call('bad', 'StatusNotification', { connectorId: 1, status: 'Sleeping', errorCode: 'NoError' });
    assert.equal(type, 4);
    c.close();
    assert.deepEqual(await alertsOf(p, { stationId: 'BAD-OK' }), []);
  });

  it('T1 oversized frames: messages above the size limit, again after each reconnect, raise an alert', async () => {
    for (let i = 0; i < 3; i++) {
      const c = await booted(p, 'BIG-1', pw['BIG-1']!);
      c.send(JSON.stringify([2, `big${i}`, 'DataTransfer', { vendorId: 'ACME', data: 'x'.repeat(p.config.maxFrameBytes) }]));
      assert.equal((await c.closed).code, 1009);
    }
    await until('oversized alert', async () => (await alertsOf(p, { stationId: 'BIG-1', rule: 'T1-oversized-frames' })).length === 1);
  });

  it('T1 benign look-alike: a large message just under the limit raises nothing', async () => {
    const c = await booted(p, 'BIG-OK', pw['BIG-OK']!);
    const [type] = await c.call('big', 'DataTransfer', { vendorId: 'ACME', data: 'x'.repeat(p.config.maxFrameBytes - 200) });
    assert.ok(type === 3 || type === 4);
    c.close();
    assert.deepEqual(await alertsOf(p, { stationId: 'BIG-OK' }), []);
  });

  it('T2 unsolicited results: CALLRESULTs for calls we never made raise an alert', async () => {
    const c = await booted(p, 'STRAY-1', pw['STRAY-1']!);
    for (let i = 0; i < 3; i++) c.send(JSON.stringify([3, `never-${i}`, { status: 'Accepted' }]));
    await c.call('h', 'Heartbeat', {});
    await until('unsolicited alert', async () => (await alertsOf(p, { stationId: 'STRAY-1', rule: 'T2-unsolicited-result' })).length === 1);
    c.close();
  });

  it('T2 benign look-alike: the answer to a call we did make, and one late duplicate, raise nothing', async () => {
    const c = await booted(p, 'STRAY-OK', pw['STRAY-OK']!);
    const answered = p.bus.send('STRAY-OK', { kind: 'clearCache' });
    const [, id] = (await c.next()) as [number, string, string];
    c.send(JSON.stringify([3, id, { status: 'Accepted' }]));
    await answered.catch(() => undefined);
    c.send(JSON.stringify([3, id, { status: 'Accepted' }]));
    await c.call('h', 'Heartbeat', {});
    c.close();
    assert.deepEqual(await alertsOf(p, { stationId: 'STRAY-OK' }), []);
  });

  it('T3 replay: message ids repeated within one session raise an alert', async () => {
    const c = await booted(p, 'DUP-1', pw['DUP-1']!);
    await c.call('m-1', 'Heartbeat', {});
    for (let i = 0; i < 3; i++) await c.call('m-1', 'Heartbeat', {});
    const [alert] = await alertsOf(p, { stationId: 'DUP-1', rule: 'T3-repeated-message-id' });
    assert.ok(alert, 'replay alert');
    assert.equal((alert.evidence as { lastRepeated: { messageId: string } }).lastRepeated.messageId, 'm-1');
    c.close();
  });

  it('T3 benign look-alike: a rebooted station restarting its message counter in a new session raises nothing', async () => {
    for (let session = 0; session < 3; session++) {
      const c = await booted(p, 'DUP-OK', pw['DUP-OK']!);
      for (let i = 0; i < 5; i++) await c.call(`${i}`, 'Heartbeat', {});
      c.close();
      await c.closed;
    }
    assert.deepEqual(await alertsOf(p, { stationId: 'DUP-OK' }), []);
  });

  const energy = (ts: number, wh: number) => ({ timestamp: new Date(ts).toISOString(), sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] });

  const txEvent = (tx: string, seqNo: number, eventType: 'Started' | 'Updated') => ({
    eventType, timestamp: new Date().toISOString(), triggerReason: eventType === 'Started' ? 'CablePluggedIn' : 'MeterValuePeriodic', seqNo,
    transactionInfo: { transactionId: tx, chargingState: 'Charging' }, ...(eventType === 'Started' && { evse: { id: 1, connectorId: 1 } }),
  });

  it('T3 replay: a 2.0.1 TransactionEvent seqNo repeated within one session raises an alert', async () => {
    const c = await booted(p, 'SEQ-1', pw['SEQ-1']!, 'ocpp2.0.1');
    assert.equal((await c.call('t0', 'TransactionEvent', txEvent('TX-SEQ-1', 0, 'Started')))[0], 3);
    for (let i = 0; i < 4; i++) assert.equal((await c.call(`t1-${i}`, 'TransactionEvent', txEvent('TX-SEQ-1', 1, 'Updated')))[0], 3, 'a valid, answered event');
    const [alert] = await alertsOf(p, { stationId: 'SEQ-1', rule: 'T3-repeated-seqno' });
    assert.ok(alert, 'seqNo replay alert');
    assert.equal((alert.evidence as { seqNo: number }).seqNo, 1);
    c.close();
  });

  it('T3 benign look-alike: an event re-sent after a reconnect (its answer was lost) raises nothing', async () => {
    const a = await booted(p, 'SEQ-OK', pw['SEQ-OK']!, 'ocpp2.0.1');
    await a.call('t0', 'TransactionEvent', txEvent('TX-SEQ-OK', 0, 'Started'));
    await a.call('t1', 'TransactionEvent', txEvent('TX-SEQ-OK', 1, 'Updated'));
    a.close();
    await a.closed;
    const b = await RawClient.connect(`${p.ocppUrl}/SEQ-OK`, { protocols: ['ocpp2.0.1'], user: 'SEQ-OK', password: pw['SEQ-OK'] });
    await b.call('t1-again', 'TransactionEvent', { ...txEvent('TX-SEQ-OK', 1, 'Updated'), offline: true });
    await b.call('t2', 'TransactionEvent', { ...txEvent('TX-SEQ-OK', 2, 'Updated'), offline: true });
    b.close();
    assert.deepEqual(await alertsOf(p, { stationId: 'SEQ-OK' }), []);
  });

  it('T3 replay: the same meter reading re-sent within one session raises an alert', async () => {
    const c = await booted(p, 'RESEND-1', pw['RESEND-1']!);
    const reading = energy(Date.now() - 30_000, 7000);
    for (let i = 0; i < 4; i++) await c.call(`r${i}`, 'MeterValues', { connectorId: 1, meterValue: [reading] });
    assert.ok((await alertsOf(p, { stationId: 'RESEND-1', rule: 'T3-repeated-reading' }))[0], 'reading replay alert');
    c.close();
  });

  it('T3 benign look-alike: a reading re-sent once after a reconnect raises nothing', async () => {
    const reading = energy(Date.now() - 30_000, 7000);
    for (let session = 0; session < 2; session++) {
      const c = await booted(p, 'RESEND-OK', pw['RESEND-OK']!);
      await c.call('r', 'MeterValues', { connectorId: 1, meterValue: [reading] });
      c.close();
      await c.closed;
    }
    assert.deepEqual(await alertsOf(p, { stationId: 'RESEND-OK' }), []);
  });

  it('T4 password burst: repeated wrong passwords for one identity raise an alert', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await refusedUpgrade(`${p.ocppUrl}/PW-1`, { user: 'PW-1', password: `guess-${i}` })).status, 401);
    const [alert] = await alertsOf(p, { stationId: 'PW-1', rule: 'T4-password-burst' });
    assert.ok(alert, 'password burst alert');
    assert.equal(alert.sourceIp, '127.0.0.1');
    assert.ok(!JSON.stringify(alert).includes('guess-'), 'no password in the evidence');
  });

  it('T4 benign look-alike: one stale password (rotation race) followed by the right one raises nothing', async () => {
    assert.equal((await refusedUpgrade(`${p.ocppUrl}/PW-OK`, { user: 'PW-OK', password: 'the-old-one' })).status, 401);
    const c = await booted(p, 'PW-OK', pw['PW-OK']!);
    c.close();
    assert.deepEqual(await alertsOf(p, { stationId: 'PW-OK' }), []);
  });

  it('T5 cloned token: one card accepted at two stations within two minutes raises an alert with its pseudonym only', async () => {
    const a = await booted(p, 'TOK-A', pw['TOK-A']!);
    const b = await booted(p, 'TOK-B', pw['TOK-B']!);
    assert.equal(((await a.call('a1', 'Authorize', { idTag: 'IDS-CARD-CLONED' }))[2] as { idTagInfo: { status: string } }).idTagInfo.status, 'Accepted');
    await b.call('b1', 'Authorize', { idTag: 'IDS-CARD-CLONED' });
    const [alert] = await alertsOf(p, { stationId: 'TOK-B', rule: 'T5-token-two-stations' });
    assert.ok(alert, 'cloned-token alert');
    assert.deepEqual((alert.evidence as { stations: string[] }).stations, ['TOK-A', 'TOK-B']);
    assert.match(String((alert.evidence as { token: string }).token), /^tok_/);
    assert.ok(!JSON.stringify(alert).includes('IDS-CARD-CLONED'), 'never the UID');
    a.close();
    b.close();
  });

  it('T5 benign look-alike: the same card authorized again at the same station raises nothing', async () => {
    const c = await booted(p, 'TOK-C', pw['TOK-C']!);
    for (let i = 0; i < 3; i++) await c.call(`a${i}`, 'Authorize', { idTag: 'IDS-CARD-HOME' });
    c.close();
    assert.deepEqual(await alertsOf(p, { stationId: 'TOK-C' }), []);
  });

  it('T5 benign look-alike: a driver moving from one charger to the next at the same site (300 m) raises nothing', async () => {
    const a = await booted(p, 'SITE-1', pw['SITE-1']!);
    const b = await booted(p, 'SITE-2', pw['SITE-2']!);
    await a.call('a1', 'Authorize', { idTag: 'IDS-CARD-SITE' });
    await b.call('b1', 'Authorize', { idTag: 'IDS-CARD-SITE' });
    a.close();
    b.close();
    assert.deepEqual(await alertsOf(p, { stationId: 'SITE-2' }), []);
  });

  it('T5 impossible travel: one card accepted in Amsterdam and Munich within seconds raises an alert with the distance', async () => {
    const a = await booted(p, 'AMS-1', pw['AMS-1']!);
    const b = await booted(p, 'MUC-1', pw['MUC-1']!);
    await a.call('a1', 'Authorize', { idTag: 'IDS-CARD-TRAVEL' });
    await b.call('b1', 'Authorize', { idTag: 'IDS-CARD-TRAVEL' });
    const [alert] = await alertsOf(p, { stationId: 'MUC-1', rule: 'T5-impossible-travel' });
    assert.ok(alert, 'impossible-travel alert');
    const km = (alert.evidence as { km: number }).km;
    assert.ok(km > 600 && km < 700, `${km} km`);
    assert.ok(!JSON.stringify(alert).includes('IDS-CARD-TRAVEL'), 'never the UID');
    a.close();
    b.close();
  });

  it('PH3: a station reporting tamper detection raises a critical alert, also recorded as a security event', async () => {
    const c = await booted(p, 'TAMPER-1', pw['TAMPER-1']!);
    await c.call('s1', 'SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: new Date().toISOString(), techInfo: 'enclosure opened' });
    await until('tamper alert', async () => (await alertsOf(p, { stationId: 'TAMPER-1', rule: 'PH3-tamper' })).length === 1);
    const [alert] = await alertsOf(p, { stationId: 'TAMPER-1', rule: 'PH3-tamper' });
    assert.equal(alert!.severity, 'critical');
    await until('IdsAlert security event', async () => (await p.repos.securityEvents.list({ stationId: 'TAMPER-1', limit: 10 })).some((e) => e.type === 'IdsAlert'));
    c.close();
  });

  it('PH3 benign look-alike: a station reporting its startup raises nothing', async () => {
    const c = await booted(p, 'TAMPER-OK', pw['TAMPER-OK']!);
    await c.call('s1', 'SecurityEventNotification', { type: 'StartupOfTheDevice', timestamp: new Date().toISOString() });
    c.close();
    assert.deepEqual(await alertsOf(p, { stationId: 'TAMPER-OK' }), []);
  });

  it('T2 implausible values: an energy register going down in time order raises an alert', async () => {
    const c = await booted(p, 'METER-1', pw['METER-1']!);
    const now = Date.now();
    await c.call('m1', 'MeterValues', { connectorId: 1, meterValue: [energy(now - 120_000, 5000)] });
    await c.call('m2', 'MeterValues', { connectorId: 1, meterValue: [energy(now - 60_000, 4000)] });
    const [alert] = await alertsOf(p, { stationId: 'METER-1', rule: 'T2-energy-decrease' });
    assert.ok(alert, 'energy-decrease alert');
    assert.deepEqual([(alert.evidence as { before: { wh: number } }).before.wh, (alert.evidence as { after: { wh: number } }).after.wh], [5000, 4000]);
    c.close();
  });

  it('T2 benign look-alike: an older reading replayed after a newer one (offline queue) raises nothing', async () => {
    const c = await booted(p, 'METER-OK', pw['METER-OK']!);
    const now = Date.now();
    await c.call('m1', 'MeterValues', { connectorId: 1, meterValue: [energy(now - 60_000, 6000)] });
    await c.call('m2', 'MeterValues', { connectorId: 1, meterValue: [energy(now - 120_000, 5500)] });
    await c.call('m3', 'MeterValues', { connectorId: 1, meterValue: [energy(now - 30_000, 6100)] });
    c.close();
    assert.deepEqual(await alertsOf(p, { stationId: 'METER-OK' }), []);
  });

  it('T2 future timestamps: readings stamped an hour ahead raise an alert', async () => {
    const c = await booted(p, 'FUT-1', pw['FUT-1']!);
    for (let i = 0; i < 3; i++) await c.call(`f${i}`, 'MeterValues', { connectorId: 1, meterValue: [energy(Date.now() + 3600_000 + i * 1000, 100 + i)] });
    const [alert] = await alertsOf(p, { stationId: 'FUT-1', rule: 'T2-future-timestamp' });
    assert.ok(alert, 'future-timestamp alert');
    assert.ok((alert.evidence as { aheadS: number }).aheadS > 3000);
    c.close();
  });

  it('T2 benign look-alike: a clock a minute fast and readings hours old raise nothing', async () => {
    const c = await booted(p, 'FUT-OK', pw['FUT-OK']!);
    for (let i = 0; i < 3; i++) await c.call(`f${i}`, 'MeterValues', { connectorId: 1, meterValue: [energy(Date.now() + 60_000 + i * 1000, 100 + i)] });
    for (let i = 0; i < 3; i++) await c.call(`o${i}`, 'MeterValues', { connectorId: 1, meterValue: [energy(Date.now() - 5 * 3600_000 + i * 1000, 50 + i)] });
    c.close();
    assert.deepEqual(await alertsOf(p, { stationId: 'FUT-OK' }), []);
  });

  const from = (addr: string, id: string) => RawClient.connect(`${p.ocppUrl}/${id}`, { user: id, password: pw[id], tls: { localAddress: addr } as never });

  it('T4 address flapping: one identity taken over again and again from two addresses raises an alert', async () => {
    const clients: RawClient[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await from(i % 2 === 0 ? '127.0.0.1' : '127.0.0.2', 'FLAP-1');
      clients.push(c);
      await c.call('h', 'Heartbeat', {}).catch(() => undefined);
    }
    const [alert] = await alertsOf(p, { stationId: 'FLAP-1', rule: 'T4-address-flapping' });
    assert.ok(alert, 'flapping alert');
    assert.equal((alert.evidence as { changes: number }).changes, 3);
    for (const c of clients) c.close();
  });

  it('T4 benign look-alike: a station moving to a new address once, its old socket still open, raises nothing', async () => {
    const a = await from('127.0.0.1', 'FLAP-OK');
    const b = await from('127.0.0.2', 'FLAP-OK');
    assert.equal((await a.closed).code, 1000, 'the old socket is replaced');
    b.close();
    assert.deepEqual(await alertsOf(p, { stationId: 'FLAP-OK' }), []);
  });

  it('T4 boot information: a different model or serial number behind the same identity raises an alert', async () => {
    const a = await RawClient.connect(`${p.ocppUrl}/BOOT-1`, { user: 'BOOT-1', password: pw['BOOT-1'] });
    await a.call('b1', 'BootNotification', { ...boot16, chargePointSerialNumber: 'SN-1' });
    a.close();
    await a.closed;
    const b = await RawClient.connect(`${p.ocppUrl}/BOOT-1`, { user: 'BOOT-1', password: pw['BOOT-1'] });
    await b.call('b2', 'BootNotification', { ...boot16, chargePointSerialNumber: 'SN-2' });
    const [alert] = await alertsOf(p, { stationId: 'BOOT-1', rule: 'T4-boot-identity-change' });
    assert.ok(alert, 'boot-change alert');
    assert.deepEqual((alert.evidence as { changed: string[] }).changed, ['serialNumber']);
    b.close();
  });

  it('T4 benign look-alike: a firmware update (only the firmware version changes) raises nothing', async () => {
    for (const firmwareVersion of ['1.0.0', '1.1.0']) {
      const c = await RawClient.connect(`${p.ocppUrl}/BOOT-OK`, { user: 'BOOT-OK', password: pw['BOOT-OK'] });
      await c.call('b', 'BootNotification', { ...boot16, chargePointSerialNumber: 'SN-7', firmwareVersion });
      c.close();
      await c.closed;
    }
    assert.deepEqual(await alertsOf(p, { stationId: 'BOOT-OK' }), []);
  });

  it('alerts API: security:read lists, security:manage acknowledges and closes (who and when kept), others are refused', async () => {
    const reader = await apiUser(p, ['support_l2']);
    const admin = await apiUser(p, ['admin']);
    const list = await call<{ items: Array<{ id: number; rule: string; status: string }> }>(p, 'GET', '/security/alerts?stationId=TAMPER-1', { token: reader.token });
    assert.equal(list.status, 200);
    const id = list.body.items.find((a) => a.rule === 'PH3-tamper')!.id;
    assert.equal((await call(p, 'POST', `/security/alerts/${id}/acknowledge`, { token: reader.token })).status, 403);
    const ack = await call<{ status: string; changedBy: string }>(p, 'POST', `/security/alerts/${id}/acknowledge`, { token: admin.token });
    assert.equal(ack.status, 200);
    assert.equal(ack.body.status, 'acknowledged');
    assert.equal(ack.body.changedBy, `user:${admin.userId}`);
    assert.equal((await call<{ status: string }>(p, 'POST', `/security/alerts/${id}/close`, { token: admin.token })).body.status, 'closed');
    assert.equal((await call(p, 'POST', `/security/alerts/${id}/acknowledge`, { token: admin.token })).status, 409);
    const audit = await call<{ items: Array<{ action: string }> }>(p, 'GET', '/audit?action=security.alert.close', { token: admin.token });
    assert.equal(audit.body.items.length, 1);
    assert.equal((await call(p, 'GET', '/security/alerts', {})).status, 401);
    // bad input: a clear 4xx, nothing changed
    assert.equal((await call(p, 'GET', '/security/alerts/not-a-number', { token: admin.token })).status, 400);
    assert.equal((await call(p, 'GET', '/security/alerts?severity=bogus', { token: admin.token })).status, 400);
    assert.equal((await call(p, 'POST', '/security/alerts/999999/acknowledge', { token: admin.token })).status, 404);
    assert.equal((await call<{ status: string }>(p, 'GET', `/security/alerts/${id}`, { token: admin.token })).body.status, 'closed');
  });
});

describe('IDS with rules overridden by OV2X_IDS_RULES', () => {
  let p: TestPlatform;
  const pw: Record<string, string> = {};
  before(async () => {
    p = await startTestPlatform({
      idsRules: JSON.stringify([
        { id: 'T3-repeated-message-id', threshold: 1, response: 'disconnect' },
        { id: 'T2-unsolicited-result', threshold: 1, windowS: 1 },
        { id: 'T1-connection-rate-ip', threshold: 8, windowS: 60, response: 'block-ip', responseParam: 600 },
        { id: 'T1-frame-rate', enabled: false },
        { id: 'T1-connection-rate-identity', threshold: 5 },
        { id: 'T5-token-velocity', threshold: 5 },
      ]),
    });
    for (const id of ['DISC-1', 'DEDUP-1', 'CONN-1', 'RECONN-1', 'RECONN-OK', 'FLEET-1']) pw[id] = await p.addStation(id);
    for (const uid of ['IDS-FLEET-CARD', 'IDS-FLEET-OK']) await p.repos.tokens.upsert({ idToken: uid, status: 'Accepted' });
    // the tests' own address stays reachable whatever the block responses do (the allow list wins); the flood comes from 127.0.0.9
    await p.services.perimeter.add({ list: 'allow', kind: 'ip', value: '127.0.0.1', ttlS: null, reason: 'test runner', by: 'test' });
  });
  after(() => p.stop());

  it('disconnect response: the replaying station is closed with 1008 (policy violation)', async () => {
    const c = await booted(p, 'DISC-1', pw['DISC-1']!);
    await c.call('x', 'Heartbeat', {});
    c.send(JSON.stringify([2, 'x', 'Heartbeat', {}]));
    const closed = await c.closed;
    assert.equal(closed.code, 1008);
    const [alert] = await alertsOf(p, { stationId: 'DISC-1', rule: 'T3-repeated-message-id' });
    assert.deepEqual(alert!.response, { kind: 'disconnect', executed: true });
  });

  it('deduplication: repeated sightings of one rule on one station are one alert with a count', async () => {
    const c = await booted(p, 'DEDUP-1', pw['DEDUP-1']!);
    for (let i = 0; i < 3; i++) {
      c.send(JSON.stringify([3, `stray-${i}`, {}]));
      await c.call(`h${i}`, 'Heartbeat', {});
      await p.ids!.settled();
      // a rule fires at most once per window (1 s here); the next sighting is in a new window
      await new Promise((r) => setTimeout(r, 1100));
    }
    const rows = await alertsOf(p, { stationId: 'DEDUP-1', rule: 'T2-unsolicited-result' });
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.count, 3);
    assert.ok(rows[0]!.lastSeen.getTime() - rows[0]!.firstSeen.getTime() >= 2000);
    const events = await p.repos.securityEvents.list({ stationId: 'DEDUP-1', limit: 10 });
    assert.equal(events.filter((e) => e.type === 'IdsAlert').length, 1, 'one security event per alert, not per sighting');
    c.close();
  });

  it('T1 connection rate per identity: one identity hammering the upgrade from anywhere raises an alert; a few reconnects do not', async () => {
    for (let i = 0; i < 3; i++) {
      const c = await RawClient.connect(`${p.ocppUrl}/RECONN-OK`, { user: 'RECONN-OK', password: pw['RECONN-OK'] });
      c.close();
      await c.closed;
    }
    for (let i = 0; i < 5; i++) await refusedUpgrade(`${p.ocppUrl}/RECONN-1`, { user: 'RECONN-1', password: 'wrong' });
    assert.ok((await alertsOf(p, { stationId: 'RECONN-1', rule: 'T1-connection-rate-identity' }))[0], 'identity connection-rate alert');
    assert.deepEqual(await alertsOf(p, { stationId: 'RECONN-OK' }), []);
  });

  it('T5 token velocity: one card authorized again and again raises an alert; a card used a few times does not', async () => {
    const c = await booted(p, 'FLEET-1', pw['FLEET-1']!);
    for (let i = 0; i < 3; i++) await c.call(`ok${i}`, 'Authorize', { idTag: 'IDS-FLEET-OK' });
    await p.ids!.settled();
    assert.deepEqual(await alertsOf(p, { stationId: 'FLEET-1' }), []);
    for (let i = 0; i < 5; i++) await c.call(`v${i}`, 'Authorize', { idTag: 'IDS-FLEET-CARD' });
    const [alert] = await alertsOf(p, { stationId: 'FLEET-1', rule: 'T5-token-velocity' });
    assert.ok(alert, 'velocity alert');
    assert.equal((alert.evidence as { authorizations: number }).authorizations, 5);
    c.close();
  });

  it('block response: the flooding address lands on the perimeter block list and is refused from then on', async () => {
    for (let i = 0; i < 8; i++) {
      const c = await RawClient.connect(`${p.ocppUrl}/CONN-1`, { user: 'CONN-1', password: pw['CONN-1'], localAddress: '127.0.0.9' });
      c.close();
      await c.closed;
    }
    const alert = (await alertsOf(p, { rule: 'T1-connection-rate-ip' })).find((a) => a.sourceIp === '127.0.0.9');
    assert.ok(alert, 'connection-rate alert for the flooding address');
    assert.deepEqual(alert.response, { kind: 'block-ip', executed: true, detail: '127.0.0.9 for 600 s' });
    assert.equal(p.services.perimeter.isBlocked('ip', '127.0.0.9'), true);
    await assert.rejects(RawClient.connect(`${p.ocppUrl}/CONN-1`, { user: 'CONN-1', password: pw['CONN-1'], localAddress: '127.0.0.9' }));
    // the allow-listed address of the other stations is untouched
    const ok = await RawClient.connect(`${p.ocppUrl}/CONN-1`, { user: 'CONN-1', password: pw['CONN-1'] });
    ok.close();
  });
});
