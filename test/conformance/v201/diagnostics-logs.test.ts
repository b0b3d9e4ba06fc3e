import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { SimulatedStation } from '../../../src/sim/station.js';
import type { Behaviour } from '../../../src/sim/types.js';
import { progressUntil, timeline } from '../../helpers/journal.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';
import { RawClient } from '../../helpers/raw-client.js';

// OCPP 2.0.1 functional block N — Diagnostics, log retrieval (N01), CSMS side.
describe('OCPP 2.0.1 N Diagnostics: log retrieval (conformance, CSMS side)', () => {
  let p: TestPlatform;
  const stations: SimulatedStation[] = [];
  let seq = 0;

  const station = async (behaviour: Behaviour = {}): Promise<SimulatedStation> => {
    const identity = `LOG201-${++seq}`;
    const password = await p.addStation(identity);
    const st = new SimulatedStation({ url: p.ocppUrl, identity, password, protocol: '2.0.1', behaviour });
    stations.push(st);
    await st.connect();
    await st.boot();
    return st;
  };

  before(async () => {
    p = await startTestPlatform();
  });
  after(async () => {
    await Promise.all(stations.map((s) => s.close()));
    await p.stop();
  });

  it('TC_N_35_CSMS Retrieve Log Information - Security Log - Success', async () => {
    const st = await station();
    const rec = await p.services.logs.request(st.identity, { logType: 'security' });
    assert.equal(rec.action, 'GetLog');
    assert.equal(rec.status, 'Accepted');
    assert.equal(rec.command.logType, 'security');
    assert.equal(rec.command.location, `${p.httpUrl}/transfers/${st.identity}/REDACTED`);
    const done = await progressUntil(p, rec.id, ['Uploaded', 'UploadFailure']);
    assert.deepEqual(timeline(done), ['Uploading', 'Uploaded']);
    const [file] = await p.services.logs.files(st.identity);
    assert.equal(file?.fileKind, 'securityLog');
    assert.match(await readFile(p.services.transfers.pathOf(file!), 'utf8'), new RegExp(`${st.identity} SecurityLog log`));
  });

  it('TC_N_34_CSMS Retrieve Log Information - Rejected', async () => {
    const st = await station({ reject: new Set(['GetLog']) });
    const rec = await p.services.logs.request(st.identity, { logType: 'diagnostics' });
    assert.equal(rec.status, 'Rejected');
    assert.equal(rec.progress, null);
  });

  it('Diagnostics log uploaded by multipart POST, with the time window sent', async () => {
    const st = await station({ uploadMethod: 'POST' });
    const from = new Date(Date.now() - 3_600_000);
    const rec = await p.services.logs.request(st.identity, { logType: 'diagnostics', from, retries: 2, retryInterval: 30 });
    assert.equal(rec.command.from, from.toISOString());
    const done = await progressUntil(p, rec.id, ['Uploaded', 'UploadFailure']);
    assert.deepEqual(timeline(done), ['Uploading', 'Uploaded']);
    assert.equal((await p.services.logs.files(st.identity))[0]?.fileKind, 'diagnostics');
  });

  it('Log upload failure is recorded as UploadFailure', async () => {
    const st = await station({ uploadFails: true });
    const rec = await p.services.logs.request(st.identity, { logType: 'diagnostics' });
    const done = await progressUntil(p, rec.id, ['Uploaded', 'UploadFailure']);
    assert.deepEqual(timeline(done), ['Uploading', 'UploadFailure']);
  });

  it('A LogStatusNotification with an unknown requestId is answered and attached to nothing', async () => {
    const identity = `LOG201-${++seq}`;
    const password = await p.addStation(identity);
    const c = await RawClient.connect(`${p.ocppUrl}/${identity}`, { protocols: ['ocpp2.0.1'], user: identity, password });
    try {
      await c.call('b', 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
      const answer = await c.call('l', 'LogStatusNotification', { status: 'Uploaded', requestId: 424242 });
      assert.deepEqual(answer, [3, 'l', {}]);
      const fw = await c.call('f', 'FirmwareStatusNotification', { status: 'Idle' });
      assert.deepEqual(fw, [3, 'f', {}]);
      assert.equal((await p.services.commands.list(identity)).length, 0);
    } finally {
      c.close();
    }
  });
});
