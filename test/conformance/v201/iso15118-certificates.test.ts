// OCPP 2.0.1 functional block M (ISO 15118 certificate management), CSMS side: root certificate
// installation, inventory, deletion (M03-M05) and the station's EV certificate and OCSP
// requests (M01/M02, M06) through the Iso15118Provider extension point.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Iso15118Provider } from '../../../src/domain/certificates/providers.js';
import { CertificateError, certificateHashData } from '../../../src/domain/certificates/x509.js';
import { SimulatedStation } from '../../../src/sim/station.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';
import { RawClient } from '../../helpers/raw-client.js';
import { rootCertificate } from '../../helpers/test-signer.js';

type Frame = [number, string, string, Record<string, unknown>];
const hashOnly = (h: { hashAlgorithm: string; issuerNameHash: string; issuerKeyHash: string; serialNumber: string }) =>
  ({ hashAlgorithm: h.hashAlgorithm, issuerNameHash: h.issuerNameHash, issuerKeyHash: h.issuerKeyHash, serialNumber: h.serialNumber });

describe('OCPP 2.0.1 block M certificate management (CSMS)', () => {
  let p: TestPlatform;
  let c: RawClient;
  let sim: SimulatedStation;
  let n = 0;
  const call = async (action: string, payload: unknown): Promise<Record<string, unknown>> => {
    const [type, , res] = await c.call(`m${++n}`, action, payload);
    assert.equal(type, 3, `${action} answered with ${JSON.stringify(res)}`);
    return res as Record<string, unknown>;
  };
  const answerNext = async (expected: string, response: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const [, id, action, payload] = (await c.next()) as Frame;
    assert.equal(action, expected);
    c.send(JSON.stringify([3, id, response]));
    return payload;
  };
  const roots: Record<string, string> = {};

  before(async () => {
    // the answers without a provider are tested here; the built-in one in iso15118-ocsp.test.ts
    p = await startTestPlatform({ iso15118Provider: 'none' });
    const password = await p.addStation('M201');
    c = await RawClient.connect(`${p.ocppUrl}/M201`, { protocols: ['ocpp2.0.1'], user: 'M201', password });
    await call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
    sim = new SimulatedStation({ url: p.ocppUrl, identity: 'SIMM', password: await p.addStation('SIMM'), protocol: '2.0.1', meterIntervalMs: 0 });
    await sim.connect();
    await sim.boot();
    for (const t of ['CSMSRootCertificate', 'ManufacturerRootCertificate', 'V2GRootCertificate', 'MORootCertificate']) roots[t] = await rootCertificate(`${t} 1`);
  });
  after(async () => {
    c.close();
    await sim.close();
    await p.stop();
  });

  it('TC_M_01_CSMS Install CA certificate - CSMSRootCertificate', async () => {
    const rec = await p.services.certificates.installCertificate('SIMM', 'CSMSRootCertificate', roots.CSMSRootCertificate!);
    assert.deepEqual([rec.action, rec.status], ['InstallCertificate', 'Accepted']);
    const known = await p.services.certificates.installed('SIMM', 'CSMSRootCertificate');
    assert.deepEqual(known.map(hashOnly), [certificateHashData(roots.CSMSRootCertificate!)]);
  });

  it('TC_M_02_CSMS Install CA certificate - ManufacturerRootCertificate', async () => {
    const rec = await p.services.certificates.installCertificate('SIMM', 'ManufacturerRootCertificate', roots.ManufacturerRootCertificate!);
    assert.equal(rec.status, 'Accepted');
    assert.equal((await p.services.certificates.installed('SIMM', 'ManufacturerRootCertificate')).length, 1);
  });

  it('installs V2GRootCertificate and MORootCertificate (M05)', async () => {
    for (const t of ['V2GRootCertificate', 'MORootCertificate'] as const) {
      assert.equal((await p.services.certificates.installCertificate('SIMM', t, roots[t]!)).status, 'Accepted');
    }
  });

  it('TC_M_05_CSMS Install CA certificate - Failed', async () => {
    const installing = p.services.certificates.installCertificate('M201', 'CSMSRootCertificate', roots.CSMSRootCertificate!);
    const sent = await answerNext('InstallCertificate', { status: 'Failed' });
    assert.deepEqual(sent, { certificateType: 'CSMSRootCertificate', certificate: roots.CSMSRootCertificate });
    const rec = await installing;
    assert.equal(rec.status, 'Failed');
    assert.match(rec.failure ?? '', /station answered Failed/);
    assert.deepEqual(await p.services.certificates.installed('M201'), []);
  });

  it('a PEM that is not a certificate is refused before anything is sent', async () => {
    const before = (await p.services.commands.list('SIMM', { kind: 'installCertificate' })).length;
    await assert.rejects(p.services.certificates.installCertificate('SIMM', 'CSMSRootCertificate', 'not a certificate'), CertificateError);
    assert.equal((await p.services.commands.list('SIMM', { kind: 'installCertificate' })).length, before);
  });

  it('TC_M_18_CSMS Retrieve certificates from Charging Station - All certificateTypes', async () => {
    // a stale entry the station no longer has is dropped by the full report
    await p.repos.certificates.addInstalled('SIMM', { certificateType: 'MORootCertificate', hashAlgorithm: 'SHA256', issuerNameHash: 'ab', issuerKeyHash: 'cd', serialNumber: 'ef' });
    const rec = await p.services.certificates.getInstalledCertificateIds('SIMM');
    assert.equal(rec.status, 'Accepted');
    assert.equal((await p.services.commands.get(rec.id))?.command.certificateTypes, undefined);
    const known = await p.services.certificates.installed('SIMM');
    assert.deepEqual(known.map((k) => k.certificateType).sort(), ['CSMSRootCertificate', 'MORootCertificate', 'ManufacturerRootCertificate', 'V2GRootCertificate']);
    assert.ok(!known.some((k) => k.serialNumber === 'ef'));
  });

  it('GetInstalledCertificateIds for some types replaces only those types', async () => {
    await p.repos.certificates.addInstalled('SIMM', { certificateType: 'V2GRootCertificate', hashAlgorithm: 'SHA256', issuerNameHash: 'ab', issuerKeyHash: 'cd', serialNumber: 'ef' });
    await p.services.certificates.getInstalledCertificateIds('SIMM', ['CSMSRootCertificate']);
    assert.ok((await p.services.certificates.installed('SIMM', 'V2GRootCertificate')).some((k) => k.serialNumber === 'ef'));
    await p.services.certificates.getInstalledCertificateIds('SIMM', ['V2GRootCertificate', 'MORootCertificate']);
    assert.ok(!(await p.services.certificates.installed('SIMM', 'V2GRootCertificate')).some((k) => k.serialNumber === 'ef'));
  });

  it('TC_M_20_CSMS Delete a certificate from a Charging Station - Success', async () => {
    await p.services.certificates.getInstalledCertificateIds('SIMM', ['CSMSRootCertificate']);
    const [known] = await p.services.certificates.installed('SIMM', 'CSMSRootCertificate');
    const rec = await p.services.certificates.deleteCertificate('SIMM', { ...known!, hashAlgorithm: 'SHA256' });
    assert.equal(rec.status, 'Accepted');
    assert.deepEqual(await p.services.certificates.installed('SIMM', 'CSMSRootCertificate'), []);
    const again = await p.services.certificates.getInstalledCertificateIds('SIMM', ['CSMSRootCertificate']);
    assert.equal(again.status, 'NotFound');
  });

  it('TC_M_21_CSMS Delete a certificate from a Charging Station - Failed', async () => {
    const hash = { ...certificateHashData(roots.ManufacturerRootCertificate!), hashAlgorithm: 'SHA256' as const };
    await p.repos.certificates.addInstalled('M201', { certificateType: 'ManufacturerRootCertificate', ...hash });
    const deleting = p.services.certificates.deleteCertificate('M201', hash);
    assert.deepEqual(await answerNext('DeleteCertificate', { status: 'Failed' }), { certificateHashData: hash });
    assert.equal((await deleting).status, 'Failed');
    assert.equal((await p.services.certificates.installed('M201')).length, 1, 'a failed deletion keeps the certificate known');
  });

  it('deleting a certificate the station does not have is answered NotFound', async () => {
    const rec = await p.services.certificates.deleteCertificate('SIMM', { hashAlgorithm: 'SHA256', issuerNameHash: '00', issuerKeyHash: '11', serialNumber: '22' });
    assert.equal(rec.status, 'NotFound');
  });

  const exi = Buffer.from('EXI certificate installation request').toString('base64');
  const ocsp = { hashAlgorithm: 'SHA256', issuerNameHash: 'a1', issuerKeyHash: 'b2', serialNumber: 'c3', responderURL: 'http://ocsp.example.com' };

  it('Get15118EVCertificate without a provider answers Failed with a reason and is recorded (M01)', async () => {
    const res = await call('Get15118EVCertificate', { iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Install', exiRequest: exi });
    assert.deepEqual(res, { status: 'Failed', exiResponse: '', statusInfo: { reasonCode: 'NoProvider', additionalInfo: 'no ISO 15118 certificate provider is configured' } });
    const [rec] = await p.services.certificates.iso15118Requests('M201');
    assert.deepEqual([rec?.action, rec?.status, rec?.reason], ['Get15118EVCertificate', 'Failed', 'no ISO 15118 certificate provider is configured']);
    assert.deepEqual(rec?.request, { iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Install', exiRequestLength: exi.length });
  });

  it('GetCertificateStatus without a provider answers Failed with a reason and is recorded (M06)', async () => {
    const res = await call('GetCertificateStatus', { ocspRequestData: ocsp });
    assert.equal(res.status, 'Failed');
    assert.equal((res.statusInfo as Record<string, unknown>).reasonCode, 'NoProvider');
    const [rec] = await p.services.certificates.iso15118Requests('M201');
    assert.deepEqual([rec?.action, rec?.status, rec?.request.responderUrl, rec?.request.serialNumber], ['GetCertificateStatus', 'Failed', ocsp.responderURL, 'c3']);
  });

  it('with a configured provider its answers are passed on (M02 Update, M06), and a failing provider answers Failed', async () => {
    const provider: Iso15118Provider = {
      get15118EVCertificate: (req) => Promise.resolve({ status: 'Accepted', exiResponse: Buffer.from(`signed for ${req.stationId}`).toString('base64') }),
      getCertificateStatus: () => Promise.resolve({ status: 'Accepted', ocspResult: 'MAo=' }),
    };
    p.services.certificates.useIso15118Provider(provider);
    try {
      const ev = await call('Get15118EVCertificate', { iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Update', exiRequest: exi });
      assert.deepEqual(ev, { status: 'Accepted', exiResponse: Buffer.from('signed for M201').toString('base64') });
      assert.deepEqual(await call('GetCertificateStatus', { ocspRequestData: ocsp }), { status: 'Accepted', ocspResult: 'MAo=' });
      p.services.certificates.useIso15118Provider({ ...provider, getCertificateStatus: () => Promise.reject(new Error('responder down')) });
      const failed = await call('GetCertificateStatus', { ocspRequestData: ocsp });
      assert.deepEqual(failed, { status: 'Failed', statusInfo: { reasonCode: 'InternalError', additionalInfo: 'the certificate provider failed' } });
      const recorded = await p.services.certificates.iso15118Requests('M201');
      assert.deepEqual(recorded.slice(0, 3).map((r) => [r.action, r.status]), [['GetCertificateStatus', 'Failed'], ['GetCertificateStatus', 'Accepted'], ['Get15118EVCertificate', 'Accepted']]);
    } finally {
      p.services.certificates.useIso15118Provider(undefined);
    }
  });
});
