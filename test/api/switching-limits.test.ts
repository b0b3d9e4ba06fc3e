import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { MemoryRateLimiter } from '../../src/domain/identity/rate-limiter.js';
import { defaultSwitchingLimits, SwitchingLimits, switchingLimitTable } from '../../src/domain/identity/switching-limits.js';
import type { SimulatedStation } from '../../src/sim/station.js';
import { bootedStation } from '../conformance/helpers.js';
import { apiUser, call, type ApiUser } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

type Refusal = { code: string; message: string; details: { scope: string; limit: number; windowS: number; retryAfterS?: number } };

const limits = {
  support_l2: { perWindow: 2, windowS: 3600, maxBatch: 2 },
  dso: { perWindow: 3, windowS: 600, maxBatch: 3 },
};

describe('switching limits (AC2) over the API', () => {
  let p: TestPlatform;
  const sims: SimulatedStation[] = [];
  const send = (u: ApiUser, stationId: string, body: unknown) => call<Refusal & { commandId: number }>(p, 'POST', `/stations/${stationId}/commands`, { token: u.token, body });
  const batch = (u: ApiUser, stationIds: string[], command: unknown) => call<Refusal & { commandIds: number[] }>(p, 'POST', '/commands/batch', { token: u.token, body: { stationIds, command } });

  before(async () => {
    p = await startTestPlatform({ switchingLimits: JSON.stringify(limits) });
    for (const id of ['SW-1', 'SW-2', 'SW-3']) await p.addStation(id);
    for (const id of ['SIM-1', 'SIM-2', 'SIM-3']) sims.push(await bootedStation(p, id, '2.0.1'));
  });
  after(async () => {
    for (const s of sims) await s.close();
    await p.services.commands.settled();
    await p.stop();
  });

  it('refuses the switching command over the window with 429, the limit and Retry-After; records a security event and an audit failure', async () => {
    const l2 = await apiUser(p, ['support_l2']);
    assert.equal((await send(l2, 'SW-1', { kind: 'remoteStop', transactionRef: 'tx-1' })).status, 202);
    assert.equal((await send(l2, 'SW-2', { kind: 'reset', mode: 'soft' })).status, 202);
    const r = await send(l2, 'SW-3', { kind: 'changeAvailability', evseId: 1, available: false });
    assert.equal(r.status, 429);
    assert.equal(r.body.code, 'switching_limit');
    assert.equal(r.body.details.scope, 'window');
    assert.equal(r.body.details.limit, 2);
    assert.equal(r.body.details.windowS, 3600);
    const retryAfter = Number(r.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 3600, `Retry-After ${retryAfter}`);
    assert.equal(r.body.details.retryAfterS, retryAfter);
    // nothing was journalled for the refused command
    assert.equal((await p.services.commands.list('SW-3')).length, 0);

    const events = await p.repos.securityEvents.list({ stationId: 'SW-3', limit: 10 });
    const e = events.find((x) => x.type === 'SwitchingLimitExceeded');
    assert.ok(e, 'a security event');
    assert.equal(e.severity, 'warning');
    assert.ok(e.sourceIp);
    assert.deepEqual([e.details.principal, e.details.role, e.details.kind], [`user:${l2.userId}`, 'support_l2', 'changeAvailability']);

    const audit = await p.repos.audit.list({ limit: 1, offset: 0, actor: `user:${l2.userId}`, order: 'desc' });
    assert.equal(audit[0]?.result, 'failure');
    assert.equal((audit[0]?.details as { status?: number }).status, 429);
  });

  it('leaves non-switching commands and other principals alone', async () => {
    const a = await apiUser(p, ['support_l2']);
    const b = await apiUser(p, ['support_l2']);
    await send(a, 'SW-1', { kind: 'reset', mode: 'soft' });
    await send(a, 'SW-1', { kind: 'reset', mode: 'soft' });
    assert.equal((await send(a, 'SW-1', { kind: 'reset', mode: 'soft' })).status, 429);
    assert.equal((await send(a, 'SW-1', { kind: 'clearCache' })).status, 202, 'a trigger is no switching');
    assert.equal((await send(a, 'SW-1', { kind: 'unlockConnector', evseId: 1, connectorId: 1 })).status, 202, 'unlocking switches no load');
    assert.equal((await send(b, 'SW-1', { kind: 'reset', mode: 'soft' })).status, 202, 'the count is per principal');
  });

  it('limits the batch size, and counts a batch once per station', async () => {
    const l2 = await apiUser(p, ['support_l2']);
    const big = await batch(l2, ['SW-1', 'SW-2', 'SW-3'], { kind: 'reset', mode: 'hard' });
    assert.equal(big.status, 429);
    assert.equal(big.body.details.scope, 'batch');
    assert.equal(big.body.details.limit, 2);
    assert.equal(big.headers.get('retry-after'), null, 'waiting does not make a batch smaller');
    assert.equal((await batch(l2, ['SW-1', 'SW-2'], { kind: 'reset', mode: 'hard' })).status, 202);
    assert.equal((await send(l2, 'SW-3', { kind: 'reset', mode: 'hard' })).status, 429, 'the batch used both of the window\'s commands');
  });

  it('gives the DSO its own limits: a larger batch, its own window', async () => {
    const dso = await apiUser(p, ['dso']);
    const three = await batch(dso, ['SIM-1', 'SIM-2', 'SIM-3'], { kind: 'clearChargingProfile', purpose: 'TxDefault' });
    assert.equal(three.status, 202, 'a batch of 3 is within the DSO\'s limit (support_l2: 2)');
    assert.equal(three.body.commandIds.length, 3);
    const r = await call<Refusal>(p, 'POST', '/stations/SIM-1/charging-profiles', {
      token: dso.token,
      body: { evseId: 0, profile: { id: 3, stackLevel: 0, purpose: 'ChargingStationMax', kind: 'Absolute', schedules: [{ chargingRateUnit: 'W', startSchedule: new Date().toISOString(), periods: [{ startPeriod: 0, limit: 11000 }] }] } },
    });
    assert.equal(r.status, 429);
    assert.deepEqual([r.body.details.limit, r.body.details.windowS], [3, 600]);
    const e = (await p.repos.securityEvents.list({ stationId: 'SIM-1', limit: 10 })).find((x) => x.type === 'SwitchingLimitExceeded');
    assert.equal(e?.details.role, 'dso');
  });
});

describe('switching limits as data', () => {
  it('the DSO has limits of its own in the built-in table', () => {
    assert.notDeepEqual(defaultSwitchingLimits.dso, defaultSwitchingLimits.support_l2);
    assert.ok(defaultSwitchingLimits.dso.maxBatch > defaultSwitchingLimits.cpo_manager.maxBatch);
    assert.equal(defaultSwitchingLimits.support_l1.perWindow, 0);
  });

  it('OV2X_SWITCHING_LIMITS replaces the roles it names and keeps the rest', () => {
    const config = loadConfig({}, { OV2X_SWITCHING_LIMITS: '{"dso":{"perWindow":7,"windowS":70,"maxBatch":5}}' });
    const table = switchingLimitTable(config.switchingLimits);
    assert.deepEqual(table.dso, { perWindow: 7, windowS: 70, maxBatch: 5 });
    assert.deepEqual(table.admin, defaultSwitchingLimits.admin);
    assert.equal(switchingLimitTable(undefined), defaultSwitchingLimits);
  });

  it('refuses a bad override with the reason, so the platform does not start on it', () => {
    assert.throws(() => switchingLimitTable('{'), /not JSON/);
    assert.throws(() => switchingLimitTable('[]'), /object/);
    assert.throws(() => switchingLimitTable('{"mallory":{"perWindow":1,"windowS":1,"maxBatch":1}}'), /unknown role mallory/);
    assert.throws(() => switchingLimitTable('{"dso":{"perWindow":1,"windowS":0,"maxBatch":1}}'), /dso needs/);
    assert.throws(() => switchingLimitTable('{"dso":{"perWindow":1.5,"windowS":10,"maxBatch":1}}'), /dso needs/);
    assert.throws(() => switchingLimitTable('{"dso":{"perWindow":1,"windowS":10}}'), /dso needs/);
  });

  it('a principal with several roles gets the most generous of their limits', () => {
    const s = new SwitchingLimits(defaultSwitchingLimits, new MemoryRateLimiter());
    assert.equal(s.limitOf({ roles: ['support_l1', 'support_l2'] }).role, 'support_l2');
    assert.equal(s.limitOf({ roles: ['dso', 'support_l2'] }).role, 'dso');
    assert.equal(s.limitOf({ roles: ['billing_manager'] }).role, null);
  });
});

describe('in-memory sliding window', () => {
  it('frees units as they leave the window, and says when', async () => {
    let now = 1_000_000;
    const l = new MemoryRateLimiter(() => now);
    assert.deepEqual(await l.take('k', 2, 3, 60_000), { ok: true });
    now += 30_000;
    assert.deepEqual(await l.take('k', 1, 3, 60_000), { ok: true });
    assert.deepEqual(await l.take('k', 1, 3, 60_000), { ok: false, retryAfterMs: 30_000 });
    assert.deepEqual(await l.take('other', 3, 3, 60_000), { ok: true }, 'keys count apart');
    now += 30_000;
    // the first two left the window exactly now; a take of 2 fits, one more does not until the third leaves
    assert.deepEqual(await l.take('k', 2, 3, 60_000), { ok: true });
    assert.deepEqual(await l.take('k', 1, 3, 60_000), { ok: false, retryAfterMs: 30_000 });
    assert.deepEqual(await l.take('k', 4, 3, 60_000), { ok: false, retryAfterMs: 60_000 }, 'more than the limit never fits');
  });
});
