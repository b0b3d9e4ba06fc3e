// OCPP 2.0.1 functional block B (provisioning), CSMS side: device model reads, writes and
// reports against the simulator over a real socket. Test ids are the OCTT CSMS test cases.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CommandRecord } from '../../../src/domain/journal/command-service.js';
import { silentLogger } from '../../../src/log/logger.js';
import { SimulatedStation } from '../../../src/sim/station.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';
import { RawClient } from '../../helpers/raw-client.js';

type Frame = [number, string, string, Record<string, unknown>];

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('2.0.1 block B — Provisioning (CSMS)', () => {
  let p: TestPlatform;
  let st: SimulatedStation;
  const ID = 'B-SIM';
  const finished = (rec: CommandRecord) => eventually(async () => {
    const r = await p.services.commands.get(rec.id);
    return r?.progress === 'Completed' || r?.progress === 'Incomplete' ? r : undefined;
  }, `report ${rec.id}`);

  before(async () => {
    p = await startTestPlatform();
    st = new SimulatedStation({ url: p.ocppUrl, identity: ID, password: await p.addStation(ID), protocol: '2.0.1', log: silentLogger });
    await st.connect();
    assert.equal((await st.boot()).status, 'Accepted');
  });
  after(async () => {
    await st.close();
    await p.stop();
  });

  it('TC_B_06_CSMS Get Variables - single value', async () => {
    const [rec] = await p.services.deviceModel.getVariables(ID, [{ component: 'OCPPCommCtrlr', variable: 'OfflineThreshold' }]);
    assert.equal(rec?.status, 'Accepted');
    const v = await p.services.deviceModel.get(ID, 'OCPPCommCtrlr', 'OfflineThreshold');
    assert.deepEqual([v?.value, v?.status], ['600', 'Accepted']);
  });

  it('TC_B_07_CSMS Get Variables - multiple values', async () => {
    await p.services.deviceModel.getVariables(ID, [
      { component: 'EVSE', evseId: 2, variable: 'Power' },
      { component: 'ChargingStation', variable: 'Model' },
      { component: 'NoSuchCtrlr', variable: 'Enabled' },
      { component: 'SecurityCtrlr', variable: 'BasicAuthPassword' },
    ]);
    assert.deepEqual([(await p.services.deviceModel.get(ID, 'EVSE', 'Power', { evseId: 2 }))?.value, (await p.services.deviceModel.get(ID, 'ChargingStation', 'Model'))?.value], ['11000', 'SimCharger']);
    // what the station could not answer is recorded with its status, never as a value
    const unknown = await p.services.deviceModel.get(ID, 'NoSuchCtrlr', 'Enabled');
    assert.deepEqual([unknown?.status, unknown?.value], ['UnknownComponent', null]);
    const secret = await p.services.deviceModel.get(ID, 'SecurityCtrlr', 'BasicAuthPassword');
    assert.deepEqual([secret?.status, secret?.statusReason, secret?.value], ['Rejected', 'WriteOnly', null]);
  });

  it('TC_B_08_CSMS Get Variables - limit to maximum number of values', async () => {
    const refs = Array.from({ length: 20 }, (_, i) => ({ component: 'OCPPCommCtrlr', variable: i % 2 ? 'OfflineThreshold' : 'ResetRetries', attributeType: 'Actual' as const }));
    const limited = new SimulatedStation({ url: p.ocppUrl, identity: 'B-LIMIT2', password: await p.addStation('B-LIMIT2'), protocol: '2.0.1', log: silentLogger });
    await limited.connect();
    await limited.boot();
    try {
      // the limit not yet known: one call, which the station refuses as too large
      const [whole, ...none] = await p.services.deviceModel.getVariables('B-LIMIT2', refs);
      assert.deepEqual([none.length, whole?.status], [0, 'Failed']);
      assert.match(whole?.failure ?? '', /OccurrenceConstraintViolation/);
      await p.services.deviceModel.getVariables('B-LIMIT2', [{ component: 'DeviceDataCtrlr', variable: 'ItemsPerMessage', instance: 'GetVariables' }]);
      // known now (16): two calls, every answer stored
      const records = await p.services.deviceModel.getVariables('B-LIMIT2', refs);
      assert.deepEqual(records.map((r) => [r.status, (r.command.variables as unknown[]).length]), [['Accepted', 16], ['Accepted', 4]]);
      assert.equal((await p.services.deviceModel.get('B-LIMIT2', 'OCPPCommCtrlr', 'ResetRetries'))?.value, '1');
    } finally {
      await limited.close();
    }
  });

  it('TC_B_09_CSMS Set Variables - single value', async () => {
    const [rec] = await p.services.deviceModel.setVariables(ID, [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '120' }]);
    assert.equal(rec?.status, 'Accepted');
    assert.equal(st.heartbeatIntervalS, 120);
    const v = await p.services.deviceModel.get(ID, 'OCPPCommCtrlr', 'HeartbeatInterval');
    assert.deepEqual([v?.value, v?.status], ['120', 'Accepted']);
  });

  it('TC_B_10_CSMS Set Variables - multiple values', async () => {
    await p.services.deviceModel.getVariables(ID, [{ component: 'ChargingStation', variable: 'SupplyPhases' }]);
    await p.services.deviceModel.setVariables(ID, [
      { component: 'OCPPCommCtrlr', variable: 'OfflineThreshold', value: '900' },
      { component: 'ChargingStation', variable: 'SupplyPhases', value: '1' },
      { component: 'AuthCtrlr', variable: 'AuthorizeRemoteStart', value: 'maybe' },
    ]);
    assert.equal((await p.services.deviceModel.get(ID, 'OCPPCommCtrlr', 'OfflineThreshold'))?.value, '900');
    const ro = await p.services.deviceModel.get(ID, 'ChargingStation', 'SupplyPhases');
    assert.deepEqual([ro?.value, ro?.status, ro?.statusReason], ['3', 'Rejected', 'ReadOnly'], 'a rejected write keeps the known value');
    const bad = await p.services.deviceModel.get(ID, 'AuthCtrlr', 'AuthorizeRemoteStart');
    assert.deepEqual([bad?.status, bad?.statusReason], ['Rejected', 'InvalidValue']);
  });

  for (const [id, base, title] of [['TC_B_12_CSMS', 'ConfigurationInventory', 'Get Base Report - ConfigurationInventory'], ['TC_B_13_CSMS', 'FullInventory', 'Get Base Report - FullInventory'], ['TC_B_14_CSMS', 'SummaryInventory', 'Get Base Report - SummaryInventory']] as const) {
    it(`${id} ${title}`, async () => {
      const rec = await p.services.commands.send(ID, { kind: 'getBaseReport', reportBase: base });
      assert.equal(rec.status, 'Accepted');
      const done = await finished(rec);
      assert.equal(done.progress, 'Completed');
      assert.deepEqual(done.updates.map((u) => u.details.seqNo), done.updates.map((_, i) => i), 'parts in seqNo order');
      const reported = done.updates.reduce((n, u) => n + Number(u.details.variables), 0);
      const all = await p.services.deviceModel.list(ID);
      if (base === 'SummaryInventory') assert.equal(reported, 5, 'AvailabilityState of the station, 2 EVSEs and 2 connectors');
      if (base === 'ConfigurationInventory') assert.ok(reported > 0 && !all.some((v) => v.variable === 'AvailabilityState'), 'no ReadOnly variables');
      if (base === 'FullInventory') assert.ok(all.length >= reported && all.filter((v) => v.variable === 'AvailabilityState').length === 5);
    });
  }

  it('TC_B_18_CSMS Get Custom Report - with componentCriteria and component/variables', async () => {
    const rec = await p.services.commands.send(ID, { kind: 'getReport', componentCriteria: ['Available', 'Enabled'], components: [
      { component: 'EVSE', evseId: 1 }, { component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' },
    ] });
    assert.equal(rec.status, 'Accepted');
    assert.equal(rec.requestId, rec.id, 'the journal gave the report its requestId');
    const done = await finished(rec);
    assert.equal(done.progress, 'Completed');
    assert.equal(done.updates.reduce((n, u) => n + Number(u.details.variables), 0), 4, 'EVSE 1: AvailabilityState, Power, SupplyPhases; HeartbeatInterval');
    assert.equal(done.kind, 'getReport');
  });

  it('Get Custom Report that matches nothing is answered EmptyResultSet and recorded so', async () => {
    const rec = await p.services.commands.send(ID, { kind: 'getReport', componentCriteria: ['Problem'] });
    assert.equal(rec.status, 'EmptyResultSet');
    assert.match(rec.failure ?? '', /^Rejected: GetReport: station answered EmptyResultSet/);
  });

  it('a command to an offline station is journaled as Failed and changes no stored value', async () => {
    await p.addStation('B-OFF');
    const [rec] = await p.services.deviceModel.setVariables('B-OFF', [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '5' }]);
    assert.equal(rec?.status, 'Failed');
    assert.deepEqual(await p.services.deviceModel.list('B-OFF'), []);
  });
});

describe('2.0.1 block B — multi-part reports (raw station)', () => {
  let p: TestPlatform;
  let c: RawClient;
  before(async () => {
    p = await startTestPlatform();
    const password = await p.addStation('B-RAW');
    c = await RawClient.connect(`${p.ocppUrl}/B-RAW`, { protocols: ['ocpp2.0.1'], user: 'B-RAW', password });
    await c.call('b', 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
  });
  after(async () => {
    c.close();
    await p.stop();
  });

  it('a report whose middle part never arrived is stored but marked Incomplete with the missing seqNo', async () => {
    const sending = p.services.commands.send('B-RAW', { kind: 'getReport', components: [{ component: 'EVSE' }] });
    const [, id, action, payload] = (await c.next()) as Frame;
    assert.equal(action, 'GetReport');
    assert.deepEqual(payload.componentVariable, [{ component: { name: 'EVSE' } }]);
    c.send(JSON.stringify([3, id, { status: 'Accepted' }]));
    const rec = await sending;
    const part = (seqNo: number, tbc: boolean, evse: number) => ({ requestId: payload.requestId, generatedAt: new Date().toISOString(), seqNo, tbc, reportData: [
      { component: { name: 'EVSE', evse: { id: evse } }, variable: { name: 'AvailabilityState' }, variableAttribute: [{ value: 'Available' }] },
    ] });
    assert.equal(((await c.call('r0', 'NotifyReport', part(0, true, 1))) as unknown[])[0], 3);
    assert.equal(((await c.call('r2', 'NotifyReport', part(2, false, 3))) as unknown[])[0], 3);
    const got = await p.services.commands.get(rec.id);
    assert.equal(got?.progress, 'Incomplete');
    assert.deepEqual(got?.updates.at(-1)?.details.missing, [1]);
    assert.equal((await p.services.deviceModel.list('B-RAW', { component: 'EVSE' })).length, 2);
  });

  it('a report quoting an unknown requestId is still stored and answered', async () => {
    const res = (await c.call('u', 'NotifyReport', { requestId: 424242, generatedAt: new Date().toISOString(), seqNo: 0, reportData: [
      { component: { name: 'Connector', evse: { id: 1, connectorId: 1 } }, variable: { name: 'ConnectorType' }, variableAttribute: [{ value: 'cType2' }] },
    ] })) as unknown[];
    assert.deepEqual(res.slice(0, 1), [3]);
    assert.equal((await p.services.deviceModel.get('B-RAW', 'Connector', 'ConnectorType', { evseId: 1, connectorId: 1 }))?.value, 'cType2');
  });
});
