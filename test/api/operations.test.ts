// GET /dashboard and /transactions: figures and sessions within the caller's station scope, the
// meter curve of a session, parts hidden without their permission.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/log/logger.js';
import { SimulatedStation } from '../../src/sim/station.js';
import { apiUser, call, type ApiUser } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { until } from '../helpers/until.js';

interface Dashboard {
  stations: { total: number; online: number; offline: number; faulted: number };
  sessions: { active: number; startedToday: number; energyTodayWh: number; powerNowW: number } | null;
  hourly: Array<{ hour: string; started: number; energyWh: number }> | null;
  openAlerts: Record<string, number> | null;
}
interface Tx { id: number; stationId: string; state: string; energyWh: number | null }

describe('operations API: dashboard and sessions', () => {
  let p: TestPlatform;
  let admin: ApiUser;
  let siteA: ApiUser;
  const sims: SimulatedStation[] = [];

  before(async () => {
    p = await startTestPlatform();
    await p.services.identity.stationGroups.create('site-a', 'Site A');
    await p.repos.tokens.upsert({ idToken: 'TAG-OPS', status: 'Accepted' });
    for (const [id, group] of [['OPS-A', 'site-a'], ['OPS-B', null], ['OPS-C', null]] as const) {
      const password = await p.addStation(id);
      if (group) await p.services.identity.stationGroups.assign(id, group);
      if (id === 'OPS-C') continue; // registered, never connected: offline
      const s = new SimulatedStation({ url: p.ocppUrl, identity: id, password, protocol: '2.0.1', meterIntervalMs: 100, log: silentLogger });
      await s.connect();
      await s.boot();
      sims.push(s);
    }
    admin = await apiUser(p, ['admin']);
    siteA = await apiUser(p, ['cpo_manager'], { groups: ['site-a'] });
  });
  after(async () => {
    for (const s of sims) await s.close();
    await p.stop();
  });

  it('counts stations online and offline, an ended session\'s energy, and an active session with its power', async () => {
    const [a, b] = sims;
    const ended = await a!.runSession({ durationMs: 400, intervalMs: 100, idTag: 'TAG-OPS', powerW: 11_000, connector: 1 });
    await b!.startSession({ connector: 1, idTag: 'TAG-OPS', powerW: 7_400, intervalMs: 100 });
    await until('a power reading of the active session', async () => {
      const d = await call<Dashboard>(p, 'GET', '/dashboard', { token: admin.token });
      return (d.body.sessions?.powerNowW ?? 0) > 0;
    });
    const d = await call<Dashboard>(p, 'GET', '/dashboard', { token: admin.token });
    assert.equal(d.status, 200);
    assert.deepEqual(d.body.stations, { total: 3, online: 2, offline: 1, faulted: 0 });
    assert.equal(d.body.sessions?.active, 1);
    assert.equal(d.body.sessions?.startedToday, 2);
    assert.equal(d.body.sessions?.powerNowW, 7_400);
    assert.ok(ended.meterStopWh > ended.meterStartWh);
    assert.ok(d.body.sessions!.energyTodayWh >= ended.meterStopWh - ended.meterStartWh, 'the ended session\'s energy counts today');
    assert.equal(d.body.hourly?.reduce((n, h) => n + h.started, 0), 2);
    // the same open alerts the alerts API lists
    const open = await call<{ items: Array<{ severity: string }> }>(p, 'GET', '/security/alerts?status=open&limit=500', { token: admin.token });
    const bySeverity: Record<string, number> = { info: 0, warning: 0, high: 0, critical: 0 };
    for (const a of open.body.items) bySeverity[a.severity]! += 1;
    assert.deepEqual(d.body.openAlerts, bySeverity);
  });

  it('a caller scoped to one site sees only that site\'s stations and sessions', async () => {
    const d = await call<Dashboard>(p, 'GET', '/dashboard', { token: siteA.token });
    assert.deepEqual(d.body.stations, { total: 1, online: 1, offline: 0, faulted: 0 });
    assert.equal(d.body.sessions?.active, 0);
    const list = await call<{ items: Tx[]; total: number }>(p, 'GET', '/transactions', { token: siteA.token });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items.map((t) => t.stationId), ['OPS-A']);
    const all = await call<{ items: Tx[]; total: number }>(p, 'GET', '/transactions', { token: admin.token });
    assert.equal(all.body.total, 2);
    const foreign = all.body.items.find((t) => t.stationId === 'OPS-B')!;
    assert.equal((await call(p, 'GET', `/transactions/${foreign.id}`, { token: siteA.token })).status, 404, 'another site\'s session does not exist for this caller');
  });

  it('filters sessions by state and station, and shows one with its meter curve', async () => {
    const active = await call<{ items: Tx[] }>(p, 'GET', '/transactions?state=active', { token: admin.token });
    assert.deepEqual(active.body.items.map((t) => t.stationId), ['OPS-B']);
    const ofA = await call<{ items: Tx[] }>(p, 'GET', '/transactions?stationId=OPS-A', { token: admin.token });
    assert.equal(ofA.body.items.length, 1);
    assert.equal(ofA.body.items[0]!.state, 'ended');
    const one = await call<Tx & { meterValues: Array<{ energyWh: number | null; powerW: number | null }>; energySoFarWh: number }>(p, 'GET', `/transactions/${ofA.body.items[0]!.id}`, { token: admin.token });
    assert.equal(one.status, 200);
    assert.ok(one.body.meterValues.length >= 2, 'readings');
    assert.ok(one.body.meterValues.some((m) => m.powerW === 11_000), 'the charging power');
    const energies = one.body.meterValues.map((m) => m.energyWh).filter((e): e is number => e !== null);
    assert.ok(energies.length >= 2 && energies.at(-1)! > energies[0]!, 'the register rises');
    assert.equal(one.body.energySoFarWh, one.body.energyWh);
    assert.equal((one.body as unknown as Record<string, unknown>).idToken, undefined, 'no driver token');
  });

  it('hides what the role may not see and refuses bad input', async () => {
    const dso = await apiUser(p, ['dso']);
    const d = await call<Dashboard>(p, 'GET', '/dashboard', { token: dso.token });
    assert.equal(d.status, 200);
    assert.equal(d.body.sessions, null);
    assert.equal(d.body.hourly, null);
    assert.equal(d.body.openAlerts, null);
    assert.equal((await call(p, 'GET', '/transactions', { token: dso.token })).status, 403);
    const customer = await apiUser(p, ['customer']);
    assert.equal((await call(p, 'GET', '/dashboard', { token: customer.token })).status, 403);
    assert.equal((await call(p, 'GET', '/transactions?state=nope', { token: admin.token })).status, 400);
    assert.equal((await call(p, 'GET', '/transactions/abc', { token: admin.token })).status, 400);
    assert.equal((await call(p, 'GET', '/transactions/999999', { token: admin.token })).status, 404);
  });

  it('GET /connectors gives the connector states of the stations named, within scope', async () => {
    let states: Array<{ stationId: string; evseId: number; connectorId: number; status: string }> = [];
    await until('connector states of both connected stations', async () => {
      const r = await call<{ items: typeof states }>(p, 'GET', '/connectors?stationIds=OPS-A,OPS-B,OPS-C,NOPE', { token: admin.token });
      states = r.body.items;
      return new Set(states.map((s) => s.stationId)).size === 2;
    });
    assert.deepEqual([...new Set(states.map((s) => s.stationId))], ['OPS-A', 'OPS-B'], 'never-connected and unknown stations have none');
    assert.ok(states.some((s) => s.stationId === 'OPS-B' && s.evseId === 1 && s.status === 'Occupied'), 'the active session\'s connector is occupied');
    const scoped = await call<{ items: typeof states }>(p, 'GET', '/connectors?stationIds=OPS-A,OPS-B', { token: siteA.token });
    assert.deepEqual([...new Set(scoped.body.items.map((s) => s.stationId))], ['OPS-A']);
    assert.equal((await call(p, 'GET', '/connectors', { token: admin.token })).status, 400);
    // a faulted connector makes its station count as faulted on the dashboard
    await sims[0]!.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Faulted', evseId: 1, connectorId: 1 });
    await until('the faulted station', async () => (await call<Dashboard>(p, 'GET', '/dashboard', { token: admin.token })).body.stations.faulted === 1);
    assert.equal((await call<Dashboard>(p, 'GET', '/dashboard', { token: siteA.token })).body.stations.faulted, 1);
    const many = Array.from({ length: 101 }, (_, i) => `S${i}`).join(',');
    assert.equal((await call(p, 'GET', `/connectors?stationIds=${many}`, { token: admin.token })).status, 400);
  });
});
