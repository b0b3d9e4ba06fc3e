// Cluster-wide state (issue 9): two platforms in this process on one PostgreSQL database and one
// Redis prefix are two nodes of a cluster. Source addresses come from loopback aliases (127.0.0.x),
// one per test, so each test has its own per-address buckets.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { clusterRedis, type ClusterLink } from '../../src/cluster/connect.js';
import { SharedConnectionLimits } from '../../src/cluster/connection-limits.js';
import { RedisRateLimiter } from '../../src/cluster/rate-limiter.js';
import { MemoryRateLimiter } from '../../src/domain/identity/rate-limiter.js';
import { createLogger } from '../../src/log/logger.js';
import { ConnectionLimits } from '../../src/security/perimeter/limits.js';
import { RawClient } from '../helpers/raw-client.js';
import { apiUser, call } from '../helpers/api.js';
import { throwAwayDatabase } from '../helpers/db.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { TEST_REDIS_URL, testRedisPrefix } from '../helpers/redis.js';
import { until } from '../helpers/until.js';

const BURST = 10;

describe('cluster-wide limits, block list and IDS sightings (two nodes in one process)', () => {
  const { prefix, cleanup } = testRedisPrefix();
  let db: { url: string; drop(): Promise<void> };
  let a: TestPlatform;
  let b: TestPlatform;
  const clients: RawClient[] = [];
  let secretDir: string;

  before(async () => {
    db = await throwAwayDatabase();
    secretDir = mkdtempSync(join(tmpdir(), 'ov2x-cluster-secret-'));
    writeFileSync(join(secretDir, 'server-secret'), randomBytes(32).toString('base64'), { mode: 0o600 });
    const shared = {
      // the nodes of a cluster share the server secret (station password hashes, sealed keys)
      secretFile: join(secretDir, 'server-secret'),
      databaseUrl: db.url, redisUrl: TEST_REDIS_URL, redisPrefix: prefix,
      // no poll: a block can reach the other node only through Redis
      blockListRefresh: 0,
      connectRatePerIp: 1, connectBurstPerIp: BURST, maxConnectionsPerIp: 2,
      switchingLimits: JSON.stringify({ support_l2: { perWindow: 2, windowS: 3600, maxBatch: 2 } }),
      // one address change is enough to alert, so one identity on two nodes shows at once
      idsRules: JSON.stringify([{ id: 'T4-address-flapping', threshold: 1 }]),
    };
    a = await startTestPlatform(shared);
    b = await startTestPlatform(shared);
  });
  after(async () => {
    for (const c of clients) c.ws.terminate();
    await a?.stop();
    await b?.stop();
    await db?.drop();
    await cleanup();
    rmSync(secretDir, { recursive: true, force: true });
  });

  const connect = async (p: TestPlatform, stationId: string, from: string, password?: string): Promise<number> => {
    try {
      clients.push(await RawClient.connect(`${p.ocppUrl}/${stationId}`, { localAddress: from, user: stationId, password }));
      return 101;
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === undefined) throw err;
      return status;
    }
  };

  it('attempts from one address split across the nodes draw on one token bucket', async () => {
    const refused = { a: 0, b: 0 };
    for (let i = 0; i < 2 * BURST; i++) {
      const node = i % 2 === 0 ? 'a' : 'b';
      if ((await connect(node === 'a' ? a : b, 'RATE-NOBODY', '127.0.0.2')) === 429) refused[node]++;
    }
    // each node saw BURST attempts: on its own bucket it would have refused none
    assert.ok(refused.a > 0 && refused.b > 0, `refused ${JSON.stringify(refused)}`);
    const events = await a.repos.securityEvents.list({ limit: 50 });
    assert.ok(events.some((e) => e.type === 'ConnectionRateExceeded' && e.sourceIp === '127.0.0.2'));
  });

  it('the open connections of one address count against one cap, whichever node holds them', async () => {
    const pw = await Promise.all(['CAP-1', 'CAP-2', 'CAP-3'].map((id) => a.addStation(id)));
    assert.equal(await connect(a, 'CAP-1', '127.0.0.3', pw[0]), 101);
    assert.equal(await connect(b, 'CAP-2', '127.0.0.3', pw[1]), 101);
    assert.equal(await connect(a, 'CAP-3', '127.0.0.3', pw[2]), 429);
    assert.equal(await connect(b, 'CAP-3', '127.0.0.3', pw[2]), 429);
    // closing one frees a place on the other node
    const first = clients.find((c) => c.isOpen && c.ws.url.includes('CAP-1'))!;
    first.ws.close();
    await first.closed;
    await until('the released place', async () => (await connect(b, 'CAP-3', '127.0.0.3', pw[2])) === 101);
  });

  it('a principal\'s switching commands count once across the nodes (AC2), with the same 429', async () => {
    const l2 = await apiUser(a, ['support_l2']);
    const send = (p: TestPlatform, stationId: string) => call<{ code: string; details: { scope: string; limit: number } }>(p, 'POST', `/stations/${stationId}/commands`, { token: l2.token, body: { kind: 'reset', mode: 'soft' } });
    for (const id of ['SWC-1', 'SWC-2', 'SWC-3']) await a.addStation(id);
    assert.equal((await send(a, 'SWC-1')).status, 202);
    assert.equal((await send(b, 'SWC-2')).status, 202);
    const r = await send(a, 'SWC-3');
    assert.equal(r.status, 429);
    assert.equal(r.body.code, 'switching_limit');
    assert.deepEqual([r.body.details.scope, r.body.details.limit], ['window', 2]);
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    assert.equal((await send(b, 'SWC-3')).status, 429);
  });

  it('an address blocked through node A\'s API is refused and dropped at node B at once, without a poll', async () => {
    const admin = await apiUser(a, ['admin']);
    const pw = await a.addStation('BLK-1');
    const pw2 = await a.addStation('BLK-2');
    const held = await RawClient.connect(`${b.ocppUrl}/BLK-2`, { localAddress: '127.0.0.7', user: 'BLK-2', password: pw2 });
    clients.push(held);
    const r = await call(a, 'POST', '/security/blocks', { token: admin.token, body: { kind: 'ip', value: '127.0.0.7', reason: 'cluster test' } });
    assert.equal(r.status, 201);
    await until('node B to know the block', () => b.services.perimeter.isBlocked('ip', '127.0.0.7'));
    // node B also ends the connection the new block covers
    assert.equal((await held.closed).code, 1008);
    // refused at the TCP accept or at the upgrade: either way no connection
    await assert.rejects(RawClient.connect(`${b.ocppUrl}/BLK-1`, { localAddress: '127.0.0.7', user: 'BLK-1', password: pw }));
    // and unblocking through B reaches A the same way
    const del = await call(b, 'DELETE', `/security/blocks/${(r.body as { id: number }).id}`, { token: admin.token });
    assert.ok(del.status === 204 || del.status === 200, `unblock ${del.status}`);
    await until('node A to know the unblock', () => !a.services.perimeter.isBlocked('ip', '127.0.0.7'));
  });

  it('one identity connected to both nodes from two addresses raises a T4 alert', async () => {
    const pw = await a.addStation('TWO-NODES');
    assert.equal(await connect(a, 'TWO-NODES', '127.0.0.5', pw), 101);
    assert.equal(await connect(b, 'TWO-NODES', '127.0.0.6', pw), 101);
    await b.ids!.settled();
    const alerts = await b.repos.idsAlerts.list({ stationId: 'TWO-NODES', limit: 10, offset: 0 });
    const t4 = alerts.find((x) => x.rule === 'T4-address-flapping');
    assert.ok(t4, `alerts: ${alerts.map((x) => x.rule).join(', ')}`);
    assert.equal(t4.class, 'T4');
    assert.deepEqual(t4.evidence.addresses, ['127.0.0.5', '127.0.0.6']);
    assert.equal(t4.evidence.previousStillOpen, true);
    assert.equal(typeof t4.evidence.otherNode, 'string');
  });

  it('wrong passwords for one identity count once across the nodes (T4 password burst)', async () => {
    await a.addStation('PWD-1');
    // the built-in rule: 5 refusals in 300 s; 3 on A and 2 on B stay under it on either node alone
    for (const p of [a, b, a, b, a]) assert.equal(await connect(p, 'PWD-1', '127.0.0.11', 'not-the-password'), 401);
    await a.ids!.settled();
    await b.ids!.settled();
    const alerts = (await a.repos.idsAlerts.list({ stationId: 'PWD-1', limit: 10, offset: 0 })).filter((x) => x.rule === 'T4-password-burst');
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.evidence.refusals, 5);
  });

  it('with Redis gone at runtime a node keeps admitting, limiting and detecting on its own, without crashing', async () => {
    a.redis!.client.disconnect();
    const pw = await a.addStation('NO-REDIS');
    assert.equal(await connect(a, 'NO-REDIS', '127.0.0.9', pw), 101);
    const l2 = await apiUser(a, ['support_l2']);
    await a.addStation('NO-REDIS-2');
    const send = () => call(a, 'POST', '/stations/NO-REDIS-2/commands', { token: l2.token, body: { kind: 'reset', mode: 'soft' } });
    assert.deepEqual([(await send()).status, (await send()).status, (await send()).status], [202, 202, 429], 'the local window still holds');
    // the IDS counts on its own too
    await a.addStation('PWD-2');
    for (let i = 0; i < 5; i++) assert.equal(await connect(a, 'PWD-2', '127.0.0.12', 'not-the-password'), 401);
    await a.ids!.settled();
    assert.ok((await a.repos.idsAlerts.list({ stationId: 'PWD-2', limit: 10, offset: 0 })).some((x) => x.rule === 'T4-password-burst'));
    // node B, still connected, goes on as before
    assert.equal(await connect(b, 'NO-REDIS', '127.0.0.10', pw), 101);
  });
});

describe('connection leases', () => {
  const { prefix, cleanup } = testRedisPrefix();
  after(cleanup);

  it('a node that stops renewing (crashed) stops holding places once its leases run out; a live one keeps them', async () => {
    const o = { maxPerIp: 1, ratePerS: 1000, burst: 1000, leaseMs: 600 };
    const open = async (nodeId: string) => Object.assign((await clusterRedis({ redisUrl: TEST_REDIS_URL, redisPrefix: prefix }, createLogger('silent')))!, { nodeId });
    const [crashing, live, other] = [await open('crashing'), await open('live'), await open('other')];
    const limits = (link: ClusterLink) => new SharedConnectionLimits(link, new ConnectionLimits(o), o, createLogger('silent'));
    const [c, l, x] = [limits(crashing), limits(live), limits(other)];
    try {
      assert.equal((await c.admit('198.51.100.1')).ok, true);
      assert.equal((await x.admit('198.51.100.1')).ok, false, 'the cap holds across nodes');
      c.close();
      await until('the crashed node\'s lease to run out', async () => {
        const v = await x.admit('198.51.100.1');
        if (v.ok) v.release();
        return v.ok;
      });
      // a live node renews (every lease / 3): its place stays taken well past one lease
      assert.equal((await l.admit('198.51.100.2')).ok, true);
      await new Promise((r) => setTimeout(r, 3 * o.leaseMs));
      assert.equal((await x.admit('198.51.100.2')).ok, false);
    } finally {
      for (const s of [c, l, x]) s.close();
      for (const link of [crashing, live, other]) await link.close();
    }
  });
});

describe('shared limits fail open to the local ones, with a log line', () => {
  /** A cluster link whose Redis is a dead port: never connected. */
  const dead = (): ClusterLink => {
    const client = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0 });
    return { client, subscriber: client, key: (...p: string[]) => p.join(':'), nodeId: 'dead', close: async () => client.disconnect() };
  };
  const capture = () => {
    const lines: string[] = [];
    return { lines, log: createLogger('debug', { write: (s: string) => void lines.push(s) } as never) };
  };

  it('connection limits: the local bucket judges, once logged', async () => {
    const { lines, log } = capture();
    const link = dead();
    const limits = new SharedConnectionLimits(link, new ConnectionLimits({ maxPerIp: 1, ratePerS: 1, burst: 5 }), { maxPerIp: 1, ratePerS: 1, burst: 5 }, log);
    try {
      const first = await limits.admit('192.0.2.1');
      assert.equal(first.ok, true);
      const second = await limits.admit('192.0.2.1');
      assert.deepEqual(second.ok ? 'admitted' : second.reason, 'TooManyConnections', 'the local cap applies');
      if (first.ok) first.release();
      assert.equal((await limits.admit('192.0.2.1')).ok, true);
      assert.equal(lines.filter((l) => l.includes('fail open')).length, 1, 'one line, not one per attempt');
    } finally {
      limits.close();
      await link.close();
    }
  });

  it('the switching rate limiter: the local window judges', async () => {
    const { lines, log } = capture();
    const link = dead();
    const limiter = new RedisRateLimiter(link, new MemoryRateLimiter(), log);
    assert.deepEqual(await limiter.take('switching:u1', 1, 1, 60_000), { ok: true });
    assert.equal((await limiter.take('switching:u1', 1, 1, 60_000)).ok, false);
    assert.ok(lines.some((l) => l.includes('fail open')));
    await link.close();
  });

  it('an unreachable REDIS_URL at start is a clear error', async () => {
    await assert.rejects(clusterRedis({ redisUrl: 'redis://127.0.0.1:1', redisPrefix: 'x:' }, capture().log), /cannot reach Redis/);
  });
});
