import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TariffError } from '../../../src/domain/tariffs/cost.js';
import { SimulatedStation } from '../../../src/sim/station.js';
import { startTestPlatform, type TestPlatform } from '../../helpers/platform.js';
import { RawClient } from '../../helpers/raw-client.js';

type Obj = Record<string, unknown>;
type Frame = [number, string, string, Obj];

const T0 = Date.now() - 30 * 60_000;
const at = (min: number) => new Date(T0 + min * 60_000).toISOString();
const energy = (wh: number, timestamp: string) => [{ timestamp, sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } }] }];

describe('OCPP 2.0.1 block I — tariff and cost (CSMS side)', () => {
  let p: TestPlatform;
  let c: RawClient;
  let n = 0;
  const call = async (action: string, payload: unknown): Promise<Obj> => {
    const [type, , res] = await c.call(`i${++n}`, action, payload);
    assert.equal(type, 3, `${action} answered with ${JSON.stringify(res)}`);
    return res as Obj;
  };
  const event = (eventType: string, seqNo: number, ref: string, minute: number, wh: number) => call('TransactionEvent', {
    eventType, seqNo, timestamp: at(minute), triggerReason: eventType === 'Ended' ? 'EVDeparted' : 'MeterValuePeriodic',
    transactionInfo: { transactionId: ref, ...(eventType === 'Ended' && { stoppedReason: 'EVDisconnected' }) },
    ...(eventType === 'Started' && { evse: { id: 1, connectorId: 1 } }), meterValue: energy(wh, at(minute)),
  });

  before(async () => {
    p = await startTestPlatform();
    const password = await p.addStation('TC1');
    await p.addStation('TC-YEN');
    c = await RawClient.connect(`${p.ocppUrl}/TC1`, { protocols: ['ocpp2.0.1'], user: 'TC1', password });
    await call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
  });
  after(async () => {
    c.close();
    await p.stop();
  });

  it('without any tariff, TransactionEvent responses carry no totalCost', async () => {
    await event('Started', 0, 'TX-FREE', 0, 1000);
    assert.equal((await event('Updated', 1, 'TX-FREE', 5, 2000)).totalCost, undefined);
    assert.equal((await event('Ended', 2, 'TX-FREE', 6, 2500)).totalCost, undefined);
  });

  it('TC_I_01_CSMS Show EV Driver running total cost during charging - costUpdatedRequest', async () => {
    const t = await p.services.tariffs.create({ name: 'Standard', currency: 'EUR', pricePerKwh: '0.35', pricePerMinute: '0.05', startFee: '1.00', vatRate: '19' });
    await p.services.tariffs.setDefault(t.id);
    const started = await event('Started', 0, 'TX-C', 0, 10_000);
    assert.equal(started.totalCost, undefined, 'Started carries no cost');
    // 2.5 kWh × 0.35 + 10 min × 0.05 + 1.00 = 2.375 net; × 1.19 = 2.82625 → 2.83
    assert.equal((await event('Updated', 1, 'TX-C', 10, 12_500)).totalCost, 2.83);
    // an Updated without an energy register uses the last one seen: 12 min → 2.475 net → 2.94525 → 2.95
    const noMeter = await call('TransactionEvent', { eventType: 'Updated', seqNo: 2, timestamp: at(12), triggerReason: 'ChargingStateChanged', transactionInfo: { transactionId: 'TX-C', chargingState: 'Charging' } });
    assert.equal(noMeter.totalCost, 2.95);
    // the running cost pushed by the platform: 30 min so far → 3.375 net → 4.01625 → 4.02
    const sending = p.services.tariffs.sendCost('TC1', 'TX-C', new Date(at(30)));
    const [type, id, action, payload] = (await c.next()) as Frame;
    assert.deepEqual([type, action, payload], [2, 'CostUpdated', { totalCost: 4.02, transactionId: 'TX-C' }]);
    c.send(JSON.stringify([3, id, {}]));
    const rec = await sending;
    assert.deepEqual([rec.kind, rec.status, rec.action], ['costUpdated', 'Accepted', 'CostUpdated']);
  });

  it('TC_I_02_CSMS Show EV Driver Final Total Cost After Charging', async () => {
    // 5 kWh × 0.35 + 20 min × 0.05 + 1.00 = 3.75 net; × 1.19 = 4.4625 → 4.46
    const ended = await event('Ended', 3, 'TX-C', 20, 15_000);
    assert.equal(ended.totalCost, 4.46);
    const cost = await p.services.tariffs.costOf('TC1', 'TX-C', new Date());
    assert.deepEqual([cost?.net, cost?.vat, cost?.total, cost?.currency], ['3.75', '0.71', '4.46', 'EUR']);
  });

  it('a station-specific tariff overrides the default; yen have no minor unit', async () => {
    const yen = await p.services.tariffs.create({ name: 'Tokyo', currency: 'JPY', pricePerKwh: '55', pricePerMinute: '0', startFee: '0', vatRate: '10' });
    await p.services.tariffs.assign('TC1', yen.id);
    await event('Started', 0, 'TX-Y', 0, 0);
    // 1.234 kWh × 55 = 67.87 → × 1.1 = 74.657 → 75
    assert.equal((await event('Ended', 1, 'TX-Y', 3, 1234)).totalCost, 75);
    await p.services.tariffs.unassign('TC1');
    assert.equal((await p.services.tariffs.forStation('TC1'))?.currency, 'EUR');
  });

  it('bad tariffs and unknown transactions are clear errors', async () => {
    const bad = { name: 'Bad', currency: 'EUR', pricePerKwh: '0.35', pricePerMinute: '0', startFee: '0', vatRate: '19' };
    await assert.rejects(p.services.tariffs.create({ ...bad, currency: 'EURO' }), (e: unknown) => e instanceof TariffError && /ISO 4217/.test(e.message));
    await assert.rejects(p.services.tariffs.create({ ...bad, pricePerKwh: '-1' }), /pricePerKwh/);
    await assert.rejects(p.services.tariffs.create({ ...bad, pricePerKwh: '0.1e3' }), /pricePerKwh/);
    await assert.rejects(p.services.tariffs.create({ ...bad, vatRate: '101' }), /vatRate/);
    await assert.rejects(p.services.tariffs.create({ ...bad, name: 'Standard' }), /already exists/);
    await assert.rejects(p.services.tariffs.assign('TC1', 999_999), /unknown tariff/);
    await assert.rejects(p.services.tariffs.sendCost('TC1', 'NO-SUCH-TX'), (e: unknown) => e instanceof TariffError);
  });

  it('the simulator accepts CostUpdated', async () => {
    const st = new SimulatedStation({ url: p.ocppUrl, identity: 'TC-SIM', password: await p.addStation('TC-SIM'), protocol: '2.0.1', connectors: 1, meterIntervalMs: 0 });
    try {
      await st.connect();
      await st.boot();
      await p.repos.tokens.upsert({ idToken: 'COST-TAG', status: 'Accepted' });
      const txn = await st.startSession({ connector: 1, idTag: 'COST-TAG' });
      const rec = await p.services.tariffs.sendCost('TC-SIM', String(txn));
      assert.equal(rec.status, 'Accepted');
      await st.stopSession(txn);
    } finally {
      await st.close();
    }
  });

  it('a tariff edited into nonsense in the database costs nothing rather than failing TransactionEvent', async () => {
    const standard = (await p.services.tariffs.list()).find((t) => t.name === 'Standard')!;
    const nonsense = { currency: 'EUR', time_zone: 'UTC', vat_rate: '19', elements: [{ price_components: [{ type: 'ENERGY', price: 'abc' }] }] };
    await p.store.db.updateTable('tariffVersions').set({ definition: JSON.stringify(nonsense) }).where('tariffId', '=', standard.id).execute();
    await p.services.tariffs.unassign('TC1'); // drops the cached lookup
    await event('Started', 0, 'TX-BAD', 0, 0);
    const ended = await event('Ended', 1, 'TX-BAD', 1, 100);
    assert.equal(ended.totalCost, undefined);
    await assert.rejects(p.services.tariffs.sendCost('TC1', 'TX-BAD'), (e: unknown) => e instanceof TariffError && /ENERGY\.price/.test(e.message));
  });
});
