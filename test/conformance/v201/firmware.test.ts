// OCPP 2.0.1 block L: UpdateFirmware with FirmwareStatusNotification, PublishFirmware with
// PublishFirmwareStatusNotification, UnpublishFirmware; the simulator downloads the image for real.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SimulatedStation } from '../../../src/sim/station.js';
import type { Behaviour } from '../../../src/sim/types.js';
import { progressUntil, timeline } from '../../helpers/journal.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';

// OCPP 2.0.1 functional block L — Firmware Management, CSMS side, end to end through the simulator.
describe('OCPP 2.0.1 L Firmware Management (conformance, CSMS side)', () => {
  let p: TestPlatform;
  const stations: SimulatedStation[] = [];
  let seq = 0;
  const pem = '-----BEGIN CERTIFICATE-----\nMIIBsimulated\n-----END CERTIFICATE-----';
  const image = Buffer.alloc(20_000, 3);
  let plainId: number;
  let signedId: number;

  const station = async (behaviour: Behaviour = {}): Promise<SimulatedStation> => {
    const identity = `FW201-${++seq}`;
    const password = await p.addStation(identity);
    const st = new SimulatedStation({ url: p.ocppUrl, identity, password, protocol: '2.0.1', behaviour: { rebootDelayMs: 50, ...behaviour } });
    stations.push(st);
    await st.connect();
    await st.boot();
    return st;
  };

  before(async () => {
    p = await startTestPlatform();
    plainId = (await p.services.transfers.registerFirmware({ name: 'fw-201.bin', data: image })).id;
    signedId = (await p.services.transfers.registerFirmware({ name: 'fw-201-signed.bin', data: image, signature: 'c2lnbmF0dXJl', signingCertificate: pem })).id;
  });
  after(async () => {
    await Promise.all(stations.map((s) => s.close()));
    await p.stop();
  });

  it('Secure firmware update (L01): signature and certificate sent, SignatureVerified, InstallRebooting, Installed', async () => {
    const st = await station();
    const rec = await p.services.firmware.update(st.identity, signedId);
    assert.equal(rec.action, 'UpdateFirmware');
    assert.equal(rec.status, 'Accepted');
    const firmware = rec.command as { signature?: string; signingCertificate?: string };
    assert.equal(firmware.signingCertificate, pem);
    const done = await progressUntil(p, rec.id, ['Installed', 'InvalidSignature', 'DownloadFailed', 'InstallationFailed']);
    assert.deepEqual(timeline(done), ['Downloading', 'Downloaded', 'SignatureVerified', 'Installing', 'InstallRebooting', 'Installed']);
    assert.match((await p.repos.stations.get(st.identity))?.firmwareVersion ?? '', /^sim-/);
  });

  it('Non-secure firmware update (L02): no signature, Installed after the reboot', async () => {
    const st = await station();
    const rec = await p.services.firmware.update(st.identity, plainId);
    assert.equal(rec.command.signature, undefined);
    const done = await progressUntil(p, rec.id, ['Installed', 'DownloadFailed', 'InstallationFailed']);
    assert.deepEqual(timeline(done), ['Downloading', 'Downloaded', 'Installing', 'InstallRebooting', 'Installed']);
  });

  it('Secure firmware update with an invalid signature: InvalidSignature', async () => {
    const st = await station({ firmwareOutcome: 'InvalidSignature' });
    const rec = await p.services.firmware.update(st.identity, signedId);
    const done = await progressUntil(p, rec.id, ['Installed', 'InvalidSignature']);
    assert.deepEqual(timeline(done), ['Downloading', 'Downloaded', 'InvalidSignature']);
  });

  it('Firmware update: DownloadFailed and InstallationFailed are recorded with the requestId', async () => {
    for (const outcome of ['DownloadFailed', 'InstallationFailed'] as const) {
      const st = await station({ firmwareOutcome: outcome });
      const rec = await p.services.firmware.update(st.identity, plainId);
      const done = await progressUntil(p, rec.id, [outcome]);
      assert.equal(done.updates.at(-1)?.status, outcome);
    }
  });

  it('Firmware update rejected by the station', async () => {
    const st = await station({ reject: new Set(['UpdateFirmware']) });
    const rec = await p.services.firmware.update(st.identity, plainId);
    assert.equal(rec.status, 'Rejected');
  });

  it('Firmware update of an unknown image is refused before anything is sent', async () => {
    const st = await station();
    await assert.rejects(p.services.firmware.update(st.identity, 999_999), /no firmware image/);
    assert.equal((await p.services.commands.list(st.identity, { kind: 'updateFirmware' })).length, 0);
  });

  it('Publish firmware (L03) on a local controller, then unpublish it (L04)', async () => {
    const lc = await station();
    const rec = await p.services.firmware.publish(lc.identity, plainId);
    assert.equal(rec.action, 'PublishFirmware');
    assert.equal(rec.command.checksum, createHash('md5').update(image).digest('hex'));
    const done = await progressUntil(p, rec.id, ['Published', 'DownloadFailed', 'InvalidChecksum']);
    assert.deepEqual(timeline(done), ['Downloading', 'Downloaded', 'ChecksumVerified', 'Published']);
    assert.deepEqual(done.updates.at(-1)?.details, { locations: [`http://${lc.identity}.local/firmware/${String(rec.command.checksum)}`] });
    const un = await p.services.firmware.unpublish(lc.identity, plainId);
    assert.equal(un.status, 'Unpublished');
    const again = await p.services.firmware.unpublish(lc.identity, plainId);
    assert.equal(again.status, 'NoFirmware');
  });

  it('Publish firmware whose download fails: DownloadFailed', async () => {
    const lc = await station({ firmwareOutcome: 'DownloadFailed' });
    const rec = await p.services.firmware.publish(lc.identity, plainId);
    const done = await progressUntil(p, rec.id, ['Published', 'DownloadFailed']);
    assert.deepEqual(timeline(done), ['Downloading', 'DownloadFailed']);
  });

  it('Publish firmware with a checksum that does not match: InvalidChecksum', async () => {
    const lc = await station();
    const { url } = await p.services.transfers.mintDownload(lc.identity, plainId);
    const rec = await p.services.commands.send(lc.identity, { kind: 'publishFirmware', location: url, checksum: '0'.repeat(32) });
    const done = await progressUntil(p, rec.id, ['Published', 'InvalidChecksum']);
    assert.deepEqual(timeline(done), ['Downloading', 'Downloaded', 'InvalidChecksum']);
  });

  it('Firmware commands to an offline station are journalled as Failed', async () => {
    const identity = `FW201-${++seq}`;
    await p.addStation(identity);
    assert.equal((await p.services.firmware.update(identity, plainId)).status, 'Failed');
    assert.equal((await p.services.firmware.publish(identity, plainId)).status, 'Failed');
  });
});
