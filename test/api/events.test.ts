import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiUser, call, type ApiUser } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';
import { SseClient, type SseEvent } from '../helpers/sse.js';
import { until } from '../helpers/until.js';

type Frame = [number, string, string, Record<string, unknown>];

const stationOf = (e: SseEvent) => e.data.data?.stationId;

describe('GET /events (server-sent events)', () => {
  let p: TestPlatform;
  let siteA: ApiUser;
  let support: ApiUser;
  let admin: ApiUser;
  let emsp: ApiUser;
  const stations: RawClient[] = [];
  const streams: SseClient[] = [];
  const open = async (path: string, opts: Parameters<typeof SseClient.open>[2]) => {
    const s = await SseClient.open(p, path, opts);
    streams.push(s);
    return s;
  };
  const connect = async (id: string, password: string) => {
    const c = await RawClient.connect(`${p.ocppUrl}/${id}`, { user: id, password });
    stations.push(c);
    return c;
  };

  before(async () => {
    p = await startTestPlatform();
    await p.services.identity.stationGroups.create('site-a', 'Site A');
    await p.services.identity.stationGroups.create('site-b', 'Site B');
    siteA = await apiUser(p, ['cpo_manager'], { groups: ['site-a'] });
    support = await apiUser(p, ['support_l1']);
    admin = await apiUser(p, ['admin']);
    emsp = await apiUser(p, ['emsp_manager']);
  });
  after(async () => {
    for (const s of streams) s.close();
    for (const c of stations) c.close();
    await p.stop();
  });

  it('sends events of a station in scope and never those of a station outside it', async () => {
    const pwA = await p.addStation('EV-A');
    const pwB = await p.addStation('EV-B');
    await p.services.identity.stationGroups.assign('EV-A', 'site-a');
    await p.services.identity.stationGroups.assign('EV-B', 'site-b');
    const s = await open('/events', { token: siteA.token });
    // B first: had it been sent, it would arrive before A's (one ordered stream)
    const b = await connect('EV-B', pwB);
    await b.call('1', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    const a = await connect('EV-A', pwA);
    await a.call('1', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
    const status = await s.waitFor('connector.status of EV-A', (e) => e.event === 'connector.status');
    assert.equal(stationOf(status), 'EV-A');
    assert.equal(status.data.data?.status, 'Preparing');
    assert.equal(status.data.type, 'connector.status');
    assert.equal(status.data.id, Number(status.id));
    const connected = s.events.find((e) => e.event === 'station.connected');
    assert.equal(stationOf(connected!), 'EV-A');
    assert.deepEqual(s.events.filter((e) => stationOf(e) === 'EV-B'), []);
    // ids increase along the stream
    const ids = s.events.map((e) => Number(e.id));
    assert.deepEqual(ids, [...ids].sort((x, y) => x - y));
  });

  it('gives a role without security:read no security events, and one with it all of them', async () => {
    await p.addStation('EV-SEC');
    const noSec = await open('/events', { token: support.token });
    const withSec = await open('/events?types=security.event,command.answered', { token: admin.token });
    await p.services.security.record({ stationId: 'EV-SEC', type: 'InvalidFirmwareSignature', severity: 'high' });
    await p.services.security.record({ type: 'ApiLoginFailed', severity: 'warning' });
    // a later event support does see marks the point by which the security events would have arrived
    const rec = await p.services.commands.send('EV-SEC', { kind: 'clearCache' });
    await noSec.waitFor('the marker command', (e) => e.event === 'command.answered' && e.data.data?.commandId === rec.id);
    assert.deepEqual(noSec.events.filter((e) => e.event === 'security.event'), []);
    await withSec.waitFor('the marker command', (e) => e.event === 'command.answered' && e.data.data?.commandId === rec.id);
    assert.deepEqual(withSec.events.filter((e) => e.event === 'security.event').map((e) => e.data.data?.eventType), ['InvalidFirmwareSignature', 'ApiLoginFailed']);
    // asking for what one may not see is refused, not silently empty
    await assert.rejects(SseClient.open(p, '/events?types=security.event', { token: support.token }), (err: { status?: number }) => err.status === 403);
  });

  it('delivers a command result (answered) filtered by commandId', async () => {
    const pw = await p.addStation('EV-CMD');
    const c = await connect('EV-CMD', pw);
    const s = await open('/events?types=command.answered,command.progress', { token: support.token });
    const sending = p.services.commands.send('EV-CMD', { kind: 'clearCache' });
    const [, msgId, action] = (await c.next()) as Frame;
    assert.equal(action, 'ClearCache');
    c.send(JSON.stringify([3, msgId, { status: 'Accepted' }]));
    const rec = await sending;
    const answered = await s.waitFor('the answer', (e) => e.data.data?.commandId === rec.id);
    assert.equal(answered.event, 'command.answered');
    assert.deepEqual(answered.data.data, { stationId: 'EV-CMD', commandId: rec.id, kind: 'clearCache', status: 'Accepted' });
    // a stream for the first command alone (replayed) carries only its events
    await p.addStation('EV-CMD-2');
    const only = await open(`/events?commandId=${rec.id}`, { token: support.token, lastEventId: Number(answered.id) - 1 });
    await only.waitFor('the replayed answer', (e) => e.data.data?.commandId === rec.id);
    const second = await p.services.commands.send('EV-CMD-2', { kind: 'clearCache' });
    await s.waitFor('the second answer', (e) => e.data.data?.commandId === second.id);
    assert.ok(only.events.every((e) => e.data.data?.commandId === rec.id));
  });

  it('gives a stream opened after the command was answered that answer (commandId without Last-Event-ID)', async () => {
    await p.addStation('EV-LATE');
    const rec = await p.services.commands.send('EV-LATE', { kind: 'clearCache' });
    const late = await open(`/events?commandId=${rec.id}`, { token: support.token });
    const answered = await late.waitFor('the buffered answer', (e) => e.data.data?.commandId === rec.id);
    assert.equal(answered.data.data?.status, 'Failed');
    assert.equal(late.events.some((e) => e.event === 'gap'), false);
  });

  it('limits the streams one account holds at once', async () => {
    const u = await apiUser(p, ['support_l1']);
    const held: SseClient[] = [];
    for (let i = 0; i < 8; i++) held.push(await open('/events?types=station.booted', { token: u.token }));
    const refused = await call(p, 'GET', '/events', { token: u.token });
    assert.equal(refused.status, 429);
    assert.equal(refused.body.code, 'too_many_streams');
    held[0]!.close();
    await until('a stream slot to free up', async () => {
      const s = await SseClient.open(p, '/events?types=station.booted', { token: u.token }).catch(() => undefined);
      if (s) streams.push(s);
      return s !== undefined;
    });
  });

  it('replays what a client missed after Last-Event-ID, and says when the buffer no longer holds it', async () => {
    await p.addStation('EV-R');
    const first = await open('/events?stationId=EV-R', { token: admin.token });
    const r1 = await p.services.commands.send('EV-R', { kind: 'clearCache' });
    const e1 = await first.waitFor('the first answer', (e) => e.data.data?.commandId === r1.id);
    first.close();
    // while disconnected
    const r2 = await p.services.commands.send('EV-R', { kind: 'clearCache' });
    const r3 = await p.services.commands.send('EV-R', { kind: 'clearCache' });
    const again = await open('/events?stationId=EV-R', { token: admin.token, lastEventId: e1.id! });
    await again.waitFor('the third answer', (e) => e.data.data?.commandId === r3.id);
    assert.deepEqual(again.events.map((e) => e.data.data?.commandId), [r2.id, r3.id]);
    assert.equal(again.events.some((e) => e.event === 'gap'), false);
    const ancient = await open('/events?stationId=EV-R', { token: admin.token, lastEventId: 1 });
    const gap = await ancient.waitFor('the gap notice', (e) => e.event === 'gap');
    assert.equal(gap.id, undefined);
    assert.equal(gap.data.lastEventId, 1);
  });

  it('omits idTokens unless a caller with tokens:reveal asks for them, and audits that', async () => {
    const pw = await p.addStation('EV-TOK');
    const plain = await open('/events?types=token.authorized', { token: emsp.token });
    const revealed = await open('/events?types=token.authorized&reveal=true', { token: emsp.token });
    const c = await connect('EV-TOK', pw);
    await c.call('a', 'Authorize', { idTag: 'DRIVER-4711' });
    const hidden = await plain.waitFor('the authorization', (e) => e.event === 'token.authorized');
    assert.equal(hidden.data.data?.stationId, 'EV-TOK');
    assert.equal('idToken' in (hidden.data.data ?? {}), false);
    assert.doesNotMatch(JSON.stringify(hidden.data), /DRIVER-4711/);
    assert.equal(hidden.data.data?.token, await p.services.privacy.pseudonym('DRIVER-4711'), 'the one token pseudonym, as the token API and CDRs show it');
    const shown = await revealed.waitFor('the authorization', (e) => e.event === 'token.authorized');
    assert.equal(shown.data.data?.idToken, 'DRIVER-4711');
    const audit = await p.services.identity.audit.list({ limit: 10, offset: 0, action: 'events.reveal' });
    assert.equal(audit[0]?.actor, `user:${emsp.userId}`);
    // support may read transactions but not reveal
    await assert.rejects(SseClient.open(p, '/events?types=token.authorized&reveal=true', { token: support.token }), (err: { status?: number }) => err.status === 403);
  });

  it('refuses bad filters with a reason and callers without credentials', async () => {
    const unknown = await call(p, 'GET', '/events?types=station.exploded', { token: admin.token });
    assert.equal(unknown.status, 400);
    assert.match(String(unknown.body.message), /station\.exploded/);
    assert.equal((await call(p, 'GET', '/events?stationId=EV-B', { token: siteA.token })).status, 404);
    assert.equal((await call(p, 'GET', '/events?commandId=0', { token: admin.token })).status, 400);
    assert.equal((await call(p, 'GET', '/events', { headers: { 'last-event-id': 'abc' }, token: admin.token })).status, 400);
    assert.equal((await call(p, 'GET', '/events')).status, 401);
  });

  it('drops a client that falls too far behind instead of buffering for it', async () => {
    const s = await open('/events?types=security.event', { token: admin.token });
    await p.services.security.record({ type: 'Marker', severity: 'info' });
    await s.waitFor('the marker', (e) => e.data.data?.eventType === 'Marker');
    const listening = p.services.eventHub.listenerCount;
    // a burst larger than the per-client queue, in one step: the stream cannot keep up and is closed
    for (let i = 0; i < 1500; i++) p.services.events.emit({ type: 'security.event', eventType: 'Burst', severity: 'info', details: { i } });
    await s.endWithin('the slow client');
    assert.ok(p.services.eventHub.listenerCount < listening);
    assert.ok(s.events.filter((e) => e.data.data?.eventType === 'Burst').length < 1500);
  });

  it('ends open streams when the platform shuts down', async () => {
    const q = await startTestPlatform();
    const u = await apiUser(q, ['admin']);
    const s = await SseClient.open(q, '/events', { token: u.token });
    await q.stop();
    await s.endWithin('shutdown');
    // ended by the server (preClose), not cut off with the socket
    assert.equal(s.endedCleanly, true);
  });
});
