import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { apiUser, call, type ApiUser } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { until } from '../helpers/until.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on loopback: records every request and answers with the next status scripted for its path (200 when none). */
class Receiver {
  readonly got: Received[] = [];
  readonly script = new Map<string, number[]>();
  private constructor(private readonly server: Server) {}
  static async start(): Promise<Receiver> {
    const server = createServer();
    const r = new Receiver(server);
    server.on('request', (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        r.got.push({ path: req.url ?? '', headers: req.headers, body });
        res.writeHead(r.script.get(req.url ?? '')?.shift() ?? 200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return r;
  }
  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }
  at(path: string): Received[] {
    return this.got.filter((g) => g.path === path);
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The receiver's check, written out here rather than borrowed from the code under test. */
function signatureValid(secret: string, r: Received): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(r.headers['x-ov2x-signature']));
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${r.body}`).digest('hex');
  return expected === m[2] && Math.abs(Date.now() / 1000 - Number(m[1])) < 300;
}

type WebhookAnswer = { webhook: { id: string; url: string; types: string[]; delivery: Record<string, unknown> }; secret?: string };

describe('webhooks', () => {
  let p: TestPlatform;
  let rx: Receiver;
  let admin: ApiUser;
  let siteA: ApiUser;
  let support: ApiUser;
  const subscribe = (u: ApiUser, body: Record<string, unknown>) => call<WebhookAnswer>(p, 'POST', '/webhooks', { token: u.token, body });

  before(async () => {
    p = await startTestPlatform({ webhookAllowPrivate: true, webhookRetryBase: 20, webhookMaxAttempts: 3 });
    rx = await Receiver.start();
    await p.services.identity.stationGroups.create('site-a', 'Site A');
    await p.services.identity.stationGroups.create('site-b', 'Site B');
    for (const [id, group] of [['WH-A', 'site-a'], ['WH-B', 'site-b']] as const) {
      await p.addStation(id);
      await p.services.identity.stationGroups.assign(id, group);
    }
    admin = await apiUser(p, ['admin']);
    siteA = await apiUser(p, ['cpo_manager'], { groups: ['site-a'] });
    support = await apiUser(p, ['support_l1']);
  });
  after(async () => {
    await p.stop();
    await rx.close();
  });

  it('delivers a command result signed with the generated secret, which is shown once and stored sealed', async () => {
    const created = await subscribe(siteA, { url: rx.url('/signed'), types: ['command.answered'] });
    assert.equal(created.status, 201);
    const secret = created.body.secret!;
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    const listed = await call<{ items: unknown[] }>(p, 'GET', '/webhooks', { token: siteA.token });
    assert.equal(listed.body.items.length, 1);
    assert.doesNotMatch(JSON.stringify(listed.body), /whsec_/);
    const row = await p.repos.webhooks.get(created.body.webhook.id);
    assert.ok(row && !row.secretSealed.includes(secret) && row.secretSealed.startsWith('v1.'));

    const rec = await p.services.commands.send('WH-A', { kind: 'clearCache' });
    await until('the delivery', () => rx.at('/signed').length > 0);
    const [d] = rx.at('/signed');
    assert.ok(signatureValid(secret, d!), 'the HMAC verifies with the secret');
    assert.equal(signatureValid('whsec_other', d!), false);
    assert.equal(d!.headers['x-ov2x-event'], 'command.answered');
    assert.match(String(d!.headers['x-ov2x-delivery']), /^[0-9a-f-]{36}$/);
    assert.equal(d!.headers['content-type'], 'application/json');
    const body = JSON.parse(d!.body) as { id: number; type: string; time: string; data: Record<string, unknown> };
    assert.equal(body.type, 'command.answered');
    assert.deepEqual(body.data, { stationId: 'WH-A', commandId: rec.id, kind: 'clearCache', status: 'Failed' });
    await until('the recorded success', async () => (await p.repos.webhooks.get(created.body.webhook.id))?.delivered === 1);
  });

  it('revoking an API key removes the webhook subscriptions it made', async () => {
    const made = await call<{ key: { id: number }; secret: string }>(p, 'POST', '/api-keys', { token: admin.token, body: { name: 'ems-hooks', role: 'ems', expiresInDays: 1 } });
    assert.equal(made.status, 201);
    const sub = await call<WebhookAnswer>(p, 'POST', '/webhooks', { token: made.body.secret, body: { url: rx.url('/by-key'), types: ['connector.status'] } });
    assert.equal(sub.status, 201);
    assert.ok(await p.repos.webhooks.get(sub.body.webhook.id));
    assert.equal((await call(p, 'DELETE', `/api-keys/${made.body.key.id}`, { token: admin.token })).status, 204);
    assert.equal(await p.repos.webhooks.get(sub.body.webhook.id), undefined);
  });

  it('keeps a caller-given secret to itself and signs with it', async () => {
    const secret = 'a-secret-the-receiver-chose-0123456789';
    const created = await subscribe(admin, { url: rx.url('/own-secret'), types: ['security.event'], secret });
    assert.equal(created.status, 201);
    assert.equal(created.body.secret, undefined);
    assert.doesNotMatch(JSON.stringify(created.body), /receiver-chose/);
    await p.services.security.record({ type: 'WebhookProbe', severity: 'info' });
    await until('the delivery', () => rx.at('/own-secret').length > 0);
    assert.ok(signatureValid(secret, rx.at('/own-secret')[0]!));
  });

  it('retries a delivery answered 500 with the same delivery id, and records the outcome', async () => {
    const created = await subscribe(admin, { url: rx.url('/flaky'), types: ['command.answered'] });
    rx.script.set('/flaky', [500]);
    await p.services.commands.send('WH-B', { kind: 'clearCache' });
    await until('the retry', () => rx.at('/flaky').length === 2);
    const [first, second] = rx.at('/flaky');
    assert.equal(first!.headers['x-ov2x-delivery'], second!.headers['x-ov2x-delivery']);
    assert.equal(first!.body, second!.body);
    assert.ok(signatureValid(created.body.secret!, second!));
    await until('the recorded success', async () => (await p.repos.webhooks.get(created.body.webhook.id))?.delivered === 1);
    const shown = await call<WebhookAnswer['webhook']>(p, 'GET', `/webhooks/${created.body.webhook.id}`, { token: admin.token });
    assert.equal(shown.body.delivery.lastStatus, 200);
    assert.equal(shown.body.delivery.consecutiveFailures, 0);
    assert.equal(shown.body.delivery.failed, 0);
  });

  it('gives a delivery up after the last attempt, and does not retry what the receiver refuses (4xx)', async () => {
    const down = await subscribe(admin, { url: rx.url('/down'), types: ['station.booted'] });
    rx.script.set('/down', [503, 503, 503]);
    p.services.events.emit({ type: 'station.booted', stationId: 'WH-A', boot: { vendor: 'V', model: 'M' } as never, registrationStatus: 'Accepted' });
    await until('the give-up', async () => (await p.repos.webhooks.get(down.body.webhook.id))?.failed === 1);
    assert.equal(rx.at('/down').length, 3);
    const row = await p.repos.webhooks.get(down.body.webhook.id);
    assert.equal(row?.lastStatus, 503);
    assert.equal(row?.consecutiveFailures, 3);

    const gone = await subscribe(admin, { url: rx.url('/gone'), types: ['station.disconnected'] });
    rx.script.set('/gone', [410]);
    p.services.events.emit({ type: 'station.disconnected', stationId: 'WH-A', code: 1000 });
    await until('the give-up', async () => (await p.repos.webhooks.get(gone.body.webhook.id))?.failed === 1);
    assert.equal(rx.at('/gone').length, 1);
  });

  it('delivers only what the subscribing principal may see', async () => {
    await subscribe(siteA, { url: rx.url('/scoped'), types: ['command.answered', 'security.event'] });
    // B first: had it been delivered, it would come before A's (one ordered queue)
    const b = await p.services.commands.send('WH-B', { kind: 'clearCache' });
    await p.services.security.record({ type: 'PlatformWide', severity: 'warning' });
    const a = await p.services.commands.send('WH-A', { kind: 'clearCache' });
    await until('the in-scope delivery', () => rx.at('/scoped').some((r) => r.body.includes(`"commandId":${a.id}`)));
    const bodies = rx.at('/scoped').map((r) => JSON.parse(r.body) as { type: string; data: { stationId?: string; commandId?: number } });
    assert.deepEqual(bodies.map((x) => [x.type, x.data.stationId]), [['command.answered', 'WH-A']]);
    assert.ok(!bodies.some((x) => x.data.commandId === b.id));
    // a type the caller may not see cannot be subscribed to at all
    const refused = await subscribe(support, { url: rx.url('/nope'), types: ['security.event'] });
    assert.equal(refused.status, 403);
    assert.deepEqual((refused.body as unknown as { details: unknown }).details, { types: ['security.event'] });
  });

  it('keeps subscriptions to their owner; an administrator sees and removes all', async () => {
    const own = await subscribe(support, { url: rx.url('/owned'), types: ['connector.status'] });
    const id = own.body.webhook.id;
    assert.equal((await call(p, 'GET', `/webhooks/${id}`, { token: siteA.token })).status, 404);
    assert.equal((await call(p, 'DELETE', `/webhooks/${id}`, { token: siteA.token })).status, 404);
    assert.equal((await call(p, 'GET', '/webhooks?all=true', { token: siteA.token })).status, 403);
    const all = await call<{ items: Array<{ id: string }> }>(p, 'GET', '/webhooks?all=true', { token: admin.token });
    assert.ok(all.body.items.some((w) => w.id === id));
    assert.equal((await call(p, 'DELETE', `/webhooks/${id}`, { token: admin.token })).status, 204);
    assert.equal((await call(p, 'GET', `/webhooks/${id}`, { token: support.token })).status, 404);
    // no deliveries after removal
    await p.services.stations.statusChanged({ stationId: 'WH-A', evseId: 1, connectorId: 1, status: 'Faulted', at: new Date() });
    const marker = await subscribe(support, { url: rx.url('/marker'), types: ['connector.status'] });
    await p.services.stations.statusChanged({ stationId: 'WH-A', evseId: 1, connectorId: 1, status: 'Available', at: new Date() });
    await until('the marker', () => rx.at('/marker').length === 1);
    assert.equal(rx.at('/owned').length, 0);
    const audit = await p.services.identity.audit.list({ limit: 50, offset: 0, action: 'webhook.delete' });
    assert.ok(audit.some((r) => r.actor === `user:${admin.userId}` && r.result === 'success'));
    assert.ok(marker.status === 201);
  });

  it('stops delivering to a disabled account, and to a retired principal\'s subscriptions', async () => {
    const leaver = await apiUser(p, ['cpo_manager']);
    await subscribe(leaver, { url: rx.url('/leaver'), types: ['station.disconnected'] });
    const machine = await apiUser(p, ['ems']);
    const retired = await subscribe(machine, { url: rx.url('/retired'), types: ['station.disconnected'] });
    await p.repos.users.update(leaver.userId, { disabled: true });
    assert.equal(await p.services.webhooks.deleteByOwner(`user:${machine.userId}`), 1);
    assert.equal(await p.repos.webhooks.get(retired.body.webhook.id), undefined);
    const marker = await subscribe(admin, { url: rx.url('/marker-2'), types: ['station.disconnected'] });
    assert.equal(marker.status, 201);
    p.services.events.emit({ type: 'station.disconnected', stationId: 'WH-A', code: 1001 });
    await until('the marker', () => rx.at('/marker-2').length === 1);
    // workers run independently: a second marker round trip leaves the leaver's worker time to have delivered, had it been going to
    p.services.events.emit({ type: 'station.disconnected', stationId: 'WH-A', code: 1002 });
    await until('the second marker', () => rx.at('/marker-2').length === 2);
    assert.equal(rx.at('/leaver').length, 0);
    assert.equal(rx.at('/retired').length, 0);
  });

  it('refuses bad subscriptions with a reason', async () => {
    const bad = async (body: Record<string, unknown>) => (await subscribe(admin, body)).status;
    assert.equal(await bad({ url: rx.url('/x'), types: [] }), 400);
    assert.equal(await bad({ url: rx.url('/x'), types: ['station.exploded'] }), 400);
    assert.equal(await bad({ url: rx.url('/x'), types: ['station.booted'], secret: 'short' }), 400);
    assert.equal(await bad({ url: 'ftp://example.com/x', types: ['station.booted'] }), 422);
    assert.equal(await bad({ url: 'http://user:pw@example.com/x', types: ['station.booted'] }), 422);
    assert.equal(await bad({ url: 'not a url at all', types: ['station.booted'] }), 422);
    assert.equal((await call(p, 'POST', '/webhooks', { body: { url: rx.url('/x'), types: ['station.booted'] } })).status, 401);
  });
});

describe('webhooks without OV2X_WEBHOOK_ALLOW_PRIVATE (the default)', () => {
  let p: TestPlatform;
  let admin: ApiUser;
  before(async () => {
    p = await startTestPlatform();
    admin = await apiUser(p, ['admin']);
  });
  after(() => p.stop());

  it('refuses loopback, private, link-local and unspecified targets', async () => {
    for (const url of ['http://127.0.0.1:8080/hook', 'http://localhost/hook', 'http://10.1.2.3/hook', 'http://192.168.0.10/hook', 'http://172.16.5.4/hook',
      'http://169.254.169.254/latest/meta-data', 'http://[::1]/hook', 'http://[fd00::1]/hook', 'http://[::ffff:127.0.0.1]/hook', 'http://0.0.0.0/hook', 'https://100.64.0.1/hook']) {
      const r = await call(p, 'POST', '/webhooks', { token: admin.token, body: { url, types: ['station.booted'] } });
      assert.equal(r.status, 422, url);
      assert.equal(r.body.code, 'refused_target', url);
    }
    assert.deepEqual((await call<{ items: unknown[] }>(p, 'GET', '/webhooks', { token: admin.token })).body.items, []);
  });
});
