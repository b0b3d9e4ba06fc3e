// The simulator's certificate management, against the tiny CSMS: what it sends and answers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { certificateHashData, verifiedCsr } from '../../src/domain/certificates/x509.js';
import { certificatesOf } from '../../src/sim/certificates.js';
import { SimulatedStation } from '../../src/sim/station.js';
import type { SimProtocol } from '../../src/sim/types.js';
import { rootCertificate, testCa } from '../helpers/test-signer.js';
import { startCsms, type TinyCsms } from './csms.js';

let csms: TinyCsms;
const open: SimulatedStation[] = [];
let seq = 0;

async function booted(protocol: SimProtocol): Promise<SimulatedStation> {
  const st = new SimulatedStation({ url: csms.url, identity: `CERT-${++seq}`, protocol, meterIntervalMs: 0 });
  open.push(st);
  await st.connect();
  await st.boot();
  return st;
}

before(async () => {
  csms = await startCsms();
});
after(async () => {
  await Promise.all(open.map((s) => s.close()));
  await csms.close();
});

describe('simulated station: certificates', () => {
  it('1.6: ExtendedTriggerMessage SignChargePointCertificate sends a CSR naming the station, signed by a fresh key', async () => {
    const st = await booted('1.6');
    const peer = await csms.peer(st.identity);
    assert.deepEqual(await peer.call('ExtendedTriggerMessage', { requestedMessage: 'SignChargePointCertificate' }), { status: 'Accepted' });
    const sign = await csms.waitFor((r) => r.identity === st.identity && r.action === 'SignCertificate');
    assert.deepEqual(Object.keys(sign.payload), ['csr']);
    const { subject } = await verifiedCsr(sign.payload.csr);
    assert.deepEqual(subject, { commonName: st.identity, organization: 'OV2X' });
    // the chain signed for that CSR is accepted; one for another key is rejected with a security event
    const good = await (await testCa()).sign({ stationId: st.identity, certificateType: 'ChargingStationCertificate', csrPem: sign.payload.csr });
    const bad = await (await testCa({ wrongKey: true })).sign({ stationId: st.identity, certificateType: 'ChargingStationCertificate', csrPem: sign.payload.csr });
    const from = csms.received.length;
    assert.deepEqual(await peer.call('CertificateSigned', { certificateChain: bad }), { status: 'Rejected' });
    const event = await csms.waitFor((r) => r.identity === st.identity && r.action === 'SecurityEventNotification', 3000, from);
    assert.equal(event.payload.type, 'InvalidChargePointCertificate');
    assert.deepEqual(await peer.call('CertificateSigned', { certificateChain: good }), { status: 'Accepted' });
    assert.deepEqual(await peer.call('CertificateSigned', { certificateChain: 'not a chain' }), { status: 'Rejected' });
  });

  it('1.6: installs, lists and deletes root certificates by hash data', async () => {
    const st = await booted('1.6');
    const peer = await csms.peer(st.identity);
    const root = await rootCertificate('Root 16');
    assert.deepEqual(await peer.call('InstallCertificate', { certificateType: 'CentralSystemRootCertificate', certificate: root }), { status: 'Accepted' });
    const mark = csms.received.length;
    assert.deepEqual(await peer.call('InstallCertificate', { certificateType: 'CentralSystemRootCertificate', certificate: 'junk' }), { status: 'Rejected' });
    const event = await csms.waitFor((r) => r.identity === st.identity && r.action === 'SecurityEventNotification', 3000, mark);
    assert.equal(event.payload.type, 'InvalidCentralSystemCertificate');
    assert.deepEqual(await peer.call('GetInstalledCertificateIds', { certificateType: 'ManufacturerRootCertificate' }), { status: 'NotFound' });
    const listed = await peer.call('GetInstalledCertificateIds', { certificateType: 'CentralSystemRootCertificate' });
    assert.deepEqual(listed, { status: 'Accepted', certificateHashData: [certificateHashData(root)] });
    assert.deepEqual(await peer.call('DeleteCertificate', { certificateHashData: certificateHashData(root) }), { status: 'Accepted' });
    assert.deepEqual(await peer.call('DeleteCertificate', { certificateHashData: certificateHashData(root) }), { status: 'NotFound' });
  });

  it('2.0.1: TriggerMessage SignV2GCertificate sends a CSR with its certificateType; GetInstalledCertificateIds reports the chain', async () => {
    const st = await booted('2.0.1');
    const peer = await csms.peer(st.identity);
    assert.deepEqual(await peer.call('TriggerMessage', { requestedMessage: 'SignV2GCertificate' }), { status: 'Accepted' });
    const sign = await csms.waitFor((r) => r.identity === st.identity && r.action === 'SignCertificate');
    assert.equal(sign.payload.certificateType, 'V2GCertificate');
    const ca = await testCa();
    const chain = await ca.sign({ stationId: st.identity, certificateType: 'V2GCertificate', csrPem: sign.payload.csr });
    assert.deepEqual(await peer.call('CertificateSigned', { certificateChain: chain, certificateType: 'V2GCertificate' }), { status: 'Accepted' });
    const root = await rootCertificate('V2G Root');
    await peer.call('InstallCertificate', { certificateType: 'V2GRootCertificate', certificate: root });
    const all = await peer.call('GetInstalledCertificateIds', {});
    assert.deepEqual((all.certificateHashDataChain as Array<{ certificateType: string }>).map((c) => c.certificateType).sort(), ['V2GCertificateChain', 'V2GRootCertificate']);
    const only = await peer.call('GetInstalledCertificateIds', { certificateType: ['CSMSRootCertificate'] });
    assert.deepEqual(only, { status: 'NotFound' });
  });

  it('2.0.1: SetNetworkProfile keeps the profile of a valid slot and refuses downgrades; refusals follow behaviour.reject', async () => {
    const st = await booted('2.0.1');
    const peer = await csms.peer(st.identity);
    const connectionData = { ocppVersion: 'OCPP20', ocppTransport: 'JSON', ocppCsmsUrl: 'wss://x.example', messageTimeout: 30, securityProfile: 2, ocppInterface: 'Wired0' };
    assert.deepEqual(await peer.call('SetNetworkProfile', { configurationSlot: 2, connectionData }), { status: 'Accepted' });
    assert.equal(certificatesOf(st).networkProfiles.get(2)?.ocppCsmsUrl, 'wss://x.example');
    certificatesOf(st).securityProfile = 3;
    assert.equal((await peer.call('SetNetworkProfile', { configurationSlot: 1, connectionData })).status, 'Rejected');
    const stubborn = new SimulatedStation({ url: csms.url, identity: `CERT-${++seq}`, protocol: '2.0.1', meterIntervalMs: 0, behaviour: { reject: new Set(['InstallCertificate', 'DeleteCertificate']) } });
    open.push(stubborn);
    await stubborn.connect();
    await stubborn.boot();
    const p2 = await csms.peer(stubborn.identity);
    assert.deepEqual(await p2.call('InstallCertificate', { certificateType: 'CSMSRootCertificate', certificate: await rootCertificate('R') }), { status: 'Rejected' });
    assert.deepEqual(await p2.call('DeleteCertificate', { certificateHashData: { hashAlgorithm: 'SHA256', issuerNameHash: 'a', issuerKeyHash: 'b', serialNumber: 'c' } }), { status: 'Failed' });
  });
});
