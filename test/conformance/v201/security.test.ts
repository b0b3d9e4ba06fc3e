// OCPP 2.0.1 functional block A (Security): security events, station certificate signing,
// and B09 SetNetworkProfile (security profile / connection data), CSMS side.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NetworkConnectionData } from '../../../src/domain/commands.js';
import { certificatesOf } from '../../../src/sim/certificates.js';
import { SimulatedStation } from '../../../src/sim/station.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';
import { RawClient } from '../../helpers/raw-client.js';
import { csrFor, testCa } from '../../helpers/test-signer.js';
import { until } from '../../helpers/until.js';


describe('OCPP 2.0.1 block A security (CSMS)', () => {
  let p: TestPlatform;
  let c: RawClient;
  let sim: SimulatedStation;
  let n = 0;
  /** waits for a CSR newer than the newest one now, to reach `status` */
  const nextRequest = async (stationId: string, status: string) => {
    const last = (await p.services.certificates.requests(stationId))[0]?.id ?? 0;
    return async () => {
      let found;
      await until(`a new CSR of ${stationId} to be ${status}`, async () => {
        found = (await p.services.certificates.requests(stationId))[0];
        return found !== undefined && found.id > last && found.status === status;
      });
      return found!;
    };
  };
  const call = async (action: string, payload: unknown): Promise<Record<string, unknown>> => {
    const [type, , res] = await c.call(`m${++n}`, action, payload);
    assert.equal(type, 3, `${action} answered with ${JSON.stringify(res)}`);
    return res as Record<string, unknown>;
  };

  before(async () => {
    p = await startTestPlatform();
    const password = await p.addStation('SEC201');
    c = await RawClient.connect(`${p.ocppUrl}/SEC201`, { protocols: ['ocpp2.0.1'], user: 'SEC201', password });
    await call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
    sim = new SimulatedStation({ url: p.ocppUrl, identity: 'SIM201', password: await p.addStation('SIM201'), protocol: '2.0.1', meterIntervalMs: 0 });
    await sim.connect();
    await sim.boot();
  });
  after(async () => {
    c.close();
    await sim.close();
    await p.stop();
  });

  it('SecurityEventNotification (A04) is stored as station-reported with the severity of its type', async () => {
    const at = '2026-03-04T05:06:07.000Z';
    assert.deepEqual(await call('SecurityEventNotification', { type: 'InvalidTLSVersion', timestamp: at, techInfo: 'TLS 1.0 offered' }), {});
    await call('SecurityEventNotification', { type: 'StartupOfTheDevice', timestamp: at });
    // the station's own events, without the IDS's alert about them (PH3 on a TLS downgrade)
    const [boot, tls] = (await p.repos.securityEvents.list({ stationId: 'SEC201', limit: 10 })).filter((e) => e.type !== 'IdsAlert');
    assert.deepEqual([tls?.type, tls?.severity, tls?.origin, tls?.occurredAt.toISOString(), tls?.details.techInfo], ['InvalidTLSVersion', 'high', 'station', at, 'TLS 1.0 offered']);
    assert.deepEqual([boot?.severity, boot?.details.critical], ['info', true]);
  });

  it('SignCertificate without a configured signer is Rejected with statusInfo NoSigner, the CSR kept', async () => {
    const res = await call('SignCertificate', { csr: await csrFor('CN=SEC201, O=OV2X'), certificateType: 'ChargingStationCertificate' });
    assert.deepEqual(res, { status: 'Rejected', statusInfo: { reasonCode: 'NoSigner', additionalInfo: 'no certificate signer is configured' } });
    assert.equal((await p.services.certificates.requests('SEC201'))[0]?.status, 'NoSigner');
  });

  it('SignCertificate with a CSR whose signature does not verify is Rejected (InvalidCSR) and logged', async () => {
    p.services.certificates.useSigner(await testCa());
    try {
      const good = await csrFor('CN=SEC201, O=OV2X');
      // flip one byte of the base64 body inside the signature at the end of the CSR
      const body = good.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
      const bytes = Buffer.from(body, 'base64');
      bytes[bytes.length - 3]! ^= 0x01;
      const forged = `-----BEGIN CERTIFICATE REQUEST-----\n${bytes.toString('base64')}\n-----END CERTIFICATE REQUEST-----`;
      const res = await call('SignCertificate', { csr: forged });
      assert.equal(res.status, 'Rejected');
      assert.equal((res.statusInfo as Record<string, unknown>).reasonCode, 'InvalidCSR');
      const [event] = await p.repos.securityEvents.list({ stationId: 'SEC201', limit: 1 });
      assert.deepEqual([event?.type, event?.origin], ['CertificateSigningRequestRejected', 'csms']);
      // an organization other than the operator's is refused once one is configured: here none is, so O just has to be present
      assert.equal((await call('SignCertificate', { csr: await csrFor('CN=SEC201') })).status, 'Rejected');
    } finally {
      p.services.certificates.useSigner(undefined);
    }
  });

  it('A02: TriggerMessage SignChargingStationCertificate, the station sends a real CSR, the signed chain is delivered and accepted', async () => {
    const ca = await testCa();
    p.services.certificates.useSigner(ca);
    try {
      const delivered = await nextRequest('SIM201', 'Delivered');
      const trigger = await p.services.commands.send('SIM201', { kind: 'triggerMessage', message: 'SignChargingStationCertificate' });
      assert.equal(trigger.status, 'Accepted');
      const req = await delivered();
      assert.equal(req?.certificateType, 'ChargingStationCertificate');
      const cmd = await p.services.commands.get(req.commandId!);
      assert.deepEqual([cmd?.action, cmd?.status, cmd?.command.certificateType], ['CertificateSigned', 'Accepted', 'ChargingStationCertificate']);
      assert.ok(certificatesOf(sim).signed.ChargingStationCertificate);
    } finally {
      p.services.certificates.useSigner(undefined);
    }
  });

  it('A02 for the V2G (SECC) certificate: certificateType V2GCertificate travels through', async () => {
    p.services.certificates.useSigner(await testCa());
    try {
      const delivered = await nextRequest('SIM201', 'Delivered');
      await p.services.commands.send('SIM201', { kind: 'triggerMessage', message: 'SignV2GCertificate' });
      assert.equal((await delivered()).certificateType, 'V2GCertificate');
      assert.ok(certificatesOf(sim).signed.V2GCertificate);
    } finally {
      p.services.certificates.useSigner(undefined);
    }
  });

  it('TC_A_14_CSMS Update Charging Station Certificate by request of CSMS - Invalid certificate', async () => {
    // a signer that certifies the wrong key: the station rejects the chain and reports a security event
    p.services.certificates.useSigner(await testCa({ wrongKey: true }));
    try {
      const failed = await nextRequest('SIM201', 'DeliveryFailed');
      await p.services.commands.send('SIM201', { kind: 'triggerMessage', message: 'SignChargingStationCertificate' });
      const req = await failed();
      await until('the station security event', async () => (await p.repos.securityEvents.list({ stationId: 'SIM201', limit: 1 }))[0]?.type === 'InvalidChargingStationCertificate');
      const cmd = await p.services.commands.get(req.commandId!);
      assert.equal(cmd?.status, 'Rejected');
    } finally {
      p.services.certificates.useSigner(undefined);
    }
  });

  it('A02 with no signer: the station hears Rejected for its CSR and nothing is sent to it', async () => {
    const before = (await p.services.commands.list('SIM201', { kind: 'certificateSigned' })).length;
    const stored = await nextRequest('SIM201', 'NoSigner');
    await p.services.commands.send('SIM201', { kind: 'triggerMessage', message: 'SignChargingStationCertificate' });
    await stored();
    await p.services.certificates.settled();
    assert.equal((await p.services.commands.list('SIM201', { kind: 'certificateSigned' })).length, before);
  });

  const profile = (securityProfile: number): NetworkConnectionData => ({
    ocppVersion: 'OCPP20', ocppTransport: 'JSON', ocppCsmsUrl: 'wss://csms.example.com/ocpp', messageTimeout: 30, securityProfile, ocppInterface: 'Wireless0',
    apn: { apn: 'internet.example', apnUserName: 'u', apnPassword: 'apn-secret', simPin: 1234, apnAuthentication: 'CHAP' },
    vpn: { server: 'vpn.example.com', user: 'v', password: 'vpn-secret', key: 'vpn-key', type: 'IKEv2' },
  });

  it('SetNetworkProfile: the profile and its answer are stored, and no secret reaches the store or the journal', async () => {
    const rec = await p.services.certificates.setNetworkProfile('SIM201', 1, profile(2));
    assert.equal(rec.status, 'Accepted');
    // the station got the real secrets
    assert.equal(certificatesOf(sim).networkProfiles.get(1)?.vpn?.password, 'vpn-secret');
    const [stored] = await p.services.certificates.networkProfiles('SIM201');
    assert.deepEqual([stored?.configurationSlot, stored?.status, stored?.commandId], [1, 'Accepted', rec.id]);
    const everything = JSON.stringify([stored, await p.services.commands.get(rec.id)]);
    for (const secret of ['apn-secret', 'vpn-secret', 'vpn-key', '1234']) assert.ok(!everything.includes(secret), `${secret} was stored`);
    assert.match(everything, /\[redacted\]/);
  });

  it('SetNetworkProfile: a downgrade of the security profile and an unknown slot are Rejected and stored as such', async () => {
    certificatesOf(sim).securityProfile = 2;
    const down = await p.services.certificates.setNetworkProfile('SIM201', 2, profile(1));
    assert.equal(down.status, 'Rejected');
    const slot = await p.services.certificates.setNetworkProfile('SIM201', 9, profile(2));
    assert.deepEqual(slot.response, { status: 'Rejected', statusInfo: { reasonCode: 'InvalidConfSlot' } });
    const stored = await p.services.certificates.networkProfiles('SIM201');
    assert.deepEqual(stored.map((s) => [s.configurationSlot, s.status]), [[1, 'Accepted'], [2, 'Rejected'], [9, 'Rejected']]);
  });

  it('SetNetworkProfile to an offline station is journalled as Failed', async () => {
    await p.addStation('OFF201');
    const rec = await p.services.certificates.setNetworkProfile('OFF201', 1, profile(2));
    assert.equal(rec.status, 'Failed');
    assert.ok(!JSON.stringify(await p.services.commands.get(rec.id)).includes('vpn-secret'));
  });
});
