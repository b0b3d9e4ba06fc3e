// The perimeter over real sockets (issue 7: M3, CM5, metrics). Other source addresses come from
// loopback aliases: Linux routes all of 127/8 to lo, so a client binds 127.0.0.2 or .3 as its
// local address and the server sees that address as the peer.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { apiUser, call, type ApiUser } from '../helpers/api.js';
import { startTlsTestPlatform } from '../helpers/test-pki.js';
import type { TestPlatform } from '../helpers/platform.js';
import { until } from '../helpers/until.js';

const METRICS_TOKEN = 'scrape-token-0123456789abcdef';
const boot16 = { chargePointVendor: 'ACME', chargePointModel: 'X1' };

let p: TestPlatform;
let stopPlatform: () => Promise<void>;
let admin: ApiUser;
let plainPort: number;
let tlsPort: number;
const sockets: WebSocket[] = [];

before(async () => {
  const started = await startTlsTestPlatform({
    maxConnectionsPerIp: 4, connectRatePerIp: 1000, connectBurstPerIp: 1000, blockListRefresh: 0,
    trustedProxies: '127.0.0.4', metricsToken: METRICS_TOKEN,
  });
  p = started.p;
  stopPlatform = started.stop;
  admin = await apiUser(p, ['admin']);
  plainPort = (p.http.address() as AddressInfo).port;
  tlsPort = (p.tls!.server.address() as AddressInfo).port;
});
after(async () => {
  for (const ws of sockets) ws.terminate();
  await stopPlatform?.();
});

/** Opens an OCPP 1.6 WebSocket from `from`; resolves with it, or rejects with `.status` (HTTP refusal) or `.code` (socket error). */
function open(stationId: string, o: { from?: string; password?: string; headers?: Record<string, string> } = {}): Promise<WebSocket> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.password !== undefined) headers.authorization = 'Basic ' + Buffer.from(`${stationId}:${o.password}`).toString('base64');
  const ws = new WebSocket(`ws://127.0.0.1:${plainPort}/ocpp/${stationId}`, ['ocpp1.6'], { headers, localAddress: o.from ?? '127.0.0.1' });
  return new Promise((resolve, reject) => {
    ws.once('open', () => { sockets.push(ws); resolve(ws); });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode }));
    });
    ws.once('error', reject);
  });
}

/** Sends BootNotification and returns the answer frame. */
function boot(ws: WebSocket): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no answer')), 5000);
    ws.once('message', (d) => { clearTimeout(t); resolve(JSON.parse(d.toString()) as unknown[]); });
    ws.send(JSON.stringify([2, 'b1', 'BootNotification', boot16]));
  });
}

const refusal = (promise: Promise<unknown>): Promise<{ status?: number; code?: string }> =>
  promise.then(() => assert.fail('connection was admitted'), (err: { status?: number; code?: string }) => err);

const events = async (type: string, ip: string) =>
  (await p.repos.securityEvents.list({ limit: 1000 })).filter((e) => e.type === type && e.sourceIp === ip);

describe('IP and identity blocks', () => {
  it('a blocked IP is refused at the TCP connection of both listeners (before TLS, before HTTP) and recorded', async () => {
    const added = await call<{ id: number }>(p, 'POST', '/security/blocks', { token: admin.token, body: { kind: 'ip', value: '127.0.0.2', reason: 'test block' } });
    assert.equal(added.status, 201, JSON.stringify(added.body));

    // TLS: the socket is dropped before the server sends a single handshake byte
    const tls = await new Promise<{ secured: boolean; error?: string }>((resolve) => {
      // localAddress is passed on to net.connect (not in the TLS options' type)
      const s = tlsConnect({ host: '127.0.0.1', port: tlsPort, localAddress: '127.0.0.2', rejectUnauthorized: false } as ConnectionOptions);
      s.once('secureConnect', () => { s.destroy(); resolve({ secured: true }); });
      s.once('error', (err: NodeJS.ErrnoException) => resolve({ secured: false, error: err.code ?? err.message }));
    });
    assert.equal(tls.secured, false);

    // plain: a request gets no answer at all, the socket just closes
    const plain = await new Promise<string>((resolve) => {
      let got = '';
      const s = netConnect({ host: '127.0.0.1', port: plainPort, localAddress: '127.0.0.2' }, () => s.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n'));
      s.on('data', (d) => (got += d.toString()));
      s.on('error', () => undefined);
      s.on('close', () => resolve(got));
    });
    assert.equal(plain, '');
    const ws = await refusal(open('CS-ANY', { from: '127.0.0.2' }));
    assert.equal(ws.status, undefined, 'no HTTP answer either');

    // a well-behaved station elsewhere is not affected
    const password = await p.addStation('CS-GOOD');
    const good = await open('CS-GOOD', { password });
    assert.equal((await boot(good))[0], 3);

    await until('the refusals are recorded', async () => (await events('BlockedConnection', '127.0.0.2')).some((e) => e.details.stage === 'tcp'));
    assert.equal((await call(p, 'DELETE', `/security/blocks/${added.body.id}`, { token: admin.token })).status, 204);
    const password2 = await p.addStation('CS-FROM-2');
    assert.ok(await open('CS-FROM-2', { from: '127.0.0.2', password: password2 }), 'unblocked: connects again');
  });

  it('behind a trusted proxy the client address in X-Forwarded-For is judged at the upgrade (403)', async () => {
    const added = await call<{ id: number }>(p, 'POST', '/security/blocks', { token: admin.token, body: { kind: 'cidr', value: '192.0.2.0/24', reason: 'bad network' } });
    assert.equal(added.status, 201);
    const password = await p.addStation('CS-PROXIED');
    const viaProxy = (client: string) => open('CS-PROXIED', { from: '127.0.0.4', password, headers: { 'x-forwarded-for': `10.9.9.9, ${client}` } });
    assert.equal((await refusal(viaProxy('192.0.2.77'))).status, 403);
    assert.ok(await viaProxy('198.51.100.1'));
    // an untrusted peer cannot hide behind the header: its own address is what counts
    await call(p, 'POST', '/security/blocks', { token: admin.token, body: { kind: 'ip', value: '127.0.0.5', reason: 'spoofer' } });
    assert.ok((await refusal(open('CS-PROXIED', { from: '127.0.0.5', password, headers: { 'x-forwarded-for': '198.51.100.1' } }))).status === undefined);
    await until('recorded with the real client address', async () => (await events('BlockedConnection', '192.0.2.77')).some((e) => e.details.stage === 'upgrade'));
  });

  it('an identity block with a TTL refuses the station with 403 until it lapses', async () => {
    const password = await p.addStation('CS-TTL');
    const added = await call(p, 'POST', '/security/blocks', { token: admin.token, body: { kind: 'identity', value: 'CS-TTL', reason: 'cloned identity', ttlS: 1 } });
    assert.equal(added.status, 201);
    assert.equal((await refusal(open('CS-TTL', { password }))).status, 403);
    const listed = await call<{ items: Array<{ value: string; expiresAt: string | null; createdBy: string }> }>(p, 'GET', '/security/blocks', { token: admin.token });
    const entry = listed.body.items.find((e) => e.value === 'CS-TTL')!;
    assert.ok(entry.expiresAt !== null);
    assert.equal(entry.createdBy, `user:${admin.userId}`);
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await boot(await open('CS-TTL', { password })))[0], 3);
    assert.ok((await events('BlockedConnection', '127.0.0.1')).some((e) => e.stationId === 'CS-TTL' && e.details.kind === 'identity'));
  });

  it('the allow list wins over a block of its range; removing the block unblocks', async () => {
    const block = await call<{ id: number }>(p, 'POST', '/security/blocks', { token: admin.token, body: { kind: 'ip', value: '127.0.0.2/31', reason: 'range' } });
    assert.equal(block.status, 201);
    assert.equal(block.body.id > 0, true);
    assert.equal((await call(p, 'POST', '/security/blocks', { token: admin.token, body: { list: 'allow', kind: 'ip', value: '127.0.0.3', reason: 'our NOC' } })).status, 201);
    const password = await p.addStation('CS-NOC');
    assert.ok(await open('CS-NOC', { from: '127.0.0.3', password }), 'allowed address connects');
    assert.equal((await refusal(open('CS-NOC', { from: '127.0.0.2', password }))).status, undefined, 'the rest of the range is dropped');
    assert.equal((await call(p, 'DELETE', `/security/blocks/${block.body.id}`, { token: admin.token })).status, 204);
    assert.equal((await call(p, 'DELETE', `/security/blocks/${block.body.id}`, { token: admin.token })).status, 404);
    assert.ok(await open('CS-NOC', { from: '127.0.0.2', password }));
  });

  it('a block ends the connections it covers, not only the next ones (the IDS calls block())', async () => {
    const password = await p.addStation('CS-CAUGHT');
    const ws = await open('CS-CAUGHT', { password });
    await boot(ws);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await p.services.perimeter.block({ kind: 'identity', value: 'CS-CAUGHT' }, { ttlS: 60, reason: 'replayed messages', by: 'ids:replay' });
    assert.equal(await closed, 1008);
    assert.equal((await refusal(open('CS-CAUGHT', { password }))).status, 403);
  });

  it('refuses malformed entries and callers without security:manage', async () => {
    assert.equal((await call(p, 'POST', '/security/blocks', { token: admin.token, body: { kind: 'ip', value: '999.1.1.1', reason: 'x' } })).status, 400);
    const l2 = await apiUser(p, ['support_l2']);
    assert.equal((await call(p, 'GET', '/security/blocks', { token: l2.token })).status, 200);
    assert.equal((await call(p, 'POST', '/security/blocks', { token: l2.token, body: { kind: 'ip', value: '10.0.0.1', reason: 'x' } })).status, 403);
  });
});

describe('per-IP limits', () => {
  it('a flood from one address is capped while a well-behaved station elsewhere connects and is answered', async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await until('earlier connections released', () => p.ocpp.connectionCount === 0);
    const passwords = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => p.addStation(`FLOOD-${i}`)));
    const held = [];
    for (let i = 0; i < 4; i++) held.push(await open(`FLOOD-${i + 1}`, { from: '127.0.0.2', password: passwords[i] }));
    const flood = await Promise.all(Array.from({ length: 40 }, (_, i) => refusal(open(`FLOOD-${(i % 2) + 5}`, { from: '127.0.0.2', password: passwords[(i % 2) + 4] }))));
    assert.ok(flood.every((r) => r.status === 429), JSON.stringify(flood.slice(0, 3)));
    const password = await p.addStation('CS-CALM');
    const calm = await open('CS-CALM', { password });
    assert.equal((await boot(calm))[0], 3);
    // 40 refusals, at most 10 security events a minute from that address: a flood cannot flood the log
    await until('the cap is recorded', async () => (await events('ConnectionLimitExceeded', '127.0.0.2')).length > 0);
    const perimeterTypes = ['BlockedConnection', 'ConnectionLimitExceeded', 'ConnectionRateExceeded'];
    const recorded = (await p.repos.securityEvents.list({ limit: 1000 })).filter((e) => e.sourceIp === '127.0.0.2' && perimeterTypes.includes(e.type));
    assert.ok(recorded.length <= 10, `${recorded.length} events: ${recorded.map((e) => e.type).join(', ')}`);
    // a held connection that closes frees its slot
    held[0]!.close();
    await until('slot released', async () => open('FLOOD-5', { from: '127.0.0.2', password: passwords[4] }).then(() => true, () => false));
  });
});

describe('/metrics', () => {
  const scrape = (headers: Record<string, string>) => new Promise<{ status: number; body: string; type?: string }>((resolve, reject) => {
    request({ host: '127.0.0.1', port: plainPort, path: '/metrics', headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body, type: res.headers['content-type'] }));
    }).on('error', reject).end();
  });

  it('is refused without credentials, with a wrong token and to a principal without security:read', async () => {
    assert.equal((await scrape({})).status, 401);
    assert.equal((await scrape({ authorization: 'Bearer wrong' })).status, 401);
    const billing = await apiUser(p, ['billing_manager']);
    assert.equal((await scrape({ authorization: `Bearer ${billing.token}` })).status, 403);
  });

  it('serves Prometheus text to the scrape token and to a principal with security:read', async () => {
    const r = await scrape({ authorization: `Bearer ${METRICS_TOKEN}` });
    assert.equal(r.status, 200);
    assert.match(r.type ?? '', /text\/plain/);
    assert.match(r.body, /ov2x_stations_connected\{protocol="ocpp1\.6"\} [1-9]/);
    assert.match(r.body, /ov2x_connections_total\{result="accepted",reason=""\} [1-9]/);
    assert.match(r.body, /ov2x_connections_total\{result="refused",reason="TooManyConnections"\} [1-9]/);
    assert.match(r.body, /ov2x_blocked_connections_total\{stage="tcp",kind="ip"\} [1-9]/);
    assert.match(r.body, /ov2x_blocked_connections_total\{stage="upgrade",kind="identity"\} [1-9]/);
    assert.match(r.body, /ov2x_frames_total\{direction="in",type="CALL",action="BootNotification"\} [1-9]/);
    assert.match(r.body, /ov2x_frames_total\{direction="out",type="CALLRESULT",action="BootNotification"\} [1-9]/);
    assert.match(r.body, /# TYPE ov2x_ids_alerts_total counter/);
    const l2 = await apiUser(p, ['support_l2']);
    assert.equal((await scrape({ authorization: `Bearer ${l2.token}` })).status, 200);
  });

  it('counts CALLERRORs by code', async () => {
    const password = await p.addStation('CS-ERR');
    const ws = await open('CS-ERR', { password });
    await boot(ws);
    const answer = await new Promise<unknown[]>((resolve) => {
      ws.once('message', (d) => resolve(JSON.parse(d.toString()) as unknown[]));
      ws.send(JSON.stringify([2, 'e1', 'NoSuchAction', {}]));
    });
    assert.equal(answer[0], 4);
    const r = await scrape({ authorization: `Bearer ${METRICS_TOKEN}` });
    assert.match(r.body, /ov2x_call_errors_total\{direction="out",code="NotImplemented"\} [1-9]/);
    assert.match(r.body, /ov2x_frames_total\{direction="in",type="CALL",action="unknown"\} [1-9]/);
  });
});
