import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';

const boot16 = { chargePointVendor: 'ACME', chargePointModel: 'X1' };

describe('OCPP-J transport: admission at the upgrade', () => {
  let p: TestPlatform;
  let password: string;
  before(async () => {
    p = await startTestPlatform();
    password = await p.addStation('CS-1');
  });
  after(() => p.stop());

  const refused = async (url: string, opts: Parameters<typeof RawClient.connect>[1]) => {
    const err = (await RawClient.connect(url, opts).then(() => assert.fail('upgrade should be refused'), (e: unknown) => e)) as { status: number; body: string; headers: Record<string, string> };
    return err;
  };

  it('admits a registered station with its password and negotiates the subprotocol', async () => {
    const c = await RawClient.connect(`${p.ocppUrl}/CS-1`, { protocols: ['ocpp1.6'], user: 'CS-1', password });
    assert.equal(c.ws.protocol, 'ocpp1.6');
    const [type, id, res] = await c.call('a1', 'BootNotification', boot16);
    assert.deepEqual([type, id], [3, 'a1']);
    assert.equal((res as { status: string }).status, 'Accepted');
    c.close();
  });

  it('prefers 2.0.1 when a station offers both', async () => {
    const c = await RawClient.connect(`${p.ocppUrl}/CS-1`, { protocols: ['ocpp1.6', 'ocpp2.0.1'], user: 'CS-1', password });
    assert.equal(c.ws.protocol, 'ocpp2.0.1');
    c.close();
  });

  it('refuses an unknown station with 404 and records a security event', async () => {
    const e = await refused(`${p.ocppUrl}/NOPE`, { user: 'NOPE', password: 'x' });
    assert.equal(e.status, 404);
    const events = await p.repos.securityEvents.list({ stationId: 'NOPE', limit: 10 });
    assert.equal(events[0]?.type, 'UnknownStation');
  });

  it('refuses a wrong password with 401, records it, and never stores the password', async () => {
    const wrong = 'wrong-password-' + Math.random().toString(36).slice(2);
    const e = await refused(`${p.ocppUrl}/CS-1`, { user: 'CS-1', password: wrong });
    assert.equal(e.status, 401);
    assert.match(String(e.headers['www-authenticate']), /^Basic /);
    const events = await p.repos.securityEvents.list({ stationId: 'CS-1', limit: 10 });
    const ev = events.find((x) => x.type === 'InvalidCredentials');
    assert.ok(ev, 'InvalidCredentials event recorded');
    assert.ok(!JSON.stringify(events).includes(wrong), 'password must not be stored');
    assert.ok(!JSON.stringify(events).includes(password), 'password must not be stored');
  });

  it('refuses missing credentials and a user name that is not the identity', async () => {
    assert.equal((await refused(`${p.ocppUrl}/CS-1`, {})).status, 401);
    assert.equal((await refused(`${p.ocppUrl}/CS-1`, { user: 'OTHER', password })).status, 401);
  });

  it('refuses unsupported or missing subprotocols with 400', async () => {
    assert.equal((await refused(`${p.ocppUrl}/CS-1`, { protocols: ['ocpp1.5'], user: 'CS-1', password })).status, 400);
    assert.equal((await refused(`${p.ocppUrl}/CS-1`, { protocols: [], user: 'CS-1', password })).status, 400);
  });

  it('refuses other paths and malformed identities', async () => {
    const base = p.ocppUrl.replace(/\/ocpp$/, '');
    assert.equal((await refused(`${base}/other/CS-1`, { user: 'CS-1', password })).status, 404);
    assert.equal((await refused(`${p.ocppUrl}/${'x'.repeat(49)}`, { user: 'x', password })).status, 400);
    assert.equal((await refused(`${p.ocppUrl}/a%2Fb`, { user: 'a/b', password })).status, 400);
  });

  it('closes the old socket when the same identity connects again, and records it', async () => {
    const first = await RawClient.connect(`${p.ocppUrl}/CS-1`, { user: 'CS-1', password });
    const second = await RawClient.connect(`${p.ocppUrl}/CS-1`, { user: 'CS-1', password });
    const { code } = await first.closed;
    assert.equal(code, 1000);
    const [type] = await second.call('h1', 'Heartbeat', {});
    assert.equal(type, 3);
    assert.ok(p.bus.isConnected('CS-1'));
    const events = await p.repos.securityEvents.list({ stationId: 'CS-1', limit: 20 });
    assert.ok(events.some((e) => e.type === 'DuplicateConnection'));
    second.close();
  });
});

describe('OCPP-J transport: auto-registration', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform({ autoRegister: true });
  });
  after(() => p.stop());

  it('registers an unknown station as Pending; it may only boot', async () => {
    const c = await RawClient.connect(`${p.ocppUrl}/NEW-1`, { protocols: ['ocpp2.0.1'] });
    const [, , boot] = await c.call('b', 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
    assert.equal((boot as { status: string }).status, 'Pending');
    const reply = await c.call('a', 'Authorize', { idToken: { idToken: 'X', type: 'ISO14443' } });
    assert.deepEqual(reply.slice(0, 3), [4, 'a', 'SecurityError']);
    assert.equal((await p.repos.stations.get('NEW-1'))?.registrationStatus, 'Pending');
    c.close();
  });
});

describe('OCPP-J transport: bad frames get the version\'s CALLERROR and lose nothing', () => {
  let p: TestPlatform;
  let password: string;
  before(async () => {
    p = await startTestPlatform({ maxFrameBytes: 4096, maxJsonDepth: 10 });
    password = await p.addStation('CS-B');
  });
  after(() => p.stop());

  const cases: Array<{ name: string; frame: string; v16: unknown[]; v201: unknown[] }> = [
    { name: 'malformed JSON', frame: '[2, "x", "Heartbeat", {', v16: [4, '-1', 'FormationViolation'], v201: [4, '-1', 'RpcFrameworkError'] },
    { name: 'not an array', frame: '{"a":1}', v16: [4, '-1', 'FormationViolation'], v201: [4, '-1', 'RpcFrameworkError'] },
    { name: 'wrong message type id', frame: '[7, "m7", "Heartbeat", {}]', v16: [4, 'm7', 'FormationViolation'], v201: [4, 'm7', 'MessageTypeNotSupported'] },
    { name: 'unknown action', frame: '[2, "u1", "Teleport", {}]', v16: [4, 'u1', 'NotImplemented'], v201: [4, 'u1', 'NotImplemented'] },
    { name: 'payload not an object', frame: '[2, "p1", "Heartbeat", [1]]', v16: [4, 'p1', 'FormationViolation'], v201: [4, 'p1', 'FormatViolation'] },
    { name: 'JSON nested too deep', frame: `[2, "d1", "Heartbeat", ${'{"a":'.repeat(20)}1${'}'.repeat(20)}]`, v16: [4, '-1', 'FormationViolation'], v201: [4, '-1', 'RpcFrameworkError'] },
  ];

  for (const version of ['ocpp1.6', 'ocpp2.0.1'] as const) {
    for (const c of cases) {
      it(`${version}: ${c.name}`, async () => {
        const client = await RawClient.connect(`${p.ocppUrl}/CS-B`, { protocols: [version], user: 'CS-B', password });
        client.send(c.frame);
        const reply = (await client.next()) as unknown[];
        assert.deepEqual(reply.slice(0, 3), version === 'ocpp1.6' ? c.v16 : c.v201);
        assert.equal(reply.length, 5);
        // the connection stays usable
        const [type] = await client.call('hb', 'Heartbeat', {});
        assert.equal(type, 3);
        client.close();
      });
    }
  }

  it('schema violations map to the right error code per version', async () => {
    const c16 = await RawClient.connect(`${p.ocppUrl}/CS-B`, { protocols: ['ocpp1.6'], user: 'CS-B', password });
    assert.deepEqual((await c16.call('r1', 'BootNotification', { chargePointVendor: 'A' })).slice(0, 3), [4, 'r1', 'OccurenceConstraintViolation']);
    assert.deepEqual((await c16.call('t1', 'BootNotification', { chargePointVendor: 1, chargePointModel: 'M' })).slice(0, 3), [4, 't1', 'TypeConstraintViolation']);
    assert.deepEqual((await c16.call('l1', 'BootNotification', { chargePointVendor: 'A'.repeat(51), chargePointModel: 'M' })).slice(0, 3), [4, 'l1', 'PropertyConstraintViolation']);
    assert.deepEqual((await c16.call('x1', 'Heartbeat', { extra: 1 })).slice(0, 3), [4, 'x1', 'FormationViolation']);
    assert.deepEqual((await c16.call('n1', 'RemoteStartTransaction', { idTag: 'A' })).slice(0, 3), [4, 'n1', 'NotSupported']);
    c16.close();
    const c201 = await RawClient.connect(`${p.ocppUrl}/CS-B`, { protocols: ['ocpp2.0.1'], user: 'CS-B', password });
    assert.deepEqual((await c201.call('r2', 'BootNotification', { reason: 'PowerUp' })).slice(0, 3), [4, 'r2', 'OccurrenceConstraintViolation']);
    assert.deepEqual((await c201.call('e2', 'BootNotification', { reason: 'Bored', chargingStation: { model: 'M', vendorName: 'V' } })).slice(0, 3), [4, 'e2', 'PropertyConstraintViolation']);
    assert.deepEqual((await c201.call('f2', 'StatusNotification', { timestamp: 'yesterday', connectorStatus: 'Available', evseId: 1, connectorId: 1 })).slice(0, 3), [4, 'f2', 'PropertyConstraintViolation']);
    c201.close();
  });

  it('a binary frame is refused with an RPC framework error', async () => {
    const c = await RawClient.connect(`${p.ocppUrl}/CS-B`, { protocols: ['ocpp2.0.1'], user: 'CS-B', password });
    c.send(Buffer.from([1, 2, 3]), true);
    assert.deepEqual(((await c.next()) as unknown[]).slice(0, 3), [4, '-1', 'RpcFrameworkError']);
    c.close();
  });

  it('an unexpected CALLRESULT is ignored and the connection stays usable', async () => {
    const c = await RawClient.connect(`${p.ocppUrl}/CS-B`, { protocols: ['ocpp1.6'], user: 'CS-B', password });
    c.send(JSON.stringify([3, 'never-sent', {}]));
    c.send(JSON.stringify([4, 'never-sent', 'GenericError', '', {}]));
    const [type, id] = await c.call('after', 'Heartbeat', {});
    assert.deepEqual([type, id], [3, 'after']);
    c.close();
  });

  it('an oversized frame closes the connection with 1009 and stores nothing of it', async () => {
    const c = await RawClient.connect(`${p.ocppUrl}/CS-B`, { protocols: ['ocpp1.6'], user: 'CS-B', password });
    await c.call('boot', 'BootNotification', boot16);
    const before = await p.repos.stations.get('CS-B');
    c.send(JSON.stringify([2, 'big', 'DataTransfer', { vendorId: 'V', data: 'x'.repeat(8000) }]));
    const { code } = await c.closed;
    assert.equal(code, 1009);
    const afterRow = await p.repos.stations.get('CS-B');
    assert.equal(afterRow?.vendor, before?.vendor);
    assert.equal(afterRow?.model, before?.model);
    // the station can reconnect at once
    const again = await RawClient.connect(`${p.ocppUrl}/CS-B`, { protocols: ['ocpp1.6'], user: 'CS-B', password });
    assert.equal((await again.call('h', 'Heartbeat', {}))[0], 3);
    again.close();
  });

  it('more CALLs than the inbound queue holds are refused, the rest answered in order', async () => {
    const c = await RawClient.connect(`${p.ocppUrl}/CS-B`, { protocols: ['ocpp1.6'], user: 'CS-B', password });
    for (let i = 0; i < 20; i++) c.send(JSON.stringify([2, `q${i}`, 'Heartbeat', {}]));
    const replies: unknown[][] = [];
    for (let i = 0; i < 20; i++) replies.push((await c.next()) as unknown[]);
    const answered = replies.filter((r) => r[0] === 3).map((r) => r[1]);
    const refusedIds = replies.filter((r) => r[0] === 4);
    assert.ok(answered.length >= 8, `answered ${answered.length}`);
    assert.ok(refusedIds.length > 0);
    assert.deepEqual(answered, [...answered].sort((a, b) => Number(String(a).slice(1)) - Number(String(b).slice(1))));
    c.close();
  });
});

describe('OCPP-J transport: liveness', () => {
  let p: TestPlatform;
  let password: string;
  before(async () => {
    p = await startTestPlatform({ pingInterval: 1 });
    password = await p.addStation('CS-P');
  });
  after(() => p.stop());

  it('closes a socket that stops answering pings', async () => {
    const c = await RawClient.connect(`${p.ocppUrl}/CS-P`, { user: 'CS-P', password, autoPong: false });
    const started = Date.now();
    const { code } = await c.closed;
    assert.equal(code, 1006); // terminated, no close frame
    assert.ok(Date.now() - started < 5000);
    for (let i = 0; i < 50 && p.bus.isConnected('CS-P'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(p.bus.isConnected('CS-P'), false);
  });

  it('keeps a socket that answers pings', async () => {
    const c = await RawClient.connect(`${p.ocppUrl}/CS-P`, { user: 'CS-P', password });
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal((await c.call('h', 'Heartbeat', { }))[0], 3);
    c.close();
  });
});

