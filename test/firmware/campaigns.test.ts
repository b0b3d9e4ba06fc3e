// Firmware campaigns end to end (OP8/OP9): a real platform, simulated 1.6 and 2.0.1 stations,
// the REST API. Uploads are verified; a campaign rolls out in batches, halts above its failure
// threshold, and obeys pause, resume and abort.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SimulatedStation } from '../../src/sim/station.js';
import type { Behaviour, SimProtocol } from '../../src/sim/types.js';
import { RawClient } from '../helpers/raw-client.js';
import { apiUser, call, type ApiUser } from '../helpers/api.js';
import { firmwareVendor, type FirmwareVendor } from '../helpers/firmware-signer.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { until } from '../helpers/until.js';

interface Campaign { id: number; state: string; haltReason: string | null; counts: Record<string, number>; total: number; stations: Array<{ stationId: string; state: string; status: string | null; commandId: number | null }> }
const finalStates = new Set(['completed', 'halted', 'aborted']);

describe('firmware campaigns (platform + simulated stations)', () => {
  let p: TestPlatform;
  let dir: string;
  let vendor: FirmwareVendor;
  let manager: ApiUser;
  let reader: ApiUser;
  const image = Buffer.from(`OV2X test firmware ${'x'.repeat(20_000)}`);
  const sims: SimulatedStation[] = [];
  let seq = 0;

  const station = async (group: string, protocol: SimProtocol, behaviour: Behaviour = {}): Promise<SimulatedStation> => {
    const identity = `FWC-${++seq}`;
    const password = await p.addStation(identity);
    await p.services.identity.stationGroups.assign(identity, group);
    const st = new SimulatedStation({ url: p.ocppUrl, identity, password, protocol, behaviour: { rebootDelayMs: 30, ...behaviour } });
    sims.push(st);
    await st.connect();
    await st.boot();
    return st;
  };
  const upload = (body: Record<string, unknown>) => call<Record<string, unknown>>(p, 'POST', '/firmware-images', { token: manager.token, body });
  const validUpload = async (): Promise<number> => {
    const r = await upload({ name: 'acme-2.0.0.bin', version: '2.0.0', image: image.toString('base64'), signature: vendor.sign(image), signingCertificate: vendor.certPem });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id as number;
  };
  const campaign = async (id: number): Promise<Campaign> => (await call<Campaign>(p, 'GET', `/firmware-campaigns/${id}`, { token: reader.token })).body;
  const create = async (body: Record<string, unknown>): Promise<Campaign> => {
    const r = await call<Campaign>(p, 'POST', '/firmware-campaigns', { token: manager.token, body });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.state, 'draft');
    return r.body;
  };
  const act = (id: number, verb: string) => call<Campaign>(p, 'POST', `/firmware-campaigns/${id}/${verb}`, { token: manager.token });
  const settled = async (id: number, timeoutMs = 20_000): Promise<Campaign> => {
    let c!: Campaign;
    await until(`campaign ${id} to end`, async () => finalStates.has((c = await campaign(id)).state), timeoutMs);
    return c;
  };

  before(async () => {
    vendor = await firmwareVendor('Acme');
    dir = mkdtempSync(join(tmpdir(), 'ov2x-fw-trust-'));
    writeFileSync(join(dir, 'vendors.pem'), vendor.caPem);
    p = await startTestPlatform({ firmwareTrustPem: join(dir, 'vendors.pem'), firmwareCampaignTick: 100 });
    manager = await apiUser(p, ['cpo_manager']);
    reader = await apiUser(p, ['support_l2']);
    for (const g of ['rollout', 'failing', 'steered', 'aborted', 'silent']) await p.services.identity.stationGroups.create(g, g);
  });
  after(async () => {
    await Promise.all(sims.map((s) => s.close()));
    await p?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a tampered image and a foreign certificate with 422 and a security event', async () => {
    const sig = vendor.sign(image);
    const tampered = Buffer.from(image);
    tampered[10] = tampered[10]! ^ 0xff;
    const bad = await upload({ name: 'tampered.bin', image: tampered.toString('base64'), signature: sig, signingCertificate: vendor.certPem });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.code, 'firmware_refused');
    assert.deepEqual(bad.body.details, { reason: 'InvalidSignature' });

    const mallory = await firmwareVendor('Mallory');
    const foreign = await upload({ name: 'foreign.bin', image: image.toString('base64'), signature: mallory.sign(image), signingCertificate: mallory.certPem });
    assert.equal(foreign.status, 422);
    assert.deepEqual(foreign.body.details, { reason: 'UntrustedCertificate' });

    const before = (await call<{ items: unknown[] }>(p, 'GET', '/firmware-images', { token: reader.token })).body.items.length;
    assert.equal(before, 0, 'nothing refused was stored');
    const events = (await p.repos.securityEvents.list({ limit: 50 })).filter((e) => e.type !== 'IdsAlert');
    assert.ok(events.some((e) => e.type === 'InvalidFirmwareSignature' && e.details.reason === 'InvalidSignature'), 'tampered image recorded');
    assert.ok(events.some((e) => e.type === 'InvalidFirmwareSigningCertificate' && e.details.reason === 'UntrustedCertificate'), 'foreign certificate recorded');
    // a reader may look but not upload
    const denied = await call(p, 'POST', '/firmware-images', { token: reader.token, body: { name: 'x', image: 'AAAA', signature: 'AAAA', signingCertificate: vendor.certPem } });
    assert.equal(denied.status, 403);
  });

  it('rolls a verified image out to a mixed 1.6/2.0.1 group, never more than 2 stations at once', async () => {
    const firmwareId = await validUpload();
    const stations = [
      await station('rollout', '1.6'), await station('rollout', '2.0.1'), await station('rollout', '1.6'),
      await station('rollout', '2.0.1'), await station('rollout', '1.6'),
    ];
    const c = await create({ name: 'rollout', firmwareId, groupId: 'rollout', concurrency: 2, failureThreshold: { count: 0 } });
    assert.equal(c.total, 5);
    assert.equal((await act(c.id, 'start')).body.state, 'running');
    const done = await settled(c.id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(done.counts, { pending: 0, active: 0, succeeded: 5, failed: 0, skipped: 0 });
    assert.ok(done.stations.every((s) => s.state === 'succeeded' && s.status === 'Installed'));

    // the journal, not the campaign's own bookkeeping, shows what was in flight: command sent → Installed
    const spans: Array<[number, number]> = [];
    for (const s of done.stations) {
      const cmd = await p.services.commands.get(s.commandId!);
      assert.ok(cmd);
      // signed image: 1.6 gets SignedUpdateFirmware, 2.0.1 UpdateFirmware with the signature
      const v16 = stations.find((st) => st.identity === s.stationId)!.protocol === '1.6';
      assert.equal(cmd.action, v16 ? 'SignedUpdateFirmware' : 'UpdateFirmware');
      assert.equal(typeof cmd.command.signature, 'string');
      assert.ok(cmd.updates.some((u) => u.status === 'Downloading'), `${s.stationId} reported Downloading`);
      const installed = cmd.updates.find((u) => u.status === 'Installed')!;
      spans.push([cmd.createdAt.getTime(), installed.at.getTime()]);
    }
    let most = 0;
    for (const [start] of spans) most = Math.max(most, spans.filter(([s, e]) => s <= start && start < e).length);
    assert.ok(most <= 2, `${most} stations updating at once`);
    assert.equal(most, 2, 'the rollout used its concurrency');
  });

  it('halts when InstallationFailed exceeds the threshold; the rest never start', async () => {
    const firmwareId = await validUpload();
    for (let i = 0; i < 4; i++) await station('failing', i % 2 ? '2.0.1' : '1.6', { firmwareOutcome: 'InstallationFailed' });
    const c = await create({ name: 'failing', firmwareId, groupId: 'failing', concurrency: 1, failureThreshold: { count: 1 } });
    await act(c.id, 'start');
    const done = await settled(c.id);
    assert.equal(done.state, 'halted');
    assert.match(done.haltReason ?? '', /2 of 4 stations failed/);
    assert.deepEqual(done.counts, { pending: 0, active: 0, succeeded: 0, failed: 2, skipped: 2 });
    assert.ok(done.stations.filter((s) => s.state === 'failed').every((s) => s.status === 'InstallationFailed'));
    assert.ok(done.stations.filter((s) => s.state === 'skipped').every((s) => s.commandId === null), 'skipped stations got no command');
    assert.equal((await act(c.id, 'start')).status, 409, 'a halted campaign stays halted');
  });

  it('pause stops new stations, resume continues, abort skips the rest', async () => {
    const firmwareId = await validUpload();
    for (let i = 0; i < 3; i++) await station('steered', '2.0.1');
    const c = await create({ name: 'steered', firmwareId, groupId: 'steered', concurrency: 1, failureThreshold: { percent: 50 } });
    await act(c.id, 'start');
    await until('the first station to start', async () => (await campaign(c.id)).counts.pending! < 3);
    assert.equal((await act(c.id, 'pause')).body.state, 'paused');
    // the station already started finishes; no other starts while paused
    await until('the started station to finish', async () => (await campaign(c.id)).counts.active === 0);
    const paused = await campaign(c.id);
    assert.ok(paused.counts.pending! >= 1 && paused.counts.succeeded! >= 1, JSON.stringify(paused.counts));
    await p.services.firmwareCampaigns.tick();
    await new Promise((r) => setTimeout(r, 300));
    const still = await campaign(c.id);
    assert.equal(still.state, 'paused');
    assert.deepEqual(still.counts, paused.counts, 'nothing started while paused');
    assert.equal((await act(c.id, 'resume')).body.state, 'running');
    assert.equal((await settled(c.id)).state, 'completed');

    for (let i = 0; i < 3; i++) await station('aborted', '1.6');
    const a = await create({ name: 'aborted', firmwareId, groupId: 'aborted', concurrency: 1, failureThreshold: { count: 3 } });
    const aborted = (await act(a.id, 'abort')).body;
    assert.equal(aborted.state, 'aborted');
    assert.deepEqual(aborted.counts, { pending: 0, active: 0, succeeded: 0, failed: 0, skipped: 3 });
    assert.equal((await act(a.id, 'start')).status, 409);
    assert.equal((await act(a.id, 'pause')).status, 409);
  });

  it('a station that accepts and then goes silent times out and counts as failed', async () => {
    const firmwareId = await validUpload();
    const identity = 'FWC-SILENT';
    const password = await p.addStation(identity);
    await p.services.identity.stationGroups.assign(identity, 'silent');
    const raw = await RawClient.connect(`${p.ocppUrl}/${identity}`, { protocols: ['ocpp2.0.1'], user: identity, password });
    try {
      const c = await create({ name: 'silent', firmwareId, groupId: 'silent', concurrency: 1, failureThreshold: { count: 0 }, stationTimeoutS: 10 });
      await act(c.id, 'start');
      const req = (await raw.next(5000)) as [number, string, string];
      assert.equal(req[2], 'UpdateFirmware');
      raw.send(JSON.stringify([3, req[1], { status: 'Accepted' }]));
      await until('the answer to be journalled', async () => (await campaign(c.id)).stations[0]?.status === 'Accepted');
      // nothing more arrives; a pass 11 s later finds the station silent for longer than its 10 s
      await p.services.firmwareCampaigns.idle();
      await p.services.firmwareCampaigns.tick(new Date(Date.now() + 11_000));
      const done = await settled(c.id);
      assert.equal(done.state, 'halted');
      assert.equal(done.stations[0]?.status, 'Timeout');
    } finally {
      raw.close();
    }
  });

  it('starts no station before its window and skips the waiting ones once it has closed', async () => {
    const firmwareId = await validUpload();
    for (const id of ['FWC-W1', 'FWC-W2']) await p.addStation(id);
    const hour = 3_600_000;
    const later = await create({ name: 'later', firmwareId, stationIds: ['FWC-W1', 'FWC-W2'], concurrency: 2, failureThreshold: { count: 0 }, windowStart: new Date(Date.now() + hour).toISOString() });
    await act(later.id, 'start');
    await p.services.firmwareCampaigns.tick();
    await p.services.firmwareCampaigns.idle();
    const waiting = await campaign(later.id);
    assert.equal(waiting.state, 'running');
    assert.deepEqual(waiting.counts, { pending: 2, active: 0, succeeded: 0, failed: 0, skipped: 0 });
    await act(later.id, 'abort');

    const past = await create({
      name: 'past', firmwareId, stationIds: ['FWC-W1', 'FWC-W2'], concurrency: 2, failureThreshold: { count: 0 },
      windowStart: new Date(Date.now() - 2 * hour).toISOString(), windowEnd: new Date(Date.now() - hour).toISOString(),
    });
    await act(past.id, 'start');
    const done = await settled(past.id);
    assert.equal(done.state, 'completed');
    assert.ok(done.stations.every((s) => s.state === 'skipped' && s.status === 'WindowClosed' && s.commandId === null));
    const inverted = await call(p, 'POST', '/firmware-campaigns', { token: manager.token, body: { name: 'x', firmwareId, stationIds: ['FWC-W1'], concurrency: 1, failureThreshold: { count: 0 }, windowStart: new Date(Date.now() + hour).toISOString(), windowEnd: new Date().toISOString() } });
    assert.equal(inverted.status, 422);
  });

  it('refuses campaigns for unsigned images and without exactly one target', async () => {
    const unsigned = await p.services.transfers.registerFirmware({ name: 'plain.bin', data: Buffer.from('plain') });
    const r = await call(p, 'POST', '/firmware-campaigns', { token: manager.token, body: { name: 'u', firmwareId: unsigned.id, groupId: 'rollout', concurrency: 1, failureThreshold: { count: 0 } } });
    assert.equal(r.status, 422);
    const firmwareId = await validUpload();
    const both = await call(p, 'POST', '/firmware-campaigns', { token: manager.token, body: { name: 'b', firmwareId, groupId: 'rollout', stationIds: ['FWC-1'], concurrency: 1, failureThreshold: { count: 0 } } });
    assert.equal(both.status, 422);
  });
});
