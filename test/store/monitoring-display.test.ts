import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CustomerInformationRepo, DeviceEventRepo, DeviceModelRepo, DisplayMessageRepo, MonitorRepo, StationRepo, type DisplayMessageInput, type MonitorInput } from '../../src/store/index.js';
import { backends, type OpenedStore } from '../helpers/db.js';

const ST = 'CS-MON';
const where = { component: 'EVSE', componentInstance: '', evseId: 1, connectorId: null, variable: 'Power', variableInstance: '' };
const monitor = (over: Partial<MonitorInput>): MonitorInput => ({
  stationId: ST, monitorId: null, ...where, type: 'UpperThreshold', value: 22000, severity: 4, transaction: false, status: 'Accepted', statusReason: null, ...over,
});
const message = (over: Partial<DisplayMessageInput>): DisplayMessageInput => ({
  stationId: ST, messageId: 1, priority: 'NormalCycle', state: null, startAt: null, endAt: null, transactionId: null,
  content: 'Welcome', format: 'UTF8', language: 'en', display: null, ...over,
});

for (const backend of backends) {
  describe(`device model answers, monitors, events, customer information, display messages on ${backend.name}`, () => {
    let s: OpenedStore;
    before(async () => {
      s = await backend.open();
      await new StationRepo(s.store.db).create({ id: ST, passwordHash: null });
    });
    after(() => s?.cleanup());

    it('device model: answers keep reported characteristics, a rejection keeps the value; queries by evse, instance, mutability', async () => {
      const repo = new DeviceModelRepo(s.store.db);
      const base = { stationId: ST, component: 'OCPPCommCtrlr', componentInstance: '', evseId: null, connectorId: null, variable: 'HeartbeatInterval', variableInstance: '', attributeType: 'Actual' };
      await repo.upsert([{ ...base, value: '300', mutability: 'ReadWrite', characteristics: { dataType: 'integer', supportsMonitoring: true } },
        { ...base, component: 'EVSE', evseId: 1, variable: 'Power', value: '22000', mutability: 'ReadOnly', characteristics: null },
        { ...base, component: 'EVSE', evseId: 2, variable: 'Power', value: '11000', mutability: 'ReadOnly', characteristics: null },
        { ...base, variable: 'MessageTimeout', variableInstance: 'Default', value: '30', mutability: 'ReadOnly', characteristics: null }]);
      await repo.recordAnswers([{ ...base, value: '60', status: 'Accepted', statusReason: null }]);
      let hb = await repo.get(ST, 'OCPPCommCtrlr', 'HeartbeatInterval');
      assert.deepEqual([hb?.value, hb?.status, hb?.mutability, hb?.characteristics], ['60', 'Accepted', 'ReadWrite', { dataType: 'integer', supportsMonitoring: true }]);
      await repo.recordAnswers([{ ...base, value: null, status: 'Rejected', statusReason: 'InvalidValue' }]);
      hb = await repo.get(ST, 'OCPPCommCtrlr', 'HeartbeatInterval');
      assert.deepEqual([hb?.value, hb?.status, hb?.statusReason], ['60', 'Rejected', 'InvalidValue']);
      await repo.recordAnswers([{ ...base, component: 'Nope', value: null, status: 'UnknownComponent', statusReason: null }]);
      assert.equal((await repo.get(ST, 'Nope', 'HeartbeatInterval'))?.status, 'UnknownComponent');
      assert.equal((await repo.get(ST, 'EVSE', 'Power', { evseId: 2 }))?.value, '11000');
      assert.equal(await repo.get(ST, 'EVSE', 'Power'), undefined, 'station-wide EVSE.Power does not exist');
      assert.equal((await repo.get(ST, 'OCPPCommCtrlr', 'MessageTimeout', { variableInstance: 'Default' }))?.value, '30');
      assert.deepEqual((await repo.list(ST, { mutability: 'ReadOnly' })).map((v) => `${v.component}.${v.variable}/${v.evseId ?? '-'}`), ['EVSE.Power/1', 'EVSE.Power/2', 'OCPPCommCtrlr.MessageTimeout/-']);
      assert.equal((await repo.list(ST, { component: 'EVSE', evseId: 1 })).length, 1);
    });

    it('monitors: accepted ones keyed by the station id (replaced on re-set), refused ones kept apart, removed by id', async () => {
      const repo = new MonitorRepo(s.store.db);
      await repo.upsert([monitor({ monitorId: 7 }), monitor({ status: 'UnknownVariable', variable: 'Nope' }), monitor({ status: 'Rejected', variable: 'Nope2' })]);
      await repo.upsert([monitor({ monitorId: 7, value: 11000, severity: 2 })]);
      const all = await repo.list(ST);
      assert.deepEqual(all.map((m) => [m.monitorId, m.status, m.value]), [[7, 'Accepted', 11000], [null, 'UnknownVariable', 22000], [null, 'Rejected', 22000]]);
      assert.equal((await repo.list(ST, { status: 'Accepted' }))[0]?.severity, 2);
      await repo.upsert([monitor({ monitorId: 7, value: 12000, status: 'Reported' }), monitor({ monitorId: 8, status: 'Reported' })]);
      assert.deepEqual((await repo.list(ST)).filter((m) => m.monitorId !== null).map((m) => [m.monitorId, m.status, m.value]), [[7, 'Accepted', 12000], [8, 'Reported', 22000]], 'a report keeps our status');
      assert.equal(await repo.remove(ST, [7, 8, 99]), 2);
      assert.equal((await repo.list(ST)).length, 2);
    });

    it('events: stored with their component/variable, newest first', async () => {
      const repo = new DeviceEventRepo(s.store.db);
      const e = { stationId: ST, eventId: 1, occurredAt: new Date().toISOString(), trigger: 'Alerting', cause: null, actualValue: '23000', techCode: 'OVR', techInfo: null,
        cleared: false, transactionId: 'TX-1', ...where, variableMonitoringId: 7, notificationType: 'CustomMonitor', generatedAt: new Date().toISOString(), seqNo: 0 };
      await repo.insert([e, { ...e, eventId: 2, cleared: true, actualValue: '21000', seqNo: 1 }]);
      const got = await repo.list(ST, { variable: 'Power' });
      assert.deepEqual(got.map((x) => [x.eventId, x.cleared, x.actualValue, x.transactionId, x.evseId]), [[2, true, '21000', 'TX-1', 1], [1, false, '23000', 'TX-1', 1]]);
    });

    it('customer information: parts in seqNo order whatever the arrival order, a repeat replaces, erase removes all', async () => {
      const repo = new CustomerInformationRepo(s.store.db);
      const at = new Date().toISOString();
      await repo.addPart({ stationId: ST, requestId: 5, seqNo: 1, tbc: false, data: 'world', generatedAt: at });
      await repo.addPart({ stationId: ST, requestId: 5, seqNo: 0, tbc: true, data: 'HELLO ', generatedAt: at });
      await repo.addPart({ stationId: ST, requestId: 5, seqNo: 0, tbc: true, data: 'hello ', generatedAt: at });
      assert.equal((await repo.parts(ST, 5)).map((p) => p.data).join(''), 'hello world');
      assert.equal(await repo.erase(ST), 2);
      assert.deepEqual(await repo.parts(ST, 5), []);
    });

    it('display messages: a refused set never replaces an accepted one; reports update content and keep our status', async () => {
      const repo = new DisplayMessageRepo(s.store.db);
      await repo.recordSet(message({ display: { name: 'Display', evseId: 1 } }), 'Accepted');
      await repo.recordSet(message({ content: 'Refused', priority: 'AlwaysFront' }), 'NotSupportedPriority');
      let m = await repo.get(ST, 1);
      assert.deepEqual([m?.content, m?.status, m?.display], ['Welcome', 'Accepted', { name: 'Display', evseId: 1 }]);
      await repo.recordSet(message({ messageId: 2, transactionId: 'TX-X' }), 'UnknownTransaction');
      assert.equal((await repo.get(ST, 2))?.status, 'UnknownTransaction');
      await repo.recordReported([message({ content: 'Welcome!', state: 'Idle' }), message({ messageId: 3, content: 'Theirs' })]);
      m = await repo.get(ST, 1);
      assert.deepEqual([m?.content, m?.state, m?.status, m?.reportedAt instanceof Date], ['Welcome!', 'Idle', 'Accepted', true]);
      assert.equal((await repo.get(ST, 3))?.status, null);
      assert.equal(await repo.remove(ST, 3), true);
      assert.equal(await repo.remove(ST, 3), false);
      assert.deepEqual((await repo.list(ST)).map((x) => x.messageId), [1, 2]);
    });
    it('a batch naming the same attribute, monitor or message twice keeps the last word instead of failing', async () => {
      const key = { stationId: ST, component: 'Dup', componentInstance: '', evseId: null, connectorId: null, variable: 'X', variableInstance: '', attributeType: 'Actual' };
      await new DeviceModelRepo(s.store.db).recordAnswers([{ ...key, value: '1', status: 'Accepted', statusReason: null }, { ...key, value: '2', status: 'Accepted', statusReason: null }]);
      assert.equal((await new DeviceModelRepo(s.store.db).get(ST, 'Dup', 'X'))?.value, '2');
      const monitors = new MonitorRepo(s.store.db);
      await monitors.upsert([monitor({ monitorId: 50, value: 1 }), monitor({ monitorId: 50, value: 2 }), monitor({ variable: 'R1', status: 'Rejected' }), monitor({ variable: 'R2', status: 'Rejected' })]);
      assert.deepEqual((await monitors.list(ST)).filter((m) => m.monitorId === 50 || m.variable.startsWith('R')).map((m) => [m.monitorId, m.value]), [[50, 2], [null, 22000], [null, 22000]]);
      const messages = new DisplayMessageRepo(s.store.db);
      await messages.recordReported([message({ messageId: 60, content: 'a' }), message({ messageId: 60, content: 'b' })]);
      assert.equal((await messages.get(ST, 60))?.content, 'b');
    });
  });
}
