import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadServerSecret } from '../../src/config/secret.js';
import { sealer } from '../../src/domain/crypto/sealed.js';
import { RotationRefused } from '../../src/domain/stations/password-rotation.js';
import type { TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';
import { startTlsTestPlatform, type TestPki } from '../helpers/test-pki.js';

type SetVariables = [number, string, string, { setVariableData: Array<{ attributeValue: string; component: { name: string }; variable: { name: string } }> }];

describe('station password rotation (CR2)', () => {
  let p: TestPlatform;
  let pki: TestPki;
  let stop: () => Promise<void>;
  before(async () => {
    ({ p, pki, stop } = await startTlsTestPlatform());
  });
  after(() => stop());
  /** profile 2: Basic auth over wss */
  const connect = (id: string, password: string) =>
    RawClient.connect(`${p.tls!.ocppUrl}/${id}`, { protocols: ['ocpp2.0.1'], user: id, password, tls: { ca: pki.rootPem } });

  /** the new password, as only the platform knows it (sealed until the station has it) */
  const sealedPassword = async (id: string) => {
    const [r] = await p.repos.passwordRotations.list(id, 1);
    return sealer(loadServerSecret(p.config), 'station-password-escrow').open(r!.sealedPassword!).toString();
  };

  it('is refused for a station on security profile 1: its password would cross plain ws', async () => {
    await p.addStation('ROT-1');
    await assert.rejects(p.services.passwordRotation.request('ROT-1', 'test'), RotationRefused);
    assert.deepEqual(await p.repos.passwordRotations.list('ROT-1'), []);
  });

  it('waits, sealed, while the station is offline; both passwords work until the station uses the new one', async () => {
    const old = (await p.services.stations.register('ROT-2', { securityProfile: 2 })).password;
    const r = await p.services.passwordRotation.request('ROT-2', 'test');
    assert.equal(r.status, 'Requested');
    const fresh = await sealedPassword('ROT-2');
    assert.notEqual(fresh, old);
    (await connect('ROT-2', old)).close();
    (await connect('ROT-2', fresh)).close();
    await assert.rejects(connect('ROT-2', old), (e: { status?: number }) => e.status === 401);
    const [done] = await p.repos.passwordRotations.list('ROT-2');
    assert.deepEqual([done?.status, done?.sealedPassword], ['Completed', null]);
    assert.equal((await p.repos.stations.get('ROT-2'))?.pendingPasswordHash, null);
  });

  it('is sent over TLS with SetVariables, then completed when the station reconnects with it', async () => {
    const old = (await p.services.stations.register('ROT-3', { securityProfile: 2 })).password;
    const c = await connect('ROT-3', old);
    await c.call('b', 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
    const requesting = p.services.passwordRotation.request('ROT-3', 'test');
    const [, id, action, payload] = (await c.next()) as SetVariables;
    const d = payload.setVariableData[0]!;
    assert.deepEqual([action, d.component.name, d.variable.name], ['SetVariables', 'SecurityCtrlr', 'BasicAuthPassword']);
    c.send(JSON.stringify([3, id, { setVariableResult: [{ attributeStatus: 'Accepted', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] }]));
    const sent = await requesting;
    assert.deepEqual([sent.status, sent.sealedPassword], ['Sent', null], 'the sealed copy is wiped once the station has it');
    c.close();
    (await connect('ROT-3', d.attributeValue)).close();
    await assert.rejects(connect('ROT-3', old), (e: { status?: number }) => e.status === 401);
    assert.equal((await p.services.passwordRotation.history('ROT-3'))[0]?.status, 'Completed');
  });

  it('a refusal by the station ends the rotation, drops the pending password and is recorded', async () => {
    const old = (await p.services.stations.register('ROT-5', { securityProfile: 2 })).password;
    const c = await connect('ROT-5', old);
    await c.call('b', 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
    const requesting = p.services.passwordRotation.request('ROT-5', 'test');
    const [, id] = (await c.next()) as SetVariables;
    c.send(JSON.stringify([3, id, { setVariableResult: [{ attributeStatus: 'Rejected', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] }]));
    assert.equal((await requesting).status, 'Rejected');
    assert.equal((await p.repos.stations.get('ROT-5'))?.pendingPasswordHash, null);
    assert.ok((await p.repos.securityEvents.list({ stationId: 'ROT-5', limit: 5 })).some((e) => e.type === 'PasswordRotationFailed'));
    c.close();
  });

  it('a password set through SetVariables never reaches the journal or the device model', async () => {
    const password = await p.addStation('ROT-4');
    const c = await RawClient.connect(`${p.ocppUrl}/ROT-4`, { protocols: ['ocpp2.0.1'], user: 'ROT-4', password });
    await c.call('b', 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
    const sending = p.services.deviceModel.setVariables('ROT-4', [{ component: 'SecurityCtrlr', variable: 'BasicAuthPassword', value: 'a-new-secret-password-123' }]);
    const [, id, , payload] = (await c.next()) as [number, string, string, { setVariableData: Array<{ attributeValue: string; component: { name: string }; variable: { name: string } }> }];
    assert.equal(payload.setVariableData[0]?.attributeValue, 'a-new-secret-password-123', 'the station gets the real value');
    c.send(JSON.stringify([3, id, { setVariableResult: [{ attributeStatus: 'Accepted', component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' } }] }]));
    const [rec] = await sending;
    assert.ok(!JSON.stringify(rec?.command).includes('a-new-secret-password-123'));
    assert.ok(!JSON.stringify(await p.services.deviceModel.list('ROT-4')).includes('a-new-secret-password-123'));
    c.close();
  });
});
