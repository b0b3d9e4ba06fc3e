// OCPP 1.6 Security Whitepaper ed. 3: certificate management and security events, CSMS side.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { certificateHashData } from '../../../src/domain/certificates/x509.js';
import { SimulatedStation } from '../../../src/sim/station.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';
import { RawClient } from '../../helpers/raw-client.js';
import { csrFor, rootCertificate, testCa } from '../../helpers/test-signer.js';

type Frame = [number, string, string, Record<string, unknown>];

describe('OCPP 1.6 security extension (CSMS)', () => {
  let p: TestPlatform;
  let c: RawClient;
  let sim: SimulatedStation;
  let n = 0;
  const call = async (action: string, payload: unknown): Promise<Record<string, unknown>> => {
    const [type, , res] = await c.call(`m${++n}`, action, payload);
    assert.equal(type, 3, `${action} answered with ${JSON.stringify(res)}`);
    return res as Record<string, unknown>;
  };
  /** answers the platform's next CALL to the raw station */
  const answerNext = async (expected: string, response: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const [, id, action, payload] = (await c.next()) as Frame;
    assert.equal(action, expected);
    c.send(JSON.stringify([3, id, response]));
    return payload;
  };
  // the station's security events, without the IDS's own alerts about it (e.g. PH3 on a tamper)
  const events = async (stationId: string) => (await p.repos.securityEvents.list({ stationId, limit: 50 })).filter((e) => e.type !== 'IdsAlert');

  before(async () => {
    p = await startTestPlatform();
    const password = await p.addStation('SEC16');
    c = await RawClient.connect(`${p.ocppUrl}/SEC16`, { protocols: ['ocpp1.6'], user: 'SEC16', password });
    await call('BootNotification', { chargePointVendor: 'Volt', chargePointModel: 'M16' });
    sim = new SimulatedStation({ url: p.ocppUrl, identity: 'SIM16', password: await p.addStation('SIM16'), protocol: '1.6', meterIntervalMs: 0 });
    await sim.connect();
    await sim.boot();
  });
  after(async () => {
    c.close();
    await sim.close();
    await p.stop();
  });

  it('SecurityEventNotification is stored as station-reported, at its timestamp, with the severity of its type', async () => {
    const at = '2026-01-02T03:04:05.000Z';
    assert.deepEqual(await call('SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: at, techInfo: 'door opened' }), {});
    await call('SecurityEventNotification', { type: 'VendorSpecificThing', timestamp: new Date().toISOString() });
    const [unknown, tamper] = await events('SEC16');
    assert.deepEqual([tamper?.type, tamper?.severity, tamper?.origin, tamper?.occurredAt.toISOString()], ['TamperDetectionActivated', 'critical', 'station', at]);
    assert.deepEqual(tamper?.details, { critical: true, standard: true, techInfo: 'door opened' });
    assert.deepEqual([unknown?.severity, unknown?.details.standard], ['warning', false]);
  });

  it('SignCertificate without a configured signer is Rejected and the CSR kept as NoSigner', async () => {
    const csr = await csrFor('CN=SEC16, O=OV2X');
    assert.deepEqual(await call('SignCertificate', { csr }), { status: 'Rejected' });
    const [req] = await p.services.certificates.requests('SEC16');
    assert.deepEqual([req?.status, req?.certificateType, req?.csr], ['NoSigner', 'ChargingStationCertificate', csr]);
  });

  it('SignCertificate with a CSR for another identity, or one that does not parse, is Rejected and logged as a security event', async () => {
    p.services.certificates.useSigner(await testCa());
    try {
      assert.deepEqual(await call('SignCertificate', { csr: await csrFor('CN=SOMEONE-ELSE, O=OV2X') }), { status: 'Rejected' });
      assert.deepEqual(await call('SignCertificate', { csr: '-----BEGIN CERTIFICATE REQUEST-----\nnonsense\n-----END CERTIFICATE REQUEST-----' }), { status: 'Rejected' });
      const [bad, other] = await p.services.certificates.requests('SEC16');
      assert.equal(other?.status, 'Rejected');
      assert.match(other?.reason ?? '', /not the station identity/);
      assert.match(bad?.reason ?? '', /not a PEM PKCS#10/);
      const logged = (await events('SEC16')).filter((e) => e.type === 'CertificateSigningRequestRejected');
      assert.equal(logged.length, 2);
      assert.equal(logged[0]?.origin, 'csms');
    } finally {
      p.services.certificates.useSigner(undefined);
    }
  });

  it('TC_074_CSMS Update Charge Point Certificate by request of Central System (from the SignCertificate.req on)', async () => {
    const ca = await testCa();
    p.services.certificates.useSigner(ca);
    try {
      assert.deepEqual(await call('SignCertificate', { csr: await csrFor('CN=SEC16, O=OV2X') }), { status: 'Accepted' });
      const sent = await answerNext('CertificateSigned', { status: 'Accepted' });
      // 1.6 CertificateSigned has no certificateType
      assert.deepEqual(Object.keys(sent), ['certificateChain']);
      assert.match(String(sent.certificateChain), /BEGIN CERTIFICATE[\s\S]+BEGIN CERTIFICATE/);
      await p.services.certificates.settled();
      const [req] = await p.services.certificates.requests('SEC16');
      assert.equal(req?.status, 'Delivered');
      const cmd = await p.services.commands.get(req!.commandId!);
      assert.deepEqual([cmd?.kind, cmd?.action, cmd?.status], ['certificateSigned', 'CertificateSigned', 'Accepted']);
    } finally {
      p.services.certificates.useSigner(undefined);
    }
  });

  it('TC_077_CSMS Invalid ChargePointCertificate Security Event', async () => {
    p.services.certificates.useSigner(await testCa());
    try {
      assert.deepEqual(await call('SignCertificate', { csr: await csrFor('CN=SEC16, O=OV2X') }), { status: 'Accepted' });
      await answerNext('CertificateSigned', { status: 'Rejected' });
      await p.services.certificates.settled();
      const [req] = await p.services.certificates.requests('SEC16');
      assert.equal(req?.status, 'DeliveryFailed');
      assert.match(req?.reason ?? '', /Rejected/);
      await call('SecurityEventNotification', { type: 'InvalidChargePointCertificate', timestamp: new Date().toISOString() });
      const [e] = await events('SEC16');
      assert.deepEqual([e?.type, e?.severity, e?.origin], ['InvalidChargePointCertificate', 'high', 'station']);
    } finally {
      p.services.certificates.useSigner(undefined);
    }
  });

  it('TC_078_CSMS Invalid CentralSystemCertificate Security Event', async () => {
    const root = await rootCertificate('Central System Root 2');
    const installing = p.services.certificates.installCertificate('SEC16', 'CSMSRootCertificate', root);
    const sent = await answerNext('InstallCertificate', { status: 'Rejected' });
    assert.equal(sent.certificateType, 'CentralSystemRootCertificate');
    const rec = await installing;
    assert.equal(rec.status, 'Rejected');
    assert.deepEqual(await p.services.certificates.installed('SEC16'), []);
    await call('SecurityEventNotification', { type: 'InvalidCentralSystemCertificate', timestamp: new Date().toISOString() });
    assert.equal((await events('SEC16'))[0]?.type, 'InvalidCentralSystemCertificate');
  });

  it('TC_075_1_CSMS Install a certificate on the Charge Point - ManufacturerRootCertificate', async () => {
    const root = await rootCertificate('Manufacturer Root');
    const installed = await p.services.certificates.installCertificate('SIM16', 'ManufacturerRootCertificate', root);
    assert.equal(installed.status, 'Accepted');
    const listed = await p.services.certificates.getInstalledCertificateIds('SIM16', ['ManufacturerRootCertificate']);
    assert.equal(listed.status, 'Accepted');
    const inventory = await p.services.certificates.installed('SIM16', 'ManufacturerRootCertificate');
    // the station's own hash data equals ours
    assert.deepEqual(inventory.map((i) => ({ hashAlgorithm: i.hashAlgorithm, issuerNameHash: i.issuerNameHash, issuerKeyHash: i.issuerKeyHash, serialNumber: i.serialNumber })), [certificateHashData(root)]);
  });

  it('installs a CSMSRootCertificate as CentralSystemRootCertificate and refuses 2.0.1-only types without sending', async () => {
    const root = await rootCertificate('Central System Root');
    assert.equal((await p.services.certificates.installCertificate('SIM16', 'CSMSRootCertificate', root)).status, 'Accepted');
    await p.services.certificates.getInstalledCertificateIds('SIM16', ['CSMSRootCertificate']);
    assert.equal((await p.services.certificates.installed('SIM16', 'CSMSRootCertificate')).length, 1);
    const v2g = await p.services.certificates.installCertificate('SIM16', 'V2GRootCertificate', root);
    assert.equal(v2g.status, 'Failed');
    assert.match(v2g.failure ?? '', /^NotSupported: OCPP 1.6 has no V2GRootCertificate/);
    const all = await p.services.certificates.getInstalledCertificateIds('SIM16');
    assert.match(all.failure ?? '', /exactly one certificate type/);
  });

  it('TC_076_CSMS Delete a specific certificate from the Charge Point', async () => {
    const root = await rootCertificate('Central System Root 2');
    await p.services.certificates.installCertificate('SIM16', 'CSMSRootCertificate', root);
    await p.services.certificates.getInstalledCertificateIds('SIM16', ['CSMSRootCertificate']);
    const known = await p.services.certificates.installed('SIM16', 'CSMSRootCertificate');
    assert.equal(known.length, 2);
    const hash = certificateHashData(root);
    const del = await p.services.certificates.deleteCertificate('SIM16', { ...hash, hashAlgorithm: 'SHA256' });
    assert.equal(del.status, 'Accepted');
    assert.equal((await p.services.certificates.installed('SIM16', 'CSMSRootCertificate')).length, 1);
    await p.services.certificates.getInstalledCertificateIds('SIM16', ['CSMSRootCertificate']);
    assert.ok(!(await p.services.certificates.installed('SIM16', 'CSMSRootCertificate')).some((i) => i.serialNumber === hash.serialNumber));
  });

  it('deleting an unknown certificate is answered NotFound; a command to an offline station is journalled as Failed', async () => {
    const hash = { hashAlgorithm: 'SHA256' as const, issuerNameHash: 'aa', issuerKeyHash: 'bb', serialNumber: '1234' };
    const del = await p.services.certificates.deleteCertificate('SIM16', hash);
    assert.equal(del.status, 'NotFound');
    assert.deepEqual(del.response, { status: 'NotFound' });
    await p.addStation('OFF16');
    const off = await p.services.certificates.deleteCertificate('OFF16', hash);
    assert.equal(off.status, 'Failed');
    assert.match(off.failure ?? '', /^Offline/);
  });

  it('GetInstalledCertificateIds NotFound empties the known inventory of that type', async () => {
    const hashes = (await p.services.certificates.installed('SIM16', 'ManufacturerRootCertificate')).map((i) => ({ ...i, hashAlgorithm: 'SHA256' as const }));
    for (const h of hashes) await p.services.certificates.deleteCertificate('SIM16', h);
    const r = await p.services.certificates.getInstalledCertificateIds('SIM16', ['ManufacturerRootCertificate']);
    assert.equal(r.status, 'NotFound');
    assert.deepEqual(await p.services.certificates.installed('SIM16', 'ManufacturerRootCertificate'), []);
  });
});
