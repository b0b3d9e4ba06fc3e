// GET /stations/{id}/variables: what a station reported of its configuration (1.6 keys) or
// device model (2.0.1), within the caller's scope, credentials never shown.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/log/logger.js';
import { SimulatedStation } from '../../src/sim/station.js';
import { apiUser, call, type ApiUser } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { until } from '../helpers/until.js';

interface Variable { component: string; variable: string; value: string | null; attributeType: string }

describe('station variables API', () => {
  let p: TestPlatform;
  let admin: ApiUser;
  const sims: SimulatedStation[] = [];

  before(async () => {
    p = await startTestPlatform();
    await p.services.identity.stationGroups.create('north', 'North');
    for (const [id, protocol] of [['VAR-16', '1.6'], ['VAR-201', '2.0.1']] as const) {
      const s = new SimulatedStation({ url: p.ocppUrl, identity: id, password: await p.addStation(id), protocol, log: silentLogger });
      await s.connect();
      await s.boot();
      sims.push(s);
    }
    admin = await apiUser(p, ['admin']);
  });
  after(async () => {
    for (const s of sims) await s.close();
    await p.stop();
  });

  const readAfter = async (stationId: string, command: Record<string, unknown>, expect: (v: Variable[]) => boolean) => {
    const sent = await call<{ commandId: number }>(p, 'POST', `/stations/${stationId}/commands`, { token: admin.token, body: command });
    assert.equal(sent.status, 202);
    let items: Variable[] = [];
    await until(`${stationId} variables`, async () => {
      items = (await call<{ items: Variable[] }>(p, 'GET', `/stations/${stationId}/variables`, { token: admin.token })).body.items;
      return expect(items);
    });
    return items;
  };

  it('starts empty, and shows the 1.6 configuration keys once the station answered GetConfiguration; the AuthorizationKey value never', async () => {
    const empty = await call<{ items: Variable[] }>(p, 'GET', '/stations/VAR-16/variables', { token: admin.token });
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body.items, []);
    const items = await readAfter('VAR-16', { kind: 'getConfiguration' }, (v) => v.some((x) => x.variable === 'HeartbeatInterval'));
    assert.match(items.find((x) => x.variable === 'HeartbeatInterval')!.value ?? '', /^\d+$/);
    for (const x of items.filter((v) => v.variable === 'AuthorizationKey')) assert.ok(x.value === null || x.value === '[redacted]');
  });

  it('lists the certificates installed on the station as last reported, filtered by type; 404 for an unknown station', async () => {
    const hash = (serial: string) => ({ hashAlgorithm: 'SHA256', issuerNameHash: 'a'.repeat(64), issuerKeyHash: 'b'.repeat(64), serialNumber: serial });
    await p.repos.certificates.addInstalled('VAR-201', { certificateType: 'CSMSRootCertificate', ...hash('01') });
    await p.repos.certificates.addInstalled('VAR-201', { certificateType: 'V2GRootCertificate', ...hash('02'), childCertificates: [hash('03')] });
    type Installed = { certificateType: string; serialNumber: string; childCertificates: Array<{ serialNumber: string }> };
    const all = await call<{ items: Installed[] }>(p, 'GET', '/stations/VAR-201/installed-certificates', { token: admin.token });
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.items.map((c) => [c.certificateType, c.serialNumber, c.childCertificates.map((x) => x.serialNumber)]), [['CSMSRootCertificate', '01', []], ['V2GRootCertificate', '02', ['03']]]);
    const v2g = await call<{ items: Installed[] }>(p, 'GET', '/stations/VAR-201/installed-certificates?certificateType=V2GRootCertificate', { token: admin.token });
    assert.deepEqual(v2g.body.items.map((c) => c.serialNumber), ['02']);
    assert.equal((await call(p, 'GET', '/stations/NOPE-1/installed-certificates', { token: admin.token })).status, 404);
    for (const bad of ['?certificateType=', '?certificateType=' + 'x'.repeat(51), '?serial=01']) {
      assert.equal((await call(p, 'GET', `/stations/VAR-201/installed-certificates${bad}`, { token: admin.token })).status, 400, bad);
    }
  });

  it('shows the 2.0.1 device model after a base report, filtered by component', async () => {
    await readAfter('VAR-201', { kind: 'getBaseReport', reportBase: 'FullInventory' }, (v) => v.some((x) => x.component === 'OCPPCommCtrlr' && x.variable === 'HeartbeatInterval'));
    const only = await call<{ items: Variable[] }>(p, 'GET', '/stations/VAR-201/variables?component=OCPPCommCtrlr', { token: admin.token });
    assert.ok(only.body.items.length >= 1);
    assert.ok(only.body.items.every((x) => x.component === 'OCPPCommCtrlr'));
    assert.ok(!only.body.items.some((x) => x.variable === 'BasicAuthPassword' && x.value !== null && x.value !== '[redacted]'));
  });

  it('answers 404 outside the caller\'s scope and for unknown stations, 403 without stations:read, 400 for bad filters', async () => {
    const north = await apiUser(p, ['cpo_manager'], { groups: ['north'] });
    assert.equal((await call(p, 'GET', '/stations/VAR-16/variables', { token: north.token })).status, 404);
    assert.equal((await call(p, 'GET', '/stations/NOPE-1/variables', { token: admin.token })).status, 404);
    const billing = await apiUser(p, ['billing_manager']);
    assert.equal((await call(p, 'GET', '/stations/VAR-16/variables', { token: billing.token })).status, 403);
    assert.equal((await call(p, 'GET', '/stations/VAR-16/variables?color=red', { token: admin.token })).status, 400);
  });
});
