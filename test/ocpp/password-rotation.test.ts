import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadServerSecret } from '../../src/config/secret.js';
import { sealer } from '../../src/domain/crypto/sealed.js';
import { RotationRefused } from '../../src/domain/stations/password-rotation.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';

const connect = (p: TestPlatform, id: string, password: string) => RawClient.connect(`${p.ocppUrl}/${id}`, { protocols: ['ocpp2.0.1'], user: id, password });

describe('station password rotation (CR2)', () => {
  let p: TestPlatform;
  before(async () => {
    p = await startTestPlatform();
  });
  after(() => p.stop());

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

  it('is not sent over a plain ws connection; it waits, sealed', async () => {
    const old = (await p.services.stations.register('ROT-2', { securityProfile: 2 })).password;
    const c = await connect(p, 'ROT-2', old);
    const r = await p.services.passwordRotation.request('ROT-2', 'test');
    assert.equal(r.status, 'Requested');
    await assert.rejects(c.next(300), /no message/, 'no SetVariables reached the station');
    assert.ok((await p.repos.passwordRotations.list('ROT-2'))[0]?.sealedPassword?.startsWith('v1.'));
    c.close();
  });

  it('accepts old and new until the station logs in with the new one, then only the new one', async () => {
    const old = (await p.services.stations.register('ROT-3', { securityProfile: 2 })).password;
    await p.services.passwordRotation.request('ROT-3', 'test');
    const fresh = await sealedPassword('ROT-3');
    assert.notEqual(fresh, old);
    (await connect(p, 'ROT-3', old)).close();
    const c = await connect(p, 'ROT-3', fresh);
    c.close();
    await assert.rejects(connect(p, 'ROT-3', old), (e: { status?: number }) => e.status === 401);
    const [r] = await p.repos.passwordRotations.list('ROT-3');
    assert.deepEqual([r?.status, r?.sealedPassword], ['Completed', null]);
    const station = await p.repos.stations.get('ROT-3');
    assert.equal(station?.pendingPasswordHash, null);
  });

  it('a password set through SetVariables never reaches the journal or the device model', async () => {
    const password = await p.addStation('ROT-4');
    const c = await connect(p, 'ROT-4', password);
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
