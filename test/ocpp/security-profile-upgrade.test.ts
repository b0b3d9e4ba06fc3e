import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UpgradeRefused } from '../../src/domain/stations/security-profile-upgrade.js';
import type { TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';
import { startTlsTestPlatform, type TestPki } from '../helpers/test-pki.js';
import { until } from '../helpers/until.js';

type Call = [number, string, string, Record<string, unknown>];

describe('security profile upgrade driven by the platform (1 → 2)', () => {
  let p: TestPlatform;
  let pki: TestPki;
  let stop: () => Promise<void>;
  before(async () => {
    ({ p, pki, stop } = await startTlsTestPlatform());
  });
  after(() => stop());

  const plain = (id: string, password: string, protocol: string) => RawClient.connect(`${p.ocppUrl}/${id}`, { protocols: [protocol], user: id, password });
  const secure = (id: string, password: string, protocol: string) =>
    RawClient.connect(`${p.tls!.ocppUrl}/${id}`, { protocols: [protocol], user: id, password, tls: { ca: pki.rootPem } });
  /** answers the CSMS's next CALL and returns it */
  const answer = async (c: RawClient, payload: Record<string, unknown>): Promise<Call> => {
    const call = (await c.next()) as Call;
    c.send(JSON.stringify([3, call[1], payload]));
    return call;
  };

  it('2.0.1: network profile in a slot, its priority, a reset; the profile rises when the station reconnects over TLS', async () => {
    const password = await p.addStation('UP-201');
    const c = await plain('UP-201', password, 'ocpp2.0.1');
    await c.call('b', 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
    const upgrading = p.services.securityProfileUpgrade.upgrade('UP-201', { to: 2, csmsUrl: p.tls!.ocppUrl, slot: 2 });
    const [, , a1, netProfile] = await answer(c, { status: 'Accepted' });
    assert.equal(a1, 'SetNetworkProfile');
    assert.deepEqual([netProfile.configurationSlot, (netProfile.connectionData as Record<string, unknown>).securityProfile], [2, 2]);
    const [, , a2, prio] = await answer(c, { setVariableResult: [{ attributeStatus: 'Accepted', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NetworkConfigurationPriority' } }] });
    assert.deepEqual([a2, (prio.setVariableData as Array<{ attributeValue: string }>)[0]?.attributeValue], ['SetVariables', '2']);
    const [, , a3] = await answer(c, { status: 'Accepted' });
    assert.equal(a3, 'Reset');
    assert.deepEqual((await upgrading).map((r) => r.status), ['Accepted', 'Accepted', 'Accepted']);
    assert.equal((await p.repos.stations.get('UP-201'))?.securityProfile, 1, 'not raised before the station proved the new profile');
    c.close();
    (await secure('UP-201', password, 'ocpp2.0.1')).close();
    await until('the upgraded profile', async () => (await p.repos.stations.get('UP-201'))?.securityProfile === 2);
    assert.equal((await p.repos.stations.get('UP-201'))?.securityProfile, 2);
    await assert.rejects(plain('UP-201', password, 'ocpp2.0.1'), (e: { status?: number }) => e.status === 403, 'plain ws is now a downgrade');
  });

  it('1.6: ChangeConfiguration SecurityProfile; a refusal clears the target and is recorded', async () => {
    const password = await p.addStation('UP-16');
    const c = await plain('UP-16', password, 'ocpp1.6');
    await c.call('b', 'BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
    const upgrading = p.services.securityProfileUpgrade.upgrade('UP-16', { to: 2, csmsUrl: p.tls!.ocppUrl });
    const [, , action, payload] = await answer(c, { status: 'Rejected' });
    assert.deepEqual([action, payload], ['ChangeConfiguration', { key: 'SecurityProfile', value: '2' }]);
    assert.equal((await upgrading)[0]?.status, 'Rejected');
    const s = await p.repos.stations.get('UP-16');
    assert.deepEqual([s?.securityProfile, s?.securityProfileTarget], [1, null]);
    assert.ok((await p.repos.securityEvents.list({ stationId: 'UP-16', limit: 5 })).some((e) => e.type === 'SecurityProfileUpgradeFailed'));
    c.close();
  });

  it('refuses what would not be an upgrade, or a plain ws URL', async () => {
    await p.services.stations.register('UP-2', { securityProfile: 2 });
    await assert.rejects(p.services.securityProfileUpgrade.upgrade('UP-2', { to: 2, csmsUrl: p.tls!.ocppUrl }), UpgradeRefused);
    await assert.rejects(p.services.securityProfileUpgrade.upgrade('UP-2', { to: 3, csmsUrl: p.ocppUrl }), /wss:\/\//);
  });
});
