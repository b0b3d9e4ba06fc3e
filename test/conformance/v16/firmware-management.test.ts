// OCPP 1.6 Firmware Management and the security whitepaper's signed update and security log:
// UpdateFirmware / SignedUpdateFirmware with FirmwareStatusNotification / SignedFirmwareStatusNotification,
// GetDiagnostics with DiagnosticsStatusNotification, GetLog with LogStatusNotification; files move over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SimulatedStation } from '../../../src/sim/station.js';
import type { Behaviour } from '../../../src/sim/types.js';
import { progressUntil, timeline } from '../../helpers/journal.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';

// OCPP 1.6 Firmware Management profile, CSMS side, driven end to end through the simulator.
describe('OCPP 1.6 Firmware Management (conformance, CSMS side)', () => {
  let p: TestPlatform;
  const stations: SimulatedStation[] = [];
  let seq = 0;
  let firmwareId: number;

  const station = async (behaviour: Behaviour = {}): Promise<SimulatedStation> => {
    const identity = `FM16-${++seq}`;
    const password = await p.addStation(identity);
    const st = new SimulatedStation({ url: p.ocppUrl, identity, password, protocol: '1.6', behaviour: { rebootDelayMs: 50, ...behaviour } });
    stations.push(st);
    await st.connect();
    await st.boot();
    return st;
  };

  before(async () => {
    p = await startTestPlatform();
    firmwareId = (await p.services.transfers.registerFirmware({ name: 'fw-1.6.bin', data: Buffer.alloc(10_000, 7) })).id;
  });
  after(async () => {
    await Promise.all(stations.map((s) => s.close()));
    await p.stop();
  });

  it('Firmware update: UpdateFirmware, download over the minted URL, install, reboot, Installed', async () => {
    const st = await station();
    const rec = await p.services.firmware.update(st.identity, firmwareId);
    assert.equal(rec.action, 'UpdateFirmware');
    assert.equal(rec.status, 'Accepted');
    // the journal never holds the URL's token; the station got the real URL (it downloaded)
    assert.equal(rec.command.location, `${p.httpUrl}/transfers/${st.identity}/REDACTED/fw-1.6.bin`);
    const done = await progressUntil(p, rec.id, ['Installed', 'DownloadFailed', 'InstallationFailed']);
    assert.deepEqual(timeline(done), ['Downloading', 'Downloaded', 'Installing', 'Installed']);
    // the station rebooted into the new version and said so in its BootNotification
    const row = await p.repos.stations.get(st.identity);
    assert.match(row?.firmwareVersion ?? '', /^sim-[0-9a-f]{12}$/);
  });

  it('TC_044_2_CSMS Firmware Update - Download Failed', async () => {
    const st = await station({ firmwareOutcome: 'DownloadFailed' });
    const rec = await p.services.firmware.update(st.identity, firmwareId);
    const done = await progressUntil(p, rec.id, ['DownloadFailed']);
    assert.deepEqual(timeline(done), ['Downloading', 'DownloadFailed']);
  });

  it('TC_044_3_CSMS Firmware Update - Installation Failed', async () => {
    const st = await station({ firmwareOutcome: 'InstallationFailed' });
    const rec = await p.services.firmware.update(st.identity, firmwareId);
    const done = await progressUntil(p, rec.id, ['InstallationFailed']);
    assert.deepEqual(timeline(done), ['Downloading', 'Downloaded', 'Installing', 'InstallationFailed']);
  });

  it('Firmware update whose URL expired before the download: DownloadFailed', async () => {
    const st = await station();
    // a URL that expired before the station came to fetch it (e.g. a late retrieveDate)
    const { url } = await p.services.transfers.mintDownload(st.identity, firmwareId);
    await p.store.db.updateTable('fileTransfers').set({ expiresAt: new Date(Date.now() - 1000) }).execute();
    const rec = await p.services.commands.send(st.identity, { kind: 'updateFirmware', location: url });
    const done = await progressUntil(p, rec.id, ['DownloadFailed', 'Installed']);
    assert.equal(done.progress, 'DownloadFailed');
  });

  it('TC_045_1_CSMS Get Diagnostics', async () => {
    const st = await station();
    const rec = await p.services.logs.request(st.identity, { logType: 'diagnostics' });
    assert.equal(rec.action, 'GetDiagnostics');
    assert.match(String(rec.response?.fileName), /^diagnostics-/);
    const done = await progressUntil(p, rec.id, ['Uploaded', 'UploadFailed']);
    assert.deepEqual(timeline(done), ['Uploading', 'Uploaded']);
    const [file] = await p.services.logs.files(st.identity);
    assert.equal(file?.fileKind, 'diagnostics');
    assert.equal(file?.originalName, rec.response?.fileName);
  });

  it('TC_045_2_CSMS Get Diagnostics - Upload Failed', async () => {
    const st = await station({ uploadFails: true });
    const rec = await p.services.logs.request(st.identity, { logType: 'diagnostics' });
    const done = await progressUntil(p, rec.id, ['Uploaded', 'UploadFailed']);
    assert.deepEqual(timeline(done), ['Uploading', 'UploadFailed']);
    assert.equal((await p.services.logs.files(st.identity)).length, 0);
  });

  it('Get Diagnostics for an offline station is journalled as Failed', async () => {
    const identity = `FM16-${++seq}`;
    await p.addStation(identity);
    const rec = await p.services.logs.request(identity, { logType: 'diagnostics' });
    assert.equal(rec.status, 'Failed');
    assert.match(rec.failure ?? '', /^Offline/);
  });
});

// OCPP 1.6 security whitepaper (edition 3): signed firmware update and security log.
describe('OCPP 1.6 security whitepaper: signed firmware and security log (conformance, CSMS side)', () => {
  let p: TestPlatform;
  const stations: SimulatedStation[] = [];
  let seq = 0;
  const pem = '-----BEGIN CERTIFICATE-----\nMIIBsimulated\n-----END CERTIFICATE-----';

  const station = async (behaviour: Behaviour = {}): Promise<SimulatedStation> => {
    const identity = `SEC16-${++seq}`;
    const password = await p.addStation(identity);
    const st = new SimulatedStation({ url: p.ocppUrl, identity, password, protocol: '1.6', behaviour: { rebootDelayMs: 50, ...behaviour } });
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

  it('Signed firmware update: an image with signature and certificate goes out as SignedUpdateFirmware', async () => {
    const fw = await p.services.transfers.registerFirmware({ name: 'signed.bin', data: Buffer.from('signed image'), signature: 'c2lnbmF0dXJl', signingCertificate: pem });
    const st = await station();
    const rec = await p.services.firmware.update(st.identity, fw.id);
    assert.equal(rec.action, 'SignedUpdateFirmware');
    assert.equal(rec.status, 'Accepted');
    assert.equal(rec.requestId, rec.id);
    const done = await progressUntil(p, rec.id, ['Installed', 'InvalidSignature', 'DownloadFailed']);
    assert.deepEqual(timeline(done), ['Downloading', 'Downloaded', 'SignatureVerified', 'Installing', 'Installed']);
  });

  it('Signed firmware update with an invalid signature: InvalidSignature, no install', async () => {
    const fw = await p.services.transfers.registerFirmware({ name: 'bad.bin', data: Buffer.from('tampered'), signature: 'YmFk', signingCertificate: pem });
    const st = await station({ firmwareOutcome: 'InvalidSignature' });
    const rec = await p.services.firmware.update(st.identity, fw.id);
    const done = await progressUntil(p, rec.id, ['Installed', 'InvalidSignature']);
    assert.deepEqual(timeline(done), ['Downloading', 'Downloaded', 'InvalidSignature']);
  });

  it('Signed firmware update refused for an unusable signing certificate', async () => {
    const fw = await p.services.transfers.registerFirmware({ name: 'nocert.bin', data: Buffer.from('x'), signature: 'eA==', signingCertificate: 'not a certificate' });
    const st = await station();
    const rec = await p.services.firmware.update(st.identity, fw.id);
    assert.equal(rec.status, 'InvalidCertificate');
    assert.match(rec.failure ?? '', /^Rejected/);
  });

  it('Security log: GetLog with a multipart POST upload and LogStatusNotification quoting the requestId', async () => {
    const st = await station({ uploadMethod: 'POST' });
    const rec = await p.services.logs.request(st.identity, { logType: 'security' });
    assert.equal(rec.action, 'GetLog');
    assert.equal(rec.status, 'Accepted');
    const done = await progressUntil(p, rec.id, ['Uploaded', 'UploadFailure']);
    assert.deepEqual(timeline(done), ['Uploading', 'Uploaded']);
    const [file] = await p.services.logs.files(st.identity);
    assert.equal(file?.fileKind, 'securityLog');
    assert.equal(file?.originalName, rec.response?.filename);
  });

  it('Security log rejected by the station', async () => {
    const st = await station({ reject: new Set(['GetLog']) });
    const rec = await p.services.logs.request(st.identity, { logType: 'security' });
    assert.equal(rec.status, 'Rejected');
    assert.equal(rec.progress, null);
  });
});
