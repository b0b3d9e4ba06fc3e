import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { SessionService } from '../../src/domain/identity/session-service.js';
import { hashPassword } from '../../src/domain/identity/passwords.js';
import { SimulatedStation } from '../../src/sim/station.js';
import { openStore, type Store } from '../../src/store/index.js';
import { openRepositories, type Repositories } from '../../src/store/repositories.js';
import { call } from '../helpers/api.js';
import { Balancer, startNode, type Node } from '../helpers/cluster.js';
import { throwAwayDatabase } from '../helpers/db.js';
import { RawClient } from '../helpers/raw-client.js';
import { TEST_REDIS_URL, testRedisPrefix } from '../helpers/redis.js';
import { SseClient } from '../helpers/sse.js';
import { until } from '../helpers/until.js';

type Cmd = { status: string; failure?: string | null };

/**
 * Two (then three) `ov2x serve` processes on one PostgreSQL database and one Redis: commands
 * cross nodes, a station moves between them, a node dies by SIGKILL. Generous timeouts: the
 * machine is small and shared; every wait is for a condition, never a fixed sleep.
 */
describe('cluster mode: nodes as processes on PostgreSQL and Redis', { timeout: 120_000 }, () => {
  const redisPrefix = testRedisPrefix();
  const dir = mkdtempSync(join(tmpdir(), 'ov2x-cluster-'));
  const secretFile = join(dir, 'server-secret');
  let db: Awaited<ReturnType<typeof throwAwayDatabase>>;
  let store: Store;
  let repos: Repositories;
  let redis: Redis;
  const nodes: Node[] = [];
  let a: Node;
  let b: Node;
  let token: string;

  const env = (name: string): Record<string, string> => ({
    DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, OV2X_REDIS_PREFIX: redisPrefix.prefix,
    OV2X_SECRET_FILE: secretFile, OV2X_DATA_DIR: join(dir, name), OV2X_CALL_TIMEOUT_MS: '20000',
    OV2X_WEBHOOK_ALLOW_PRIVATE: 'true',
  });
  const node = async (name: string): Promise<Node> => {
    const n = await startNode(name, env(name));
    nodes.push(n);
    return n;
  };
  const api = <T = Record<string, unknown>>(n: Node, method: string, path: string, body?: unknown) => call<T>(n.api, method, path, { token, ...(body !== undefined && { body }) });
  const register = async (n: Node, id: string): Promise<string> => {
    const r = await api<{ password: string }>(n, 'POST', '/stations', { id });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.password;
  };
  const command = async (n: Node, stationId: string, body: unknown): Promise<number> => {
    const r = await api<{ commandId: number }>(n, 'POST', `/stations/${stationId}/commands`, body);
    assert.equal(r.status, 202, JSON.stringify(r.body));
    return r.body.commandId;
  };
  const journal = async (n: Node, id: number): Promise<Cmd> => (await api<Cmd>(n, 'GET', `/commands/${id}`)).body;
  const presence = (stationId: string) => redis.get(`${redisPrefix.prefix}presence:${stationId}`);
  /** the raw client's next CALL of `action`, answered with `payload` (unless `answer` is false) */
  const answer = async (c: RawClient, action: string, payload: unknown): Promise<void> => {
    const frame = await c.next(20_000) as [number, string, string, unknown];
    assert.equal(frame[0], 2);
    assert.equal(frame[2], action);
    c.send(JSON.stringify([3, frame[1], payload]));
  };

  before(async () => {
    writeFileSync(secretFile, randomBytes(32).toString('base64'), { mode: 0o600 });
    db = await throwAwayDatabase();
    redis = new Redis(TEST_REDIS_URL);
    a = await node('a');
    b = await node('b');
    // the test signs in through the shared database, as any node would see the session
    store = await openStore({ databaseUrl: db.url, dataDir: dir, poolSize: 2 });
    repos = openRepositories(store.db);
    const user = await repos.users.create({ username: 'cluster-admin', roles: ['admin'], stationGroups: null, passwordHash: await hashPassword(randomBytes(12).toString('hex')) });
    await repos.users.update(user.id, { totpEnabled: true });
    const sessions = new SessionService(repos.apiSessions, repos.users, { idleMs: 3_600_000, absoluteMs: 3_600_000 });
    ({ token } = await sessions.create(user.id, { mfaPassed: true }));
  });

  after(async () => {
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await repos?.close();
    await store?.close();
    redis?.disconnect();
    await redisPrefix.cleanup();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a command through node B reaches a station on node A, and B\'s SSE clients see A\'s station events', async () => {
    const password = await register(b, 'CL-ROUTE');
    const sse = await SseClient.open(b.api, '/events?types=station.connected,command.answered', { token });
    try {
      const station = await RawClient.connect(`${a.ocppUrl}/CL-ROUTE`, { user: 'CL-ROUTE', password, protocols: ['ocpp1.6'] });
      await sse.waitFor('station.connected of CL-ROUTE on node B', (e) => e.event === 'station.connected' && e.data.data?.stationId === 'CL-ROUTE', 20_000);
      await until('presence of CL-ROUTE', async () => (await presence('CL-ROUTE')) !== null, 20_000);
      await until('node B reports CL-ROUTE connected', async () => (await api<{ connected: boolean }>(b, 'GET', '/stations/CL-ROUTE')).body.connected, 20_000);
      const id = await command(b, 'CL-ROUTE', { kind: 'clearCache' });
      await answer(station, 'ClearCache', { status: 'Accepted' });
      await until('the answer in the journal', async () => (await journal(b, id)).status === 'Accepted', 20_000);
      await sse.waitFor('command.answered on node B', (e) => e.event === 'command.answered' && e.data.data?.commandId === id, 20_000);
      station.close();
      await until('presence released on disconnect', async () => (await presence('CL-ROUTE')) === null, 20_000);
      await until('node B reports CL-ROUTE offline', async () => !(await api<{ connected: boolean }>(b, 'GET', '/stations/CL-ROUTE')).body.connected, 20_000);
      // with nobody holding the station the command fails at once, as on a single node
      const offline = await command(b, 'CL-ROUTE', { kind: 'clearCache' });
      await until('the offline failure', async () => (await journal(b, offline)).status === 'Failed', 20_000);
      assert.match((await journal(b, offline)).failure ?? '', /^Offline/);
    } finally {
      sse.close();
    }
  });

  it('a webhook subscribed on node B is served for a station on node A, by A alone (no double delivery)', async () => {
    const got: Array<{ type: string; data: { stationId?: string } }> = [];
    const rx = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => { got.push(JSON.parse(body) as (typeof got)[number]); res.writeHead(200).end(); });
    });
    await new Promise<void>((resolve) => rx.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(rx.address() as AddressInfo).port}/hook`;
      const sub = await api(b, 'POST', '/webhooks', { url, types: ['station.connected', 'station.disconnected'] });
      assert.equal(sub.status, 201, JSON.stringify(sub.body));
      const password = await register(b, 'CL-HOOK');
      const station = await RawClient.connect(`${a.ocppUrl}/CL-HOOK`, { user: 'CL-HOOK', password, protocols: ['ocpp1.6'] });
      const of = (type: string) => got.filter((g) => g.type === type && g.data.stationId === 'CL-HOOK');
      await until('the connected delivery (A learnt of the subscription made on B)', () => of('station.connected').length > 0, 20_000);
      await station.end();
      // the disconnect is delivered after the connect by the same node: by then a second copy of the
      // connect, from a node that heard the event over Redis, would have been posted as well
      await until('the disconnected delivery', () => of('station.disconnected').length > 0, 20_000);
      assert.equal(of('station.connected').length, 1, 'one delivery per event, not one per node');
      assert.equal(of('station.disconnected').length, 1);
    } finally {
      await new Promise<void>((resolve) => rx.close(() => resolve()));
    }
  });

  it('a station decommissioned through node B loses its socket on node A', async () => {
    const password = await register(b, 'CL-DEC');
    const station = await RawClient.connect(`${a.ocppUrl}/CL-DEC`, { user: 'CL-DEC', password, protocols: ['ocpp1.6'] });
    await until('presence of CL-DEC', async () => (await presence('CL-DEC')) !== null, 20_000);
    const r = await api(b, 'POST', '/stations/CL-DEC/decommission');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const closed = await Promise.race([station.closed, new Promise<undefined>((res) => setTimeout(() => res(undefined), 20_000).unref())]);
    assert.ok(closed, 'node A closed the socket');
    assert.equal(closed.code, 1008);
  });

  it('a station reconnecting to node B takes it over: A closes its stale socket and B keeps the presence', async () => {
    const password = await register(a, 'CL-MOVE');
    const first = await RawClient.connect(`${a.ocppUrl}/CL-MOVE`, { user: 'CL-MOVE', password, protocols: ['ocpp1.6'] });
    await until('presence on A', async () => (await presence('CL-MOVE')) !== null, 20_000);
    const onA = (await presence('CL-MOVE'))!;
    const second = await RawClient.connect(`${b.ocppUrl}/CL-MOVE`, { user: 'CL-MOVE', password, protocols: ['ocpp1.6'] });
    const closed = await Promise.race([first.closed, new Promise<undefined>((r) => setTimeout(() => r(undefined), 20_000).unref())]);
    assert.ok(closed, 'node A closed the stale socket');
    assert.equal(closed.code, 4000);
    assert.match(closed.reason, /another node/);
    const onB = (await presence('CL-MOVE'))!;
    const [nodeA, epochA] = onA.split(':');
    const [nodeB, epochB] = onB.split(':');
    assert.notEqual(nodeB, nodeA);
    assert.ok(Number(epochB) > Number(epochA), `epoch ${epochB} after ${epochA}`);
    // the old socket's close on A did not delete B's presence: a command through A reaches the station on B
    const id = await command(a, 'CL-MOVE', { kind: 'clearCache' });
    await answer(second, 'ClearCache', { status: 'Accepted' });
    await until('the answer in the journal', async () => (await journal(a, id)).status === 'Accepted', 20_000);
    assert.equal(await presence('CL-MOVE'), onB);
    second.close();
  });

  it('SIGKILL of a node: its in-flight command fails as moved/offline, its stations finish their sessions on another node, nothing acknowledged is lost', async () => {
    const c = await node('c');
    const idTag = 'CLUSTER-TAG-1';
    assert.equal((await api(c, 'POST', '/tokens', { idToken: idTag })).status, 201);
    // the in-flight command: a station on C that never answers
    const silentPassword = await register(c, 'CL-SILENT');
    const silent = await RawClient.connect(`${c.ocppUrl}/CL-SILENT`, { user: 'CL-SILENT', password: silentPassword, protocols: ['ocpp1.6'] });
    await until('presence of CL-SILENT', async () => (await presence('CL-SILENT')) !== null, 20_000);
    // which node id is B: a probe station connected to it directly says so
    const probe = await RawClient.connect(`${b.ocppUrl}/CL-PROBE`, { user: 'CL-PROBE', password: await register(b, 'CL-PROBE'), protocols: ['ocpp1.6'] });
    await until('presence of CL-PROBE', async () => (await presence('CL-PROBE')) !== null, 20_000);
    const nodeB = (await presence('CL-PROBE'))!.split(':')[0];
    // charging stations behind a load balancer that sends them to C, later to B
    const lb = await Balancer.start(c.ocppUrl);
    const path = new URL(c.ocppUrl).pathname;
    const sims: SimulatedStation[] = [];
    try {
      for (const id of ['CL-EV-1', 'CL-EV-2']) {
        const s = new SimulatedStation({ url: `${lb.url}${path}`, identity: id, password: await register(c, id), protocol: '1.6', connectors: 1, meterIntervalMs: 0, behaviour: { reconnect: true, rebootDelayMs: 200 } });
        sims.push(s);
        await s.connect();
        assert.equal((await s.boot()).status, 'Accepted');
      }
      const txns = await Promise.all(sims.map((s) => s.startSession({ connector: 1, idTag })));
      let energy = 0;
      const acked: number[] = [];
      for (let i = 0; i < 3; i++) {
        energy += 100;
        await Promise.all(sims.map((s, k) => s.sendMeterValues(txns[k]!, energy, 7000)));
        acked.push(energy);
      }
      const inflight = await command(b, 'CL-SILENT', { kind: 'clearCache' });
      const frame = await silent.next(20_000) as unknown[];
      assert.equal(frame[2], 'ClearCache', 'the command reached the station on C');
      lb.target = b.ocppUrl;
      c.child.kill('SIGKILL');
      await c.exited;
      await until('the in-flight command failed', async () => (await journal(b, inflight)).status === 'Failed', 30_000);
      assert.match((await journal(b, inflight)).failure ?? '', /^Offline.*moved\/offline/);
      // a new command to a station of the dead node fails fast too (its presence has not expired yet)
      const late = await command(b, 'CL-SILENT', { kind: 'clearCache' });
      await until('the late command failed', async () => (await journal(b, late)).status === 'Failed', 30_000);
      assert.match((await journal(b, late)).failure ?? '', /moved\/offline/);
      // the stations reconnect through the balancer to B (no new boot) and finish their sessions there
      await until('stations reconnected to B', async () => {
        if (!sims.every((s) => s.connected)) return false;
        const owners = await Promise.all(sims.map((s) => presence(s.identity)));
        return owners.every((o) => o?.split(':')[0] === nodeB);
      }, 40_000);
      for (let i = 0; i < 3; i++) {
        energy += 100;
        await Promise.all(sims.map((s, k) => s.sendMeterValues(txns[k]!, energy, 7000)));
        acked.push(energy);
      }
      await Promise.all(sims.map((s, k) => s.stopSession(txns[k]!)));
      for (const [k, s] of sims.entries()) {
        const rows = await store.db.selectFrom('transactions').selectAll().where('stationId', '=', s.identity).execute();
        assert.equal(rows.length, 1, `one transaction of ${s.identity}`);
        const t = rows[0]!;
        assert.equal(String(t.id), String(txns[k]));
        assert.equal(t.state, 'ended');
        assert.equal(t.meterStopWh, energy);
        const values = await store.db.selectFrom('meterValues').select(['sampledValue']).where('transactionId', '=', t.id).execute();
        const registers = values.map((v) => Number((v.sampledValue as Array<{ value: string; measurand?: string }>).find((x) => (x.measurand ?? 'Energy.Active.Import.Register') === 'Energy.Active.Import.Register')?.value));
        for (const wh of acked) assert.ok(registers.includes(wh), `${s.identity}: the acknowledged ${wh} Wh is stored (have ${registers.join(', ')})`);
      }
    } finally {
      await Promise.allSettled(sims.map((s) => s.close()));
      silent.close();
      probe.close();
      await lb.close();
    }
  });
});
