// OCPP 2.0.1 functional block N (diagnostics: monitoring, events, customer information), CSMS
// side, against the simulator and a raw station. Test ids are the OCTT CSMS test cases.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MonitorSpec } from '../../../src/domain/commands.js';
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

const hb = (over: Partial<MonitorSpec> = {}): MonitorSpec => ({ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', type: 'UpperThreshold', value: 600, severity: 5, ...over });

describe('2.0.1 block N — Monitoring and customer information (CSMS)', () => {
  let p: TestPlatform;
  const stations: SimulatedStation[] = [];
  let n = 0;
  const finished = (rec: CommandRecord) => eventually(async () => {
    const r = await p.services.commands.get(rec.id);
    return r?.progress === 'Completed' || r?.progress === 'Incomplete' ? r : undefined;
  }, `notifications of command ${rec.id}`);
  async function station(reject: string[] = []): Promise<SimulatedStation> {
    const id = `N-SIM-${++n}`;
    const st = new SimulatedStation({ url: p.ocppUrl, identity: id, password: await p.addStation(id), protocol: '2.0.1', log: silentLogger, meterIntervalMs: 60_000, behaviour: { reject: new Set(reject) } });
    stations.push(st);
    await st.connect();
    assert.equal((await st.boot()).status, 'Accepted');
    return st;
  }

  before(async () => {
    p = await startTestPlatform();
    for (const idToken of ['CUST-1', 'CUST-2']) await p.repos.tokens.upsert({ idToken, status: 'Accepted' });
  });
  after(async () => {
    await Promise.all(stations.map((s) => s.close()));
    await p.stop();
  });

  it('TC_N_08_CSMS Set Variable Monitoring - One element', async () => {
    const st = await station();
    const [rec] = await p.services.monitoring.setVariableMonitoring(st.identity, [hb()]);
    assert.equal(rec?.status, 'Accepted');
    const [m] = await p.services.monitoring.list(st.identity);
    assert.deepEqual([m?.monitorId, m?.status, m?.type, m?.value, m?.severity, m?.component, m?.variable], [1, 'Accepted', 'UpperThreshold', 600, 5, 'OCPPCommCtrlr', 'HeartbeatInterval']);
  });

  it('TC_N_09_CSMS Set Variable Monitoring - Multiple elements', async () => {
    const st = await station();
    await p.services.monitoring.setVariableMonitoring(st.identity, [
      hb({ type: 'Delta', value: 10 }),
      { component: 'EVSE', evseId: 1, variable: 'Power', type: 'LowerThreshold', value: 1000, severity: 3 },
      hb({ component: 'NoSuchCtrlr' }),
      hb({ variable: 'NoSuchVariable' }),
      { component: 'SecurityCtrlr', variable: 'OrganizationName', type: 'UpperThreshold', value: 1, severity: 5 },
      hb({ type: 'PeriodicClockAligned', value: 900 }),
    ]);
    const all = await p.services.monitoring.list(st.identity);
    assert.deepEqual(all.map((m) => [m.monitorId, m.status, m.statusReason, m.component, m.evseId]), [
      [1, 'Accepted', null, 'OCPPCommCtrlr', null],
      [2, 'Accepted', null, 'EVSE', 1],
      [null, 'UnknownComponent', null, 'NoSuchCtrlr', null],
      [null, 'UnknownVariable', null, 'OCPPCommCtrlr', null],
      [null, 'Rejected', 'NotNumeric', 'SecurityCtrlr', null],
      [null, 'UnsupportedMonitorType', null, 'OCPPCommCtrlr', null],
    ]);
  });

  it('a monitor set twice with the same parameters is answered Duplicate and recorded so; the first stays', async () => {
    const st = await station();
    await p.services.monitoring.setVariableMonitoring(st.identity, [hb()]);
    await p.services.monitoring.setVariableMonitoring(st.identity, [hb()]);
    const all = await p.services.monitoring.list(st.identity);
    assert.deepEqual(all.map((m) => [m.monitorId, m.status]), [[1, 'Accepted'], [null, 'Duplicate']]);
  });

  it('TC_N_05_CSMS Set Monitoring Base - success', async () => {
    const st = await station();
    const rec = await p.services.commands.send(st.identity, { kind: 'setMonitoringBase', base: 'All' });
    assert.deepEqual([rec.action, rec.status], ['SetMonitoringBase', 'Accepted']);
  });

  it('TC_N_16_CSMS Set Monitoring Level - Success', async () => {
    const st = await station();
    const rec = await p.services.commands.send(st.identity, { kind: 'setMonitoringLevel', severity: 4 });
    assert.deepEqual([rec.action, rec.status], ['SetMonitoringLevel', 'Accepted']);
  });

  it('TC_N_17_CSMS Set Monitoring Level - Out of range', async () => {
    const st = await station();
    const rec = await p.services.commands.send(st.identity, { kind: 'setMonitoringLevel', severity: 10 });
    assert.equal(rec.status, 'Rejected');
    assert.match(rec.failure ?? '', /^Rejected: SetMonitoringLevel: station answered Rejected/);
  });

  it('a monitored variable crossing its threshold is stored as an event, and so is its clearing; events above the monitoring level are not sent', async () => {
    const st = await station();
    await p.services.monitoring.setVariableMonitoring(st.identity, [hb({ value: 600, severity: 2 }), hb({ type: 'Delta', value: 100, severity: 8 })]);
    await p.services.commands.send(st.identity, { kind: 'setMonitoringLevel', severity: 5 });
    await p.services.deviceModel.setVariables(st.identity, [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '900' }]);
    await p.services.deviceModel.setVariables(st.identity, [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '300' }]);
    const events = await eventually(async () => {
      const e = await p.services.monitoring.listEvents(st.identity);
      return e.length >= 2 ? e : undefined;
    }, 'two events');
    assert.deepEqual(events.map((e) => [e.trigger, e.actualValue, e.cleared, e.variableMonitoringId, e.notificationType, e.component, e.variable]).reverse(), [
      ['Alerting', '900', false, 1, 'CustomMonitor', 'OCPPCommCtrlr', 'HeartbeatInterval'],
      ['Alerting', '300', true, 1, 'CustomMonitor', 'OCPPCommCtrlr', 'HeartbeatInterval'],
    ], 'the severity 8 delta monitor stays silent at level 5');
  });

  it('TC_N_24_CSMS Set Variable Monitoring - Periodic event', async () => {
    const st = await station();
    const [rec] = await p.services.monitoring.setVariableMonitoring(st.identity, [hb({ type: 'Periodic', value: 1, severity: 7 })]);
    assert.equal((rec?.response?.setMonitoringResult as Array<{ status: string }>)[0]?.status, 'Accepted');
    const [e] = await eventually(async () => {
      const got = await p.services.monitoring.listEvents(st.identity);
      return got.length ? got : undefined;
    }, 'a periodic event', 3000);
    assert.deepEqual([e?.trigger, e?.actualValue, e?.variableMonitoringId, e?.cleared], ['Periodic', '300', 1, false]);
    await p.services.monitoring.clearVariableMonitoring(st.identity, [1]);
  });

  it('TC_N_01_CSMS Get Monitoring Report - with monitoringCriteria', async () => {
    const st = await station();
    await p.services.monitoring.setVariableMonitoring(st.identity, [hb(), hb({ type: 'Delta', value: 5 }), hb({ type: 'Periodic', value: 60 })]);
    const rec = await p.services.commands.send(st.identity, { kind: 'getMonitoringReport', criteria: ['DeltaMonitoring', 'PeriodicMonitoring'] });
    assert.equal(rec.status, 'Accepted');
    const done = await finished(rec);
    assert.equal(done.progress, 'Completed');
    assert.equal(done.updates.reduce((k, u) => k + Number(u.details.monitors), 0), 2);
  });

  it('TC_N_02_CSMS Get Monitoring Report - with component/variable', async () => {
    const st = await station();
    await p.services.monitoring.setVariableMonitoring(st.identity, [hb(), { component: 'EVSE', evseId: 2, variable: 'Power', type: 'Delta', value: 500, severity: 6 }]);
    const rec = await p.services.commands.send(st.identity, { kind: 'getMonitoringReport', components: [{ component: 'EVSE', evseId: 2, variable: 'Power' }] });
    const done = await finished(rec);
    assert.equal(done.updates.reduce((k, u) => k + Number(u.details.monitors), 0), 1);
    const reported = await p.services.monitoring.list(st.identity, { component: 'EVSE' });
    assert.deepEqual(reported.map((m) => [m.monitorId, m.status, m.evseId, m.value]), [[2, 'Accepted', 2, 500]], 'confirmed by the report, still ours');
  });

  it('TC_N_47_CSMS Get Monitoring Report - Report all', async () => {
    const st = await station();
    const monitors = Array.from({ length: 10 }, (_, i) => hb({ type: 'Delta', value: i + 1 }));
    await p.services.deviceModel.getVariables(st.identity, [{ component: 'MonitoringCtrlr', variable: 'ItemsPerMessage', instance: 'SetVariableMonitoring' }]);
    await p.services.monitoring.setVariableMonitoring(st.identity, monitors);
    const rec = await p.services.commands.send(st.identity, { kind: 'getMonitoringReport' });
    const done = await finished(rec);
    assert.deepEqual(done.updates.map((u) => [u.status, u.details.seqNo, u.details.monitors]), [['Reporting', 0, 8], ['Completed', 1, 2]], 'two parts of ItemsPerMessage 8');
  });

  it('Get Monitoring Report with nothing to report is recorded as EmptyResultSet', async () => {
    const st = await station();
    const rec = await p.services.commands.send(st.identity, { kind: 'getMonitoringReport', criteria: ['ThresholdMonitoring'] });
    assert.equal(rec.status, 'EmptyResultSet');
  });

  it('Set and Clear Variable Monitoring are split per MonitoringCtrlr.ItemsPerMessage once the station has told it', async () => {
    const st = await station();
    const twelve = Array.from({ length: 12 }, (_, i) => hb({ type: 'Delta', value: i + 1 }));
    const [tooBig, ...none] = await p.services.monitoring.setVariableMonitoring(st.identity, twelve);
    assert.deepEqual([tooBig?.status, none.length], ['Failed', 0]);
    assert.match(tooBig?.failure ?? '', /OccurrenceConstraintViolation/);
    assert.deepEqual(await p.services.monitoring.list(st.identity), [], 'nothing stored for a refused request');
    await p.services.deviceModel.getVariables(st.identity, ['SetVariableMonitoring', 'ClearVariableMonitoring'].map((instance) => ({ component: 'MonitoringCtrlr', variable: 'ItemsPerMessage', instance })));
    const sets = await p.services.monitoring.setVariableMonitoring(st.identity, twelve);
    assert.deepEqual(sets.map((r) => (r.command.monitors as unknown[]).length), [8, 4]);
    assert.equal((await p.services.monitoring.list(st.identity, { status: 'Accepted' })).length, 12);
    const clears = await p.services.monitoring.clearVariableMonitoring(st.identity, Array.from({ length: 12 }, (_, i) => i + 1));
    assert.deepEqual(clears.map((r) => (r.command.ids as unknown[]).length), [8, 4]);
    assert.deepEqual(await p.services.monitoring.list(st.identity), []);
  });

  it('the station reports its active monitoring level and base as MonitoringCtrlr variables', async () => {
    const st = await station();
    await p.services.commands.send(st.identity, { kind: 'setMonitoringLevel', severity: 3 });
    await p.services.commands.send(st.identity, { kind: 'setMonitoringBase', base: 'HardWiredOnly' });
    await p.services.deviceModel.getVariables(st.identity, [{ component: 'MonitoringCtrlr', variable: 'ActiveMonitoringLevel' }, { component: 'MonitoringCtrlr', variable: 'ActiveMonitoringBase' }]);
    assert.equal((await p.services.deviceModel.get(st.identity, 'MonitoringCtrlr', 'ActiveMonitoringLevel'))?.value, '3');
    assert.equal((await p.services.deviceModel.get(st.identity, 'MonitoringCtrlr', 'ActiveMonitoringBase'))?.value, 'HardWiredOnly');
  });

  it('Clear Monitoring removes the monitors the station cleared; unknown ids come back NotFound', async () => {
    const st = await station();
    await p.services.monitoring.setVariableMonitoring(st.identity, [hb(), hb({ type: 'Delta', value: 1 })]);
    const [rec] = await p.services.monitoring.clearVariableMonitoring(st.identity, [1, 77]);
    assert.deepEqual(rec?.response?.clearMonitoringResult, [{ id: 1, status: 'Accepted' }, { id: 77, status: 'NotFound' }]);
    assert.deepEqual((await p.services.monitoring.list(st.identity)).map((m) => m.monitorId), [2]);
  });

  it('TC_N_44_CSMS Clear Monitoring - Rejected', async () => {
    const st = await station(['ClearVariableMonitoring']);
    await p.services.monitoring.setVariableMonitoring(st.identity, [hb()]);
    const [rec] = await p.services.monitoring.clearVariableMonitoring(st.identity, [1]);
    assert.deepEqual(rec?.response?.clearMonitoringResult, [{ id: 1, status: 'Rejected' }]);
    assert.equal((await p.services.monitoring.list(st.identity)).length, 1, 'a monitor the station kept stays');
  });

  it('TC_N_27_CSMS Get Customer Information - Accepted + data', async () => {
    const st = await station();
    const txn = await st.startSession({ connector: 1, idTag: 'CUST-1' });
    await st.stopSession(txn);
    const rec = await p.services.customerInformation.request(st.identity, { customer: { idToken: 'CUST-1', type: 'ISO14443' }, report: true, clear: false });
    assert.equal(rec.status, 'Accepted');
    const done = await finished(rec);
    assert.equal(done.progress, 'Completed');
    const report = await p.services.customerInformation.report(st.identity, rec.requestId!);
    assert.ok(report?.complete);
    assert.match(report!.data, new RegExp(`transaction ${String(txn)} started`));
    assert.ok(!JSON.stringify(done.updates).includes('CUST-1') && !JSON.stringify(done.updates).includes(String(txn)), 'the journal holds no personal data');
  });

  it('TC_N_28_CSMS Get Customer Information - Accepted + no data', async () => {
    const st = await station();
    const rec = await p.services.customerInformation.request(st.identity, { customer: { idToken: 'NEVER-SEEN', type: 'ISO14443' }, report: true, clear: false });
    await finished(rec);
    const report = await p.services.customerInformation.report(st.identity, rec.requestId!);
    assert.deepEqual([report?.data, report?.complete, report?.parts], ['', true, 1]);
  });

  it('TC_N_29_CSMS Get Customer Information - Not Accepted', async () => {
    const st = await station(['CustomerInformation']);
    const rec = await p.services.customerInformation.request(st.identity, { customer: { customerIdentifier: 'C-9' }, report: true, clear: false });
    assert.equal(rec.status, 'Rejected');
    assert.equal(await p.services.customerInformation.report(st.identity, rec.requestId!), undefined);
  });

  it('TC_N_30_CSMS Clear Customer Information - Clear and report + data', async () => {
    const st = await station();
    await st.stopSession(await st.startSession({ connector: 2, idTag: 'CUST-2' }));
    const rec = await p.services.customerInformation.request(st.identity, { customer: { idToken: 'CUST-2', type: 'ISO14443' }, report: true, clear: true });
    await finished(rec);
    assert.match((await p.services.customerInformation.report(st.identity, rec.requestId!))!.data, /started/);
    const again = await p.services.customerInformation.request(st.identity, { customer: { idToken: 'CUST-2', type: 'ISO14443' }, report: true, clear: false });
    await finished(again);
    assert.equal((await p.services.customerInformation.report(st.identity, again.requestId!))?.data, '', 'cleared');
  });

  it('TC_N_32_CSMS Clear Customer Information - Clear and no report', async () => {
    const st = await station();
    const rec = await p.services.customerInformation.request(st.identity, { customer: { idToken: 'CUST-3', type: 'ISO14443' }, report: false, clear: true });
    assert.equal(rec.status, 'Accepted');
    assert.deepEqual([rec.command.report, rec.command.clear], [false, true]);
    assert.equal(await p.services.customerInformation.report(st.identity, rec.requestId!), undefined, 'no report was asked for');
  });

  it('TC_N_31_CSMS Clear Customer Information - Clear and report + no data', async () => {
    const st = await station();
    const rec = await p.services.customerInformation.request(st.identity, { customer: { idToken: 'NOBODY', type: 'ISO14443' }, report: true, clear: true });
    assert.equal(rec.status, 'Accepted');
    await finished(rec);
    assert.deepEqual((await p.services.customerInformation.report(st.identity, rec.requestId!))?.data, '');
  });

  it('TC_N_62_CSMS Clear Customer Information - Clear and report - customerIdentifier', async () => {
    const st = await station();
    const rec = await p.services.customerInformation.request(st.identity, { customer: { customerIdentifier: 'CONTRACT-77' }, report: true, clear: true });
    assert.equal(rec.status, 'Accepted');
    assert.equal(rec.command.customer && (rec.command.customer as { customerIdentifier?: string }).customerIdentifier, 'CONTRACT-77');
    const done = await finished(rec);
    assert.equal(done.progress, 'Completed');
    assert.equal((await p.services.customerInformation.report(st.identity, rec.requestId!))?.complete, true);
  });

  it('a customer information request naming nothing to do is answered Invalid', async () => {
    const st = await station();
    const rec = await p.services.customerInformation.request(st.identity, { customer: { idToken: 'X', type: 'ISO14443' }, report: false, clear: false });
    assert.equal(rec.status, 'Invalid');
  });

  it('monitoring commands to an offline station are journaled as Failed and store nothing', async () => {
    await p.addStation('N-OFF');
    const [rec] = await p.services.monitoring.setVariableMonitoring('N-OFF', [hb()]);
    assert.equal(rec?.status, 'Failed');
    assert.deepEqual(await p.services.monitoring.list('N-OFF'), []);
  });
});

describe('2.0.1 block N — notifications from a raw station', () => {
  let p: TestPlatform;
  let c: RawClient;
  before(async () => {
    p = await startTestPlatform();
    const password = await p.addStation('N-RAW');
    c = await RawClient.connect(`${p.ocppUrl}/N-RAW`, { protocols: ['ocpp2.0.1'], user: 'N-RAW', password });
    await c.call('b', 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
  });
  after(async () => {
    c.close();
    await p.stop();
  });

  it('NotifyEvent parts (tbc) are all stored, with transaction, tech code and monitor id', async () => {
    const ev = (eventId: number, extra: Record<string, unknown> = {}) => ({ eventId, timestamp: new Date().toISOString(), trigger: 'Alerting', actualValue: '95',
      component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Temperature' }, eventNotificationType: 'HardWiredMonitor', ...extra });
    assert.equal(((await c.call('e0', 'NotifyEvent', { generatedAt: new Date().toISOString(), seqNo: 0, tbc: true, eventData: [ev(1, { techCode: 'OVERHEAT', transactionId: 'TX-7', variableMonitoringId: 3 })] })) as unknown[])[0], 3);
    assert.equal(((await c.call('e1', 'NotifyEvent', { generatedAt: new Date().toISOString(), seqNo: 1, eventData: [ev(2, { cleared: true, actualValue: '60', cause: 1 })] })) as unknown[])[0], 3);
    const events = await p.services.monitoring.listEvents('N-RAW', { variable: 'Temperature' });
    assert.deepEqual(events.map((e) => [e.eventId, e.techCode, e.transactionId, e.variableMonitoringId, e.cleared, e.cause, e.seqNo, e.evseId]), [
      [2, null, null, null, true, 1, 1, 1],
      [1, 'OVERHEAT', 'TX-7', 3, false, null, 0, 1],
    ]);
  });

  it('NotifyCustomerInformation parts arriving out of order are assembled in seqNo order', async () => {
    const sending = p.services.customerInformation.request('N-RAW', { customer: { certificate: { hashAlgorithm: 'SHA256', issuerNameHash: 'a', issuerKeyHash: 'b', serialNumber: '01' } }, report: true, clear: false });
    const [, id, action, payload] = (await c.next()) as Frame;
    assert.equal(action, 'CustomerInformation');
    assert.deepEqual(payload.customerCertificate, { hashAlgorithm: 'SHA256', issuerNameHash: 'a', issuerKeyHash: 'b', serialNumber: '01' });
    c.send(JSON.stringify([3, id, { status: 'Accepted' }]));
    const rec = await sending;
    const part = (seqNo: number, tbc: boolean, data: string) => ({ requestId: payload.requestId, generatedAt: new Date().toISOString(), seqNo, tbc, data });
    await c.call('c1', 'NotifyCustomerInformation', part(1, true, 'second;'));
    await c.call('c0', 'NotifyCustomerInformation', part(0, true, 'first;'));
    let report = await p.services.customerInformation.report('N-RAW', rec.requestId!);
    assert.deepEqual([report?.data, report?.complete], ['first;second;', false]);
    await c.call('c2', 'NotifyCustomerInformation', part(2, false, 'third'));
    report = await p.services.customerInformation.report('N-RAW', rec.requestId!);
    assert.deepEqual([report?.data, report?.complete, report?.parts], ['first;second;third', true, 3]);
    assert.equal((await p.services.commands.get(rec.id))?.progress, 'Completed');
  });

  it('a NotifyMonitoringReport with a missing part is stored and its command marked Incomplete', async () => {
    const sending = p.services.commands.send('N-RAW', { kind: 'getMonitoringReport' });
    const [, id, , payload] = (await c.next()) as Frame;
    c.send(JSON.stringify([3, id, { status: 'Accepted' }]));
    const rec = await sending;
    const part = (seqNo: number, tbc: boolean, monitorId: number) => ({ requestId: payload.requestId, generatedAt: new Date().toISOString(), seqNo, tbc, monitor: [
      { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Temperature' }, variableMonitoring: [{ id: monitorId, transaction: false, value: 80, type: 'UpperThreshold', severity: 1 }] },
    ] });
    await c.call('m1', 'NotifyMonitoringReport', part(1, false, 11));
    const got = await p.services.commands.get(rec.id);
    assert.deepEqual([got?.progress, got?.updates.at(-1)?.details.missing], ['Incomplete', [0]]);
    assert.deepEqual((await p.services.monitoring.list('N-RAW')).map((m) => [m.monitorId, m.status]), [[11, 'Reported']]);
  });
});
