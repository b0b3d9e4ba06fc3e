// 1.6 configuration keys in the neutral device model store (component OCPP16Configuration),
// filled from the simulator's GetConfiguration / ChangeConfiguration answers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { V16_CONFIGURATION } from '../../src/domain/device-model/device-model-service.js';
import { silentLogger } from '../../src/log/logger.js';
import { SimulatedStation } from '../../src/sim/station.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

describe('1.6 configuration keys in the device model store', () => {
  let p: TestPlatform;
  let st: SimulatedStation;
  const ID = 'CFG16';
  before(async () => {
    p = await startTestPlatform();
    st = new SimulatedStation({ url: p.ocppUrl, identity: ID, password: await p.addStation(ID), protocol: '1.6', log: silentLogger });
    await st.connect();
    await st.boot();
  });
  after(async () => {
    await st.close();
    await p.stop();
  });

  it('GetConfiguration stores every key with its value and readonly flag; unknown keys are recorded', async () => {
    const all = await p.services.deviceModel.getConfiguration(ID);
    assert.equal(all.status, 'Accepted');
    const rows = await p.services.deviceModel.list(ID, { component: V16_CONFIGURATION });
    assert.ok(rows.length >= 20);
    const n = await p.services.deviceModel.get(ID, V16_CONFIGURATION, 'NumberOfConnectors');
    assert.deepEqual([n?.value, n?.mutability, n?.status], ['2', 'ReadOnly', 'Accepted']);
    const secret = await p.services.deviceModel.get(ID, V16_CONFIGURATION, 'AuthorizationKey');
    assert.equal(secret?.value, null, 'a write-only key has no value to store');
    await p.services.deviceModel.getConfiguration(ID, ['HeartbeatInterval', 'NoSuchKey']);
    const unknown = await p.services.deviceModel.get(ID, V16_CONFIGURATION, 'NoSuchKey');
    assert.deepEqual([unknown?.status, unknown?.statusReason, unknown?.value], ['UnknownVariable', 'UnknownKey', null]);
  });

  it('ChangeConfiguration: Accepted stores the value, Rejected and NotSupported are recorded without touching it', async () => {
    assert.equal((await p.services.deviceModel.changeConfiguration(ID, 'ResetRetries', '3')).status, 'Accepted');
    assert.equal((await p.services.deviceModel.get(ID, V16_CONFIGURATION, 'ResetRetries'))?.value, '3');
    assert.equal((await p.services.deviceModel.changeConfiguration(ID, 'NumberOfConnectors', '4')).status, 'Rejected');
    const ro = await p.services.deviceModel.get(ID, V16_CONFIGURATION, 'NumberOfConnectors');
    assert.deepEqual([ro?.value, ro?.status], ['2', 'Rejected']);
    assert.equal((await p.services.deviceModel.changeConfiguration(ID, 'VendorMagic', 'x')).status, 'NotSupported');
    assert.equal((await p.services.deviceModel.get(ID, V16_CONFIGURATION, 'VendorMagic'))?.status, 'NotSupported');
  });
});
