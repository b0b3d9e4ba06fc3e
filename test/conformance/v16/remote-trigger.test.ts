// OCPP 1.6 Remote Trigger profile and the security whitepaper's ExtendedTriggerMessage, CSMS side.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SimulatedStation } from '../../../src/sim/station.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';
import { bootedStation, until } from '../helpers.js';

describe('OCPP 1.6 TriggerMessage and ExtendedTriggerMessage (CSMS)', () => {
  let p: TestPlatform;
  let st: SimulatedStation;

  before(async () => {
    p = await startTestPlatform();
    st = await bootedStation(p, 'T16', '1.6');
  });
  after(async () => {
    await st.close();
    await p.stop();
  });

  it('both TriggerMessage and ExtendedTriggerMessage are sendable and journalled', async () => {
    const plain = await p.services.commands.send('T16', { kind: 'triggerMessage', message: 'Heartbeat' });
    assert.deepEqual([plain.action, plain.status], ['TriggerMessage', 'Accepted']);
    const calls = st.calls;
    const extended = await p.services.commands.send('T16', { kind: 'extendedTriggerMessage', message: 'StatusNotification', evseId: 1 });
    assert.deepEqual([extended.action, extended.status], ['ExtendedTriggerMessage', 'Accepted']);
    await until('the triggered StatusNotification', () => st.calls > calls);
  });

  it('ExtendedTriggerMessage BootNotification makes the station boot again', async () => {
    const before = (await p.repos.stations.get('T16'))?.lastBootAt?.getTime() ?? 0;
    assert.equal((await p.services.commands.send('T16', { kind: 'extendedTriggerMessage', message: 'BootNotification' })).status, 'Accepted');
    await until('a new boot', async () => ((await p.repos.stations.get('T16'))?.lastBootAt?.getTime() ?? 0) > before);
  });

  it('ExtendedTriggerMessage SignChargePointCertificate makes the station send a CSR, which is stored', async () => {
    const r = await p.services.commands.send('T16', { kind: 'extendedTriggerMessage', message: 'SignChargePointCertificate' });
    assert.equal(r.status, 'Accepted');
    await until('the triggered SignCertificate', async () => (await p.services.certificates.requests('T16')).length > 0);
    assert.match((await p.services.certificates.requests('T16'))[0]!.csr, /BEGIN CERTIFICATE REQUEST/);
  });

  it('ExtendedTriggerMessage for an unknown connector is Rejected', async () => {
    assert.equal((await p.services.commands.send('T16', { kind: 'extendedTriggerMessage', message: 'MeterValues', evseId: 9 })).status, 'Rejected');
  });

  it('GetTransactionStatus has no 1.6 equivalent: recorded as NotSupported, never sent', async () => {
    const r = await p.services.commands.send('T16', { kind: 'getTransactionStatus' });
    assert.equal(r.status, 'Failed');
    assert.match(r.failure ?? '', /^NotSupported/);
  });
});
