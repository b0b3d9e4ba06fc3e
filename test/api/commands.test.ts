import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { commandSchemas } from '../../src/api/routes/commands/schemas.js';
import { answerNext, callOk, type CallFrame, rawStation, until } from '../conformance/helpers.js';
import { apiUser, call, type ApiUser } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import type { RawClient } from '../helpers/raw-client.js';

type Cmd = { id: number; stationId: string; kind: string; status: string; failure: string | null; response: Record<string, unknown> | null; command: Record<string, unknown>; updates: unknown[] };
type Err = { code: string; message: string; details?: Record<string, unknown> };

const profile = {
  id: 7, stackLevel: 1, purpose: 'TxDefault', kind: 'Absolute',
  schedules: [{ chargingRateUnit: 'A', startSchedule: new Date().toISOString(), periods: [{ startPeriod: 0, limit: 16 }] }],
};

describe('station commands over the REST API', () => {
  let p: TestPlatform;
  let station: RawClient;
  let admin: ApiUser;
  const get = (id: number, u = admin) => call<Cmd>(p, 'GET', `/commands/${id}`, { token: u.token });
  const send = (u: ApiUser, stationId: string, body: unknown) => call<{ commandId: number } & Err>(p, 'POST', `/stations/${stationId}/commands`, { token: u.token, body });

  before(async () => {
    p = await startTestPlatform();
    admin = await apiUser(p, ['cpo_manager']);
    station = await rawStation(p, 'API-1', 'ocpp2.0.1');
    await callOk(station, 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
    await p.addStation('API-OFF');
    await p.services.identity.stationGroups.create('north', 'North');
    await p.services.identity.stationGroups.create('south', 'South');
    await p.addStation('N-1');
    await p.addStation('N-2');
    await p.addStation('S-1');
    await p.services.identity.stationGroups.assign('N-1', 'north');
    await p.services.identity.stationGroups.assign('N-2', 'north');
    await p.services.identity.stationGroups.assign('S-1', 'south');
  });
  after(async () => {
    station.close();
    await p.services.commands.settled();
    await p.stop();
  });

  it('answers 202 with a command id before the station has answered; the journal shows the answer later', async () => {
    const r = await send(admin, 'API-1', { kind: 'remoteStart', idToken: 'TOKEN1', evseId: 1 });
    assert.equal(r.status, 202);
    assert.equal(typeof r.body.commandId, 'number');
    // the station has not answered yet (it has not even been read): the HTTP answer did not wait for it
    const pending = await get(r.body.commandId);
    assert.equal(pending.status, 200);
    assert.equal(pending.body.status, 'Pending');
    assert.equal(pending.body.kind, 'remoteStart');
    const [, , action, payload] = await answerNext(station, () => ({ status: 'Accepted' }));
    assert.equal(action, 'RequestStartTransaction');
    assert.equal((payload.idToken as { idToken: string }).idToken, 'TOKEN1');
    await until('the answer in the journal', async () => (await get(r.body.commandId)).body.status === 'Accepted');
    const done = await get(r.body.commandId);
    assert.deepEqual(done.body.response, { status: 'Accepted' });
    assert.equal(done.body.command.remoteStartId, payload.remoteStartId, 'the journal keeps the id the station was given');
  });

  it('records a command to an offline station as a failure in the journal', async () => {
    const r = await send(admin, 'API-OFF', { kind: 'clearCache' });
    assert.equal(r.status, 202);
    await until('the failure', async () => (await get(r.body.commandId)).body.status === 'Failed');
    assert.match((await get(r.body.commandId)).body.failure ?? '', /^Offline/);
  });

  it('lists a station\'s commands, newest first, filtered by kind', async () => {
    const r = await call<{ items: Cmd[]; limit: number }>(p, 'GET', '/stations/API-1/commands?kind=remoteStart&limit=5', { token: admin.token });
    assert.equal(r.status, 200);
    assert.ok(r.body.items.length >= 1);
    assert.ok(r.body.items.every((c) => c.kind === 'remoteStart' && c.stationId === 'API-1'));
    const all = await call<{ items: Cmd[] }>(p, 'GET', '/stations/API-1/commands', { token: admin.token });
    const ids = all.body.items.map((c) => c.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
  });

  it('refuses a malformed command, an unknown kind and unknown fields with 400, sending nothing', async () => {
    const before = (await p.services.commands.list('API-1')).length;
    for (const body of [{ kind: 'reset' }, { kind: 'selfDestruct' }, { kind: 'clearCache', extra: 1 }, { kind: 'reset', mode: 'hard', evseId: '1' }, {}]) {
      const r = await send(admin, 'API-1', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.code, 'invalid_request');
    }
    assert.equal((await p.services.commands.list('API-1')).length, before);
  });

  it('sends a command the station gets whole: nested objects survive validation', async () => {
    const r = await send(admin, 'API-1', { kind: 'setChargingProfile', evseId: 1, profile });
    assert.equal(r.status, 202);
    const [, , action, payload] = await answerNext(station, () => ({ status: 'Accepted' }));
    assert.equal(action, 'SetChargingProfile');
    assert.equal((payload.chargingProfile as { id: number }).id, 7);
    // through the smart-charging service: the accepted profile is stored as the station holds it
    await until('the stored profile', async () => (await p.services.smartCharging.profiles('API-1', { status: 'active' })).some((s) => s.profile.id === 7));
  });

  it('refuses kinds the platform must keep track of on the generic route, naming the route to use', async () => {
    const r = await send(admin, 'API-1', { kind: 'changeConfiguration', key: 'AuthorizationKey', value: 'secret-secret-secret' });
    assert.equal(r.status, 422);
    assert.equal(r.body.code, 'use_dedicated_route');
    assert.match(String(r.body.details?.route), /password-rotation/);
    assert.doesNotMatch(JSON.stringify(r.body), /secret-secret/);
    const res = await send(admin, 'API-1', { kind: 'reserveNow', idToken: 'T', expiresAt: new Date(Date.now() + 60_000).toISOString() });
    assert.equal(res.status, 422);
  });

  describe('background completion', () => {
    it('an operation that fails after journalling its first command leaves the failure in the journal, not as an unhandled rejection', async () => {
      const launched = await p.services.commands.launch(async () => {
        await p.services.commands.send('API-OFF', { kind: 'clearCache' });
        throw new Error('boom after sending');
      });
      assert.equal(typeof launched.commandId, 'number');
      await p.services.commands.settled();
      const rec = await get(launched.commandId!);
      assert.equal(rec.body.status, 'Failed');
      assert.deepEqual(rec.body.updates.map((u) => (u as { status: string }).status), ['Failed']);
      assert.match(JSON.stringify(rec.body.updates), /boom after sending/);
    });

    it('an operation refused before sending rejects; one that sends nothing resolves with its result', async () => {
      await assert.rejects(p.services.commands.launch(async () => { throw new RangeError('refused'); }), /refused/);
      assert.deepEqual(await p.services.commands.launch(async () => 'nothing to do'), { result: 'nothing to do' });
    });

    it('a submitted command whose send fails inside the platform is answered Failed in the journal', async () => {
      const row = await p.services.commands.submit('API-OFF', { kind: 'clearCache' });
      assert.equal(row.status, 'Pending');
      await p.services.commands.settled();
      assert.equal((await get(row.id)).body.status, 'Failed');
    });
  });

  it('documents the command body in the OpenAPI document as a union over kind', async () => {
    const doc = await call<{ paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { oneOf?: unknown[]; discriminator?: unknown } }> } }>> }>(p, 'GET', '/openapi.json');
    const body = doc.body.paths['/api/v1/stations/{stationId}/commands']?.post?.requestBody?.content['application/json']?.schema;
    assert.equal(body?.oneOf?.length, Object.keys(commandSchemas).length);
    assert.deepEqual(body?.discriminator, { propertyName: 'kind' });
    for (const path of ['/api/v1/commands/batch', '/api/v1/commands/{id}', '/api/v1/stations/{stationId}/password-rotation', '/api/v1/stations/{stationId}/charging-profiles']) assert.ok(doc.body.paths[path], path);
  });

  describe('permission per command kind', () => {
    it('support_l1 may not reset: 403 naming the permission', async () => {
      const l1 = await apiUser(p, ['support_l1']);
      const r = await send(l1, 'API-OFF', { kind: 'reset', mode: 'soft' });
      assert.equal(r.status, 403);
      assert.equal(r.body.details?.permission, 'stations:switch');
    });

    it('support_l2 may reset and trigger but not change configuration', async () => {
      const l2 = await apiUser(p, ['support_l2']);
      assert.equal((await send(l2, 'API-OFF', { kind: 'reset', mode: 'soft' })).status, 202);
      assert.equal((await send(l2, 'API-OFF', { kind: 'triggerMessage', message: 'Heartbeat' })).status, 202);
      const r = await send(l2, 'API-OFF', { kind: 'setMonitoringLevel', severity: 3 });
      assert.equal(r.status, 403);
      assert.equal(r.body.details?.permission, 'stations:configure');
    });

    it('the DSO may set a charging profile but not start a charge', async () => {
      const dso = await apiUser(p, ['dso']);
      const max = { ...profile, id: 8, purpose: 'ChargingStationMax' };
      const viaRoute = await call<{ commandId: number }>(p, 'POST', '/stations/API-1/charging-profiles', { token: dso.token, body: { evseId: 0, profile: max } });
      assert.equal(viaRoute.status, 202);
      assert.equal((await answerNext(station, () => ({ status: 'Accepted' })))[2], 'SetChargingProfile');
      assert.equal((await get(viaRoute.body.commandId, dso)).body.kind, 'setChargingProfile');
      const generic = await send(dso, 'API-1', { kind: 'setChargingProfile', evseId: 0, profile: max });
      assert.equal(generic.status, 202);
      await answerNext(station, () => ({ status: 'Accepted' }));
      const start = await send(dso, 'API-OFF', { kind: 'remoteStart', idToken: 'T' });
      assert.equal(start.status, 403);
      assert.equal(start.body.details?.permission, 'stations:switch');
      const audit = await p.repos.audit.list({ limit: 5, offset: 0, actor: `user:${dso.userId}`, order: 'desc' });
      assert.equal(audit[0]?.result, 'denied');
    });

    it('a billing manager reaches no command route at all', async () => {
      const billing = await apiUser(p, ['billing_manager']);
      assert.equal((await send(billing, 'API-OFF', { kind: 'clearCache' })).status, 403);
    });
  });

  describe('scope', () => {
    it('a station of another group does not exist for the caller: command, journal entry and list', async () => {
      const north = await apiUser(p, ['cpo_manager'], { groups: ['north'] });
      assert.equal((await send(north, 'N-1', { kind: 'clearCache' })).status, 202);
      const r = await send(north, 'S-1', { kind: 'clearCache' });
      assert.equal(r.status, 404);
      const southCommand = await send(admin, 'S-1', { kind: 'clearCache' });
      assert.equal((await get(southCommand.body.commandId, north)).status, 404);
      assert.equal((await call(p, 'GET', '/stations/S-1/commands', { token: north.token })).status, 404);
      // an unknown command id answers the same
      assert.equal((await get(99_999_999, north)).status, 404);
    });
  });

  describe('batch', () => {
    it('sends one command to every station, one journal row each', async () => {
      const r = await call<{ commandIds: number[] }>(p, 'POST', '/commands/batch', { token: admin.token, body: { stationIds: ['N-1', 'N-2', 'API-OFF'], command: { kind: 'clearCache' } } });
      assert.equal(r.status, 202);
      assert.equal(r.body.commandIds.length, 3);
      const rows = await Promise.all(r.body.commandIds.map((id) => get(id)));
      assert.deepEqual(rows.map((x) => x.body.stationId), ['N-1', 'N-2', 'API-OFF']);
      assert.ok(rows.every((x) => x.body.kind === 'clearCache'));
    });

    it('refuses the whole batch with 404 when one station is out of scope, sending nothing', async () => {
      const north = await apiUser(p, ['cpo_manager'], { groups: ['north'] });
      const before = (await p.services.commands.list('N-2')).length;
      const r = await call(p, 'POST', '/commands/batch', { token: north.token, body: { stationIds: ['N-2', 'S-1'], command: { kind: 'clearCache' } } });
      assert.equal(r.status, 404);
      const unknown = await call(p, 'POST', '/commands/batch', { token: north.token, body: { stationIds: ['N-2', 'NOPE'], command: { kind: 'clearCache' } } });
      assert.equal(unknown.status, 404);
      assert.equal((await p.services.commands.list('N-2')).length, before);
    });

    it('reports the stations a service refused, and sends to the others', async () => {
      const max = { ...profile, id: 9, stackLevel: 2, purpose: 'ChargingStationMax' };
      const sending = call<{ commandIds: Array<number | null>; refused: Array<{ stationId: string; code: string }> }>(p, 'POST', '/commands/batch', { token: admin.token, body: { stationIds: ['API-1', 'API-OFF'], command: { kind: 'setChargingProfile', evseId: 0, profile: max } } });
      // API-OFF never booted: its OCPP version is unknown, so the profile cannot be checked and is not sent
      const [r] = await Promise.all([sending, answerNext(station, () => ({ status: 'Accepted' }))]);
      assert.equal(r.status, 202);
      assert.equal(typeof r.body.commandIds[0], 'number');
      assert.equal(r.body.commandIds[1], null);
      assert.deepEqual(r.body.refused.map((x) => [x.stationId, x.code]), [['API-OFF', 'invalid_charging_profile']]);
    });

    it('checks the kind\'s permission for a batch too', async () => {
      const dso = await apiUser(p, ['dso']);
      const r = await call<Err>(p, 'POST', '/commands/batch', { token: dso.token, body: { stationIds: ['N-1'], command: { kind: 'reset', mode: 'hard' } } });
      assert.equal(r.status, 403);
      assert.equal(r.body.details?.permission, 'stations:switch');
    });
  });

  describe('operations a domain service drives', () => {
    it('a password rotation of a profile-1 station is refused with 409, before anything is sent', async () => {
      const r = await call<Err>(p, 'POST', '/stations/API-1/password-rotation', { token: admin.token });
      assert.equal(r.status, 409);
      assert.equal(r.body.code, 'rotation_refused');
    });

    it('a firmware update of an unknown image is a 422', async () => {
      const r = await call<Err>(p, 'POST', '/stations/API-1/firmware-update', { token: admin.token, body: { firmwareId: 424242 } });
      assert.equal(r.status, 422);
    });

    it('an invalid charging profile is refused with the reason', async () => {
      const bad = { ...profile, purpose: 'Tx' };
      const r = await call<Err>(p, 'POST', '/stations/API-1/charging-profiles', { token: admin.token, body: { evseId: 1, profile: bad } });
      assert.equal(r.status, 422);
      assert.equal(r.body.code, 'invalid_charging_profile');
    });

    it('a reservation answers 202 at once; the station\'s answer moves it on', async () => {
      const r = await call<{ commandId: number }>(p, 'POST', '/stations/API-1/reservations', { token: admin.token, body: { idToken: 'RES1', expiresAt: new Date(Date.now() + 3_600_000).toISOString(), evseId: 1 } });
      assert.equal(r.status, 202);
      assert.equal((await get(r.body.commandId)).body.status, 'Pending');
      const [, , action, payload] = await answerNext(station, () => ({ status: 'Accepted' }));
      assert.equal(action, 'ReserveNow');
      await until('the answer', async () => (await get(r.body.commandId)).body.status === 'Accepted');
      const reservation = await p.services.reservations.get('API-1', payload.id as number);
      assert.equal(reservation?.status, 'Accepted');
    });

    it('a firmware publish of an unknown image is refused before anything is sent', async () => {
      const r = await call<Err>(p, 'POST', '/stations/API-1/firmware-publish', { token: admin.token, body: { firmwareId: 4242 } });
      assert.equal(r.status, 422);
      assert.equal((await call<Err>(p, 'DELETE', '/stations/API-1/firmware-publish/4242', { token: admin.token })).status, 422);
    });

    it('a log upload is journalled with its upload URL hidden', async () => {
      const r = await call<{ commandId: number }>(p, 'POST', '/stations/API-1/log-upload', { token: admin.token, body: { logType: 'security' } });
      assert.equal(r.status, 202);
      const [frame] = await Promise.all([answerNext(station, () => ({ status: 'Accepted' }))]) as [CallFrame];
      assert.equal(frame[2], 'GetLog');
      await until('the answer', async () => (await get(r.body.commandId)).body.status === 'Accepted');
      const rec = (await get(r.body.commandId)).body;
      assert.match(String(rec.command.location), /REDACTED/);
    });

    it('a local list sync answers with the command id of the SendLocalList', async () => {
      const r = await call<{ commandId: number }>(p, 'POST', '/stations/API-1/local-list-sync', { token: admin.token, body: {} });
      assert.equal(r.status, 202);
      const [, , action] = await answerNext(station, () => ({ status: 'Accepted' }));
      assert.equal(action, 'SendLocalList');
      await until('the answer', async () => (await get(r.body.commandId)).body.status === 'Accepted');
    });
  });
});
