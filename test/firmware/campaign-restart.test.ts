// A firmware campaign survives its node (OP9): the platform stops mid-rollout and a new one on
// the same data resumes from the database. The station whose update the old node sent reports
// to nobody and times out; the others are updated by the new node.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { startPlatform, type Platform } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { SimulatedStation } from '../../src/sim/station.js';
import { firmwareVendor } from '../helpers/firmware-signer.js';
import { notePersonalData, runLogger } from '../helpers/run-log.js';
import { until } from '../helpers/until.js';

const dataDir = mkdtempSync(join(tmpdir(), 'ov2x-fw-restart-'));
const sims: SimulatedStation[] = [];
after(async () => {
  await Promise.all(sims.map((s) => s.close()));
  rmSync(dataDir, { recursive: true, force: true });
});

async function platform(trust: string): Promise<Platform> {
  const p = await startPlatform({ ...loadConfig({}, {}), dataDir, host: '127.0.0.1', ocppPort: 0, logLevel: 'debug', firmwareTrustPem: trust, firmwareCampaignTick: 100 }, runLogger());
  notePersonalData(p);
  return p;
}

async function connect(p: Platform, passwords: Map<string, string>): Promise<void> {
  for (const [identity, password] of passwords) {
    const st = new SimulatedStation({ url: p.ocppUrl, identity, password, protocol: '1.6', behaviour: { rebootDelayMs: 30 } });
    sims.push(st);
    await st.connect();
    await st.boot();
  }
}

it('a campaign resumes on a restarted platform and ends there', async () => {
  const vendor = await firmwareVendor('Restart');
  const trust = join(dataDir, 'trust.pem');
  writeFileSync(trust, vendor.caPem);
  const image = Buffer.from('restart firmware '.repeat(300));

  const a = await platform(trust);
  const passwords = new Map<string, string>();
  let campaignId: number;
  let orphan: string;
  try {
    await a.services.identity.stationGroups.create('restart', 'restart');
    for (const id of ['RS-1', 'RS-2', 'RS-3', 'RS-4']) {
      passwords.set(id, (await a.services.stations.register(id)).password);
      await a.services.identity.stationGroups.assign(id, 'restart');
    }
    await connect(a, passwords);
    const fw = await a.services.firmwareImages.upload({ name: 'r.bin', data: image, signature: vendor.sign(image), signingCertificate: vendor.certPem, actor: 'test' });
    const c = await a.services.firmwareCampaigns.create({
      name: 'restart', firmwareId: fw.id, groupId: 'restart', stationIds: [...passwords.keys()], concurrency: 1,
      failureThreshold: 1, thresholdKind: 'count', stationTimeoutS: 10, createdBy: 'test',
    });
    campaignId = c.id;
    await a.services.firmwareCampaigns.act(c.id, 'start');
    // stop while one station is done and the next one's update is on its way
    await until('one station updated and the next started', async () => {
      const now = await a.services.firmwareCampaigns.get(c.id);
      return now!.counts.succeeded >= 1 && now!.stations.some((s) => s.state === 'active' && s.commandId !== null && s.status !== 'Sent' && s.status !== 'Sending');
    }, 20_000);
  } finally {
    await a.close();
  }
  await Promise.all(sims.splice(0).map((s) => s.close()));

  const b = await platform(trust);
  try {
    const left = (await b.services.firmwareCampaigns.get(campaignId))!;
    assert.equal(left.state, 'running', 'the state was in the database');
    orphan = left.stations.find((s) => s.state === 'active')!.stationId;
    const succeededBefore = left.counts.succeeded;
    await connect(b, passwords);
    // the orphan never reports again: a pass 11 s on finds it silent beyond its 10 s
    await b.services.firmwareCampaigns.idle();
    await b.services.firmwareCampaigns.tick(new Date(Date.now() + 11_000));
    let end = left;
    await until('the campaign to end on the new node', async () => ['completed', 'halted'].includes((end = (await b.services.firmwareCampaigns.get(campaignId))!).state), 30_000);
    assert.equal(end.state, 'completed');
    assert.deepEqual(end.stations.filter((s) => s.state === 'failed').map((s) => [s.stationId, s.status]), [[orphan, 'Timeout']]);
    assert.equal(end.counts.succeeded, 3);
    assert.ok(end.counts.succeeded > succeededBefore, 'the new node updated stations itself');
  } finally {
    await b.close();
  }
});
