// CDRs end to end: real stations (raw OCPP clients of both versions and the simulator) over real
// sockets charge under tariffs; the CDR the platform issues is read back over the REST API.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DomainEvent } from '../../src/domain/events.js';
import type { OcpiCdr } from '../../src/domain/cdrs/index.js';
import { SimulatedStation } from '../../src/sim/station.js';
import { silentLogger } from '../../src/log/logger.js';
import { apiUser, call, type ApiUser } from '../helpers/api.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';
import { until } from '../helpers/until.js';

type Obj = Record<string, unknown>;
type Proto = 'ocpp1.6' | 'ocpp2.0.1';

const T0 = Date.now() - 6 * 3600_000;
const at = (min: number): string => new Date(T0 + min * 60_000).toISOString();

interface Reading { min: number; importWh: number; exportWh?: number }
interface Session { token?: string; start: Reading; readings?: Reading[]; end: Reading }

/** A station of either version, spoken to frame by frame, so times and registers are exact. */
class Station {
  private n = 0;
  private seq = 0;
  private constructor(readonly id: string, readonly proto: Proto, private readonly c: RawClient) {}

  static async open(p: TestPlatform, id: string, proto: Proto): Promise<Station> {
    const password = await p.addStation(id);
    const c = await RawClient.connect(`${p.ocppUrl}/${id}`, { protocols: [proto], user: id, password });
    const st = new Station(id, proto, c);
    await st.call('BootNotification', proto === 'ocpp1.6' ? { chargePointVendor: 'V', chargePointModel: 'M' } : { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
    return st;
  }

  async call(action: string, payload: unknown): Promise<Obj> {
    const [type, , res] = await this.c.call(`c${++this.n}`, action, payload);
    assert.equal(type, 3, `${action} answered with ${JSON.stringify(res)}`);
    return res as Obj;
  }

  private meterValue(r: Reading) {
    const v16 = this.proto === 'ocpp1.6';
    const sample = (measurand: string, wh: number) => (v16 ? { value: String(wh), measurand, unit: 'Wh' } : { value: wh, measurand, unitOfMeasure: { unit: 'Wh' } });
    return {
      timestamp: at(r.min),
      sampledValue: [sample('Energy.Active.Import.Register', r.importWh), ...(r.exportWh === undefined ? [] : [sample('Energy.Active.Export.Register', r.exportWh)])],
    };
  }

  /** Runs a whole session; returns its transaction ref (1.6: the CSMS's transactionId). */
  async session(s: Session, ref = `TX-${this.id}-${++this.n}`): Promise<string> {
    if (this.proto === 'ocpp1.6') {
      const started = await this.call('StartTransaction', { connectorId: 1, idTag: s.token ?? 'NO-TAG', meterStart: s.start.importWh, timestamp: at(s.start.min) });
      const txId = started.transactionId as number;
      for (const r of s.readings ?? []) await this.call('MeterValues', { connectorId: 1, transactionId: txId, meterValue: [this.meterValue(r)] });
      await this.call('StopTransaction', { transactionId: txId, meterStop: s.end.importWh, timestamp: at(s.end.min), reason: 'EVDisconnected', transactionData: s.end.exportWh === undefined ? undefined : [this.meterValue(s.end)] });
      return String(txId);
    }
    const event = (eventType: string, r: Reading, extra: Obj = {}) => this.call('TransactionEvent', {
      eventType, seqNo: this.seq++, timestamp: at(r.min), triggerReason: eventType === 'Ended' ? 'EVDeparted' : eventType === 'Started' ? 'Authorized' : 'MeterValuePeriodic',
      transactionInfo: { transactionId: ref, ...(eventType === 'Ended' && { stoppedReason: 'EVDisconnected' }) }, meterValue: [this.meterValue(r)], ...extra,
    });
    await event('Started', s.start, { evse: { id: 1, connectorId: 1 }, ...(s.token && { idToken: { idToken: s.token, type: 'ISO14443' } }) });
    for (const r of s.readings ?? []) await event('Updated', r);
    await event('Ended', s.end);
    return ref;
  }

  close(): void {
    this.c.close();
  }
}

describe('CDRs (issue 6): issued when a transaction ends, OCPI 2.2.1 shape, V2X, immutable', () => {
  let p: TestPlatform;
  let billing: ApiUser;
  const stations: Station[] = [];

  const station = async (id: string, proto: Proto, tariff?: Obj): Promise<Station> => {
    const st = await Station.open(p, id, proto);
    stations.push(st);
    await p.services.identity.stationGroups.assign(id, 'g1');
    if (tariff) {
      const v2gPricePerKwh = typeof tariff.v2g === 'string' ? tariff.v2g : null;
      const t = await p.services.tariffs.create({ name: `T-${id}`, currency: 'EUR', pricePerKwh: '0', pricePerMinute: '0', startFee: '0', vatRate: '0', ...tariff, v2gPricePerKwh });
      await p.services.tariffs.assign(id, t.id);
    }
    return st;
  };
  /** The CDR of a station's session, as GET /cdrs/{id} shows it. */
  const cdrOf = async (stationId: string, ref: string): Promise<OcpiCdr> => {
    const tx = await p.repos.transactions.findByRef(stationId, ref);
    assert.ok(tx, `transaction ${ref}`);
    let id: number | undefined;
    await until(`CDR of ${ref}`, async () => (id = (await p.repos.cdrs.byTransaction(tx.id))?.id) !== undefined);
    const res = await call<OcpiCdr>(p, 'GET', `/cdrs/${id}`, { token: billing.token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };

  before(async () => {
    p = await startTestPlatform();
    await p.services.identity.stationGroups.create('g1', 'Site 1');
    await p.services.identity.stationGroups.create('g2', 'Site 2');
    billing = await apiUser(p, ['billing_manager']);
    await p.repos.tokens.upsert({ idToken: 'DRIVER-4711', status: 'Accepted' });
  });
  after(async () => {
    for (const s of stations) s.close();
    await p?.stop();
  });

  // energy, time, start fee, VAT and rounding (half up, once, in the currency's minor unit)
  const cases: Array<{ name: string; proto: Proto; tariff: Obj; session: Session; cost: [number, number]; currency?: string; energy: number; time: number; parking: number; periods: string[][] }> = [
    {
      name: 'energy only, VAT 19 %', proto: 'ocpp2.0.1', tariff: { pricePerKwh: '0.30', vatRate: '19' },
      // 12.345 kWh × 0.30 = 3.7035 → 3.70; × 1.19 = 4.407165 → 4.41
      session: { start: { min: 0, importWh: 1000 }, readings: [{ min: 30, importWh: 7000 }], end: { min: 60, importWh: 13_345 } },
      cost: [3.70, 4.41], energy: 12.345, time: 1, parking: 0, periods: [['ENERGY', 'TIME']],
    },
    {
      name: 'time and start fee, VAT 20 %', proto: 'ocpp1.6', tariff: { pricePerMinute: '0.10', startFee: '1.50', vatRate: '20' },
      // 1.50 + 45 min × 0.10 = 6.00; × 1.2 = 7.20
      session: { start: { min: 0, importWh: 0 }, end: { min: 45, importWh: 5000 } },
      cost: [6.00, 7.20], energy: 5, time: 0.75, parking: 0, periods: [['ENERGY', 'TIME']],
    },
    {
      name: 'all three components, rounding of the VAT total', proto: 'ocpp2.0.1', tariff: { pricePerKwh: '0.35', pricePerMinute: '0.05', startFee: '1.00', vatRate: '19' },
      // 1.00 + 5 kWh × 0.35 + 20 min × 0.05 = 3.75; × 1.19 = 4.4625 → 4.46
      session: { start: { min: 0, importWh: 10_000 }, end: { min: 20, importWh: 15_000 } },
      cost: [3.75, 4.46], energy: 5, time: 0.333333, parking: 0, periods: [['ENERGY', 'TIME']],
    },
    {
      name: 'a half minor unit rounds up', proto: 'ocpp1.6', tariff: { pricePerKwh: '0.25' },
      // 0.5 kWh × 0.25 = 0.125 → 0.13
      session: { start: { min: 0, importWh: 100 }, end: { min: 6, importWh: 600 } },
      cost: [0.13, 0.13], energy: 0.5, time: 0.1, parking: 0, periods: [['ENERGY', 'TIME']],
    },
    {
      name: 'yen have no minor unit', proto: 'ocpp1.6', tariff: { currency: 'JPY', pricePerKwh: '55', vatRate: '10' },
      // 1.234 kWh × 55 = 67.87 → 68; × 1.1 = 74.657 → 75
      session: { start: { min: 0, importWh: 0 }, end: { min: 3, importWh: 1234 } },
      cost: [68, 75], currency: 'JPY', energy: 1.234, time: 0.05, parking: 0, periods: [['ENERGY', 'TIME']],
    },
    {
      name: 'parking after the battery is full, VAT 7.7 %', proto: 'ocpp1.6', tariff: { pricePerKwh: '0.20', pricePerMinute: '0.01', vatRate: '7.7' },
      // 10 kWh × 0.20 + 50 min × 0.01 = 2.50; × 1.077 = 2.6925 → 2.69; no energy flows after minute 30
      session: { start: { min: 0, importWh: 0 }, readings: [{ min: 15, importWh: 5000 }, { min: 30, importWh: 10_000 }, { min: 40, importWh: 10_000 }], end: { min: 50, importWh: 10_000 } },
      cost: [2.50, 2.69], energy: 10, time: 50 / 60, parking: 20 / 60, periods: [['ENERGY', 'TIME'], ['PARKING_TIME']],
    },
    {
      name: 'parking in the middle, 2.0.1', proto: 'ocpp2.0.1', tariff: { pricePerKwh: '0.40', vatRate: '0' },
      session: { start: { min: 0, importWh: 0 }, readings: [{ min: 10, importWh: 2000 }, { min: 25, importWh: 2000 }], end: { min: 40, importWh: 5000 } },
      cost: [2.00, 2.00], energy: 5, time: 40 / 60, parking: 0.25, periods: [['ENERGY', 'TIME'], ['PARKING_TIME'], ['ENERGY', 'TIME']],
    },
  ];
  let n = 0;
  for (const c of cases) {
    it(`prices ${c.proto} sessions into the CDR: ${c.name}`, async () => {
      const st = await station(`CDR-P${++n}`, c.proto, c.tariff);
      const ref = await st.session({ token: 'DRIVER-4711', ...c.session });
      const cdr = await cdrOf(st.id, ref);
      assert.deepEqual([cdr.total_cost.excl_vat, cdr.total_cost.incl_vat], c.cost);
      assert.equal(cdr.currency, c.currency ?? 'EUR');
      assert.equal(cdr.total_energy, c.energy);
      assert.equal(cdr.total_energy_export, 0);
      assert.equal(cdr.export_credit, null);
      assert.ok(Math.abs(cdr.total_time - c.time) < 1e-6, `total_time ${cdr.total_time}`);
      assert.ok(Math.abs(cdr.total_parking_time - c.parking) < 1e-6, `total_parking_time ${cdr.total_parking_time}`);
      assert.deepEqual(cdr.charging_periods.map((pd) => pd.dimensions.map((d) => d.type)), c.periods);
      assert.equal(cdr.charging_periods[0]!.start_date_time, at(0));
      const energyInPeriods = cdr.charging_periods.flatMap((pd) => pd.dimensions).filter((d) => d.type === 'ENERGY').reduce((a, d) => a + d.volume, 0);
      assert.ok(Math.abs(energyInPeriods - c.energy) < 1e-9, 'the periods add up to the total energy');
      assert.deepEqual([cdr.start_date_time, cdr.end_date_time, cdr.session_id], [at(c.session.start.min), at(c.session.end.min), ref]);
      // a station at no location: only the OCPP identities (station-ops.test.ts covers a located one)
      assert.deepEqual(cdr.cdr_location, { station_id: st.id, ocpp_evse_id: 1, ocpp_connector_id: 1 });
      assert.equal(cdr.cdr_token.type, 'RFID', 'an ISO14443 token is an OCPI RFID token');
      assert.equal(cdr.auth_method, 'AUTH_REQUEST');
      assert.equal(cdr.tariffs.length, 1);
      assert.equal(cdr.credit, false);
    });
  }

  it('a V2X session: import and export are reported apart and the export is credited at the V2G price', async () => {
    for (const proto of ['ocpp2.0.1', 'ocpp1.6'] as const) {
      const st = await station(`CDR-V2X-${proto === 'ocpp1.6' ? '16' : '201'}`, proto, { pricePerKwh: '0.40', vatRate: '19', v2g: '0.25' });
      // charges 10 kWh in the first half hour, feeds 4 kWh back to the grid in the second
      const ref = await st.session({
        token: 'DRIVER-4711', start: { min: 0, importWh: 0, exportWh: 0 },
        readings: [{ min: 30, importWh: 10_000, exportWh: 0 }, { min: 45, importWh: 10_000, exportWh: 2000 }],
        end: { min: 60, importWh: 10_000, exportWh: 4000 },
      });
      const cdr = await cdrOf(st.id, ref);
      assert.equal(cdr.total_energy_import, 10, proto);
      assert.equal(cdr.total_energy_export, 4, proto);
      // charge 4.00 net / 4.76 gross; credit 4 kWh × 0.25 = 1.00 net / 1.19 gross
      assert.deepEqual(cdr.export_credit, { excl_vat: 1, incl_vat: 1.19 }, proto);
      assert.deepEqual(cdr.total_cost, { excl_vat: 3, incl_vat: 3.57 }, proto);
      const exported = cdr.charging_periods.flatMap((pd) => pd.dimensions).filter((d) => d.type === 'ENERGY_EXPORT').reduce((a, d) => a + d.volume, 0);
      assert.equal(exported, 4, proto);
      assert.equal(cdr.total_parking_time, 0, 'discharging is not parking');
      assert.deepEqual(cdr.tariffs[0]!.elements[0]!.price_components.find((c) => c.type === 'ENERGY_EXPORT'), { type: 'ENERGY_EXPORT', price: '0.25' });
    }
  });

  it('exported energy earns nothing under a tariff without a V2G price', async () => {
    const st = await station('CDR-V2X-NOPRICE', 'ocpp2.0.1', { pricePerKwh: '0.40', vatRate: '0' });
    const ref = await st.session({ start: { min: 0, importWh: 0, exportWh: 0 }, end: { min: 60, importWh: 5000, exportWh: 3000 } });
    const cdr = await cdrOf(st.id, ref);
    assert.equal(cdr.total_energy_export, 3);
    assert.equal(cdr.export_credit, null);
    assert.deepEqual(cdr.total_cost, { excl_vat: 2, incl_vat: 2 });
  });

  it('prices by the tariff valid when the session started, not the one assigned since', async () => {
    const st = await station('CDR-VERSION', 'ocpp2.0.1', { pricePerKwh: '1.00', vatRate: '0' });
    const ref = `TX-VERSION`;
    await st.call('TransactionEvent', { eventType: 'Started', seqNo: 0, timestamp: at(0), triggerReason: 'Authorized', transactionInfo: { transactionId: ref }, evse: { id: 1, connectorId: 1 }, meterValue: [{ timestamp: at(0), sampledValue: [{ value: 0 }] }] });
    await p.services.cdrs.settled();
    const cheaper = await p.services.tariffs.create({ name: 'Cheaper', currency: 'EUR', pricePerKwh: '0.10', pricePerMinute: '0', startFee: '0', vatRate: '0' });
    await p.services.tariffs.assign('CDR-VERSION', cheaper.id);
    // and the old tariff edited (a new version, valid now), even its old flat column by hand: the snapshot taken at the start still holds
    const old = (await p.services.tariffs.list()).find((t) => t.name === 'T-CDR-VERSION')!;
    const v2 = await p.services.tariffs.addVersion(old.id, { currency: 'EUR', time_zone: 'UTC', vat_rate: '0', elements: [{ price_components: [{ type: 'ENERGY', price: '9.99' }] }] });
    assert.equal(v2?.version, 2);
    await p.store.db.updateTable('tariffs').set({ pricePerKwh: '9.99' }).where('name', '=', 'T-CDR-VERSION').execute();
    const ended = await st.call('TransactionEvent', { eventType: 'Ended', seqNo: 1, timestamp: at(10), triggerReason: 'EVDeparted', transactionInfo: { transactionId: ref }, meterValue: [{ timestamp: at(10), sampledValue: [{ value: 2000 }] }] });
    const cdr = await cdrOf('CDR-VERSION', ref);
    assert.deepEqual(cdr.total_cost, { excl_vat: 2, incl_vat: 2 });
    assert.equal(ended.totalCost, 2, 'the station is told the total the CDR carries');
    assert.equal(cdr.tariffs[0]!.name, 'T-CDR-VERSION');
    assert.equal(cdr.tariffs[0]!.version, 1);
    assert.equal(cdr.tariffs[0]!.elements[0]!.price_components.find((c) => c.type === 'ENERGY')?.price, '1.00');
  });

  it('prices 1.6 and 2.0.1 sessions under a time-of-day window (created over the API): CDR, totalCost and the cost endpoint agree', async () => {
    // a peak window starting on the first whole minute after the session's half-time, in Berlin wall-clock
    const edge = Math.ceil((T0 + 30 * 60_000) / 60_000) * 60_000;
    const hhmm = (ms: number): string => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
    const created = await call<{ id: string }>(p, 'POST', '/tariffs', { token: billing.token, body: {
      name: 'Peak window', currency: 'EUR', time_zone: 'Europe/Berlin', vat_rate: '19',
      elements: [
        { price_components: [{ type: 'ENERGY', price: '0.50' }], restrictions: { start_time: hhmm(edge), end_time: hhmm(edge + 3 * 3600_000) } },
        { price_components: [{ type: 'ENERGY', price: '0.30' }] },
      ],
    } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const edgeMin = (edge - T0) / 60_000;
    for (const proto of ['ocpp1.6', 'ocpp2.0.1'] as const) {
      const st = await station(`CDR-WINDOW-${proto === 'ocpp1.6' ? '16' : '201'}`, proto);
      const assigned = await call(p, 'PUT', `/stations/${st.id}/tariff`, { token: billing.token, body: { tariff_id: Number(created.body.id) } });
      assert.equal(assigned.status, 204, JSON.stringify(assigned.body));
      // 5 kWh before the window edge, 3 kWh after it
      const ref = await st.session({ token: 'DRIVER-4711', start: { min: 0, importWh: 0 }, readings: [{ min: edgeMin, importWh: 5000 }], end: { min: 60, importWh: 8000 } });
      const cdr = await cdrOf(st.id, ref);
      // 5 × 0.30 + 3 × 0.50 = 3.00 net, 3.57 with 19 % VAT
      assert.deepEqual(cdr.total_cost, { excl_vat: 3, incl_vat: 3.57 }, proto);
      assert.equal(cdr.tariffs[0]!.name, 'Peak window');
      assert.equal(cdr.tariffs[0]!.elements.length, 2);
      const tx = (await p.repos.transactions.findByRef(st.id, ref))!;
      const cost = await call<{ total_cost: { excl_vat: number; incl_vat: number }; charging_periods: Array<{ start_date_time: string; dimensions: Array<{ type: string; volume: number; tariff_element: number | null }> }> }>(p, 'GET', `/transactions/${tx.id}/cost`, { token: billing.token });
      assert.equal(cost.status, 200, JSON.stringify(cost.body));
      assert.deepEqual(cost.body.total_cost, cdr.total_cost, `${proto}: the cost endpoint says what the CDR says`);
      const energy = cost.body.charging_periods.map((pd) => [pd.start_date_time, pd.dimensions.find((d) => d.type === 'ENERGY')?.volume, pd.dimensions.find((d) => d.type === 'ENERGY')?.tariff_element]);
      assert.deepEqual(energy, [[at(0), 5, 1], [new Date(edge).toISOString(), 3, 0]], proto);
      if (proto === 'ocpp2.0.1') {
        // the Ended event's totalCost came from the same engine: ask again the way the handler did
        assert.equal(await p.services.tariffs.totalCost(st.id, ref, new Date()), 3.57);
      }
    }
  });

  it('the cost endpoint prices a running transaction so far, and the same one once ended as its CDR', async () => {
    const st = await station('CDR-RUNNING', 'ocpp2.0.1', { pricePerKwh: '0.50', vatRate: '0' });
    const ref = 'TX-RUNNING';
    const event = (eventType: string, seqNo: number, min: number, wh: number) => st.call('TransactionEvent', {
      eventType, seqNo, timestamp: at(min), triggerReason: eventType === 'Ended' ? 'EVDeparted' : 'Authorized', transactionInfo: { transactionId: ref },
      ...(eventType === 'Started' && { evse: { id: 1, connectorId: 1 } }), meterValue: [{ timestamp: at(min), sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register' }] }],
    });
    await event('Started', 0, 0, 0);
    await event('Updated', 1, 20, 2000);
    await p.services.cdrs.settled();
    const tx = (await p.repos.transactions.findByRef('CDR-RUNNING', ref))!;
    const running = await call<{ total_cost: { excl_vat: number } }>(p, 'GET', `/transactions/${tx.id}/cost`, { token: billing.token });
    assert.equal(running.status, 200, JSON.stringify(running.body));
    assert.equal(running.body.total_cost.excl_vat, 1, '2 kWh so far × 0.50');
    const ended = await event('Ended', 2, 40, 3000);
    assert.equal(ended.totalCost, 1.5);
    const cdr = await cdrOf('CDR-RUNNING', ref);
    const final = await call<{ total_cost: { excl_vat: number; incl_vat: number } }>(p, 'GET', `/transactions/${tx.id}/cost`, { token: billing.token });
    assert.deepEqual([cdr.total_cost, final.body.total_cost], [{ excl_vat: 1.5, incl_vat: 1.5 }, { excl_vat: 1.5, incl_vat: 1.5 }]);
    const outsider = await apiUser(p, ['billing_manager'], { groups: ['g2'] });
    assert.equal((await call(p, 'GET', `/transactions/${tx.id}/cost`, { token: outsider.token })).status, 404, 'a station outside the caller\'s groups');
  });

  it('sessions of the simulator, both versions, get one CDR each; the token is only a pseudonym', async () => {
    const uids: string[] = [];
    for (const protocol of ['1.6', '2.0.1'] as const) {
      const id = `CDR-SIM-${protocol}`;
      const sim = new SimulatedStation({ url: p.ocppUrl, identity: id, password: await p.addStation(id), protocol, connectors: 1, meterIntervalMs: 0, log: silentLogger });
      try {
        await sim.connect();
        await sim.boot();
        const txn = await sim.startSession({ connector: 1, idTag: 'DRIVER-4711' });
        await sim.stopSession(txn);
        const cdr = await cdrOf(id, String(txn));
        assert.equal(cdr.cdr_location.station_id, id);
        assert.equal(cdr.currency, null, 'no tariff: an unpriced CDR');
        assert.deepEqual(cdr.total_cost, { excl_vat: 0, incl_vat: 0 });
        // the one token pseudonym (PrivacyService), the name the token API shows (migration 0024)
        assert.equal(cdr.cdr_token.uid, await p.services.privacy.pseudonym('DRIVER-4711'));
        assert.ok(!JSON.stringify(cdr).includes('DRIVER-4711'), 'the raw idToken is nowhere in the CDR');
        uids.push(cdr.cdr_token.uid);
      } finally {
        await sim.close();
      }
    }
    assert.equal(uids[0], uids[1], 'one token, one pseudonym: sessions of a driver can be billed together');
    const stored = await p.store.db.selectFrom('cdrs').select('tokenUid').where('stationId', 'like', 'CDR-SIM-%').execute();
    assert.ok(stored.every((r) => r.tokenUid !== 'DRIVER-4711'));
  });

  it('is idempotent: a repeated transaction.ended event or Ended message issues no second CDR', async () => {
    const st = await station('CDR-IDEM', 'ocpp2.0.1', { pricePerKwh: '0.30' });
    const ref = await st.session({ start: { min: 0, importWh: 0 }, end: { min: 10, importWh: 1000 } });
    const first = await cdrOf('CDR-IDEM', ref);
    const tx = (await p.repos.transactions.findByRef('CDR-IDEM', ref))!;
    const ended: DomainEvent = { type: 'transaction.ended', stationId: 'CDR-IDEM', transactionId: tx.id, transactionRef: ref, energyWh: 1000 };
    p.services.events.emit(ended);
    p.services.events.emit(ended);
    await Promise.all([p.services.cdrs.issue(tx.id), p.services.cdrs.issue(tx.id)]);
    await st.call('TransactionEvent', { eventType: 'Ended', seqNo: 9, timestamp: at(10), triggerReason: 'EVDeparted', transactionInfo: { transactionId: ref } });
    await p.services.cdrs.settled();
    const rows = await p.store.db.selectFrom('cdrs').select('id').where('stationId', '=', 'CDR-IDEM').execute();
    assert.deepEqual(rows.map((r) => String(r.id)), [first.id]);
  });

  it('is immutable in the database: a raw UPDATE or DELETE of a CDR fails', async () => {
    const any = await p.store.db.selectFrom('cdrs').select('id').orderBy('id').executeTakeFirstOrThrow();
    await assert.rejects(p.store.db.updateTable('cdrs').set({ costInclVatMinor: 0 }).where('id', '=', any.id).execute(), /immutable/);
    await assert.rejects(p.store.db.deleteFrom('cdrs').where('id', '=', any.id).execute(), /immutable/);
    const still = await p.repos.cdrs.get(any.id);
    assert.ok(still);
  });

  it('corrects by a credit CDR: negative totals referencing the original, once, audited, cdrs:manage only', async () => {
    const st = await station('CDR-CREDIT', 'ocpp1.6', { pricePerKwh: '0.40', vatRate: '19', v2g: '0.25' });
    // 1.6 StartTransaction carries no export register: a MeterValues at the start gives it
    const ref = await st.session({ start: { min: 0, importWh: 0 }, readings: [{ min: 0, importWh: 0, exportWh: 0 }], end: { min: 60, importWh: 10_000, exportWh: 4000 } });
    const original = await cdrOf('CDR-CREDIT', ref);
    const cpo = await apiUser(p, ['cpo_manager']);
    const refused = await call(p, 'POST', `/cdrs/${original.id}/credit`, { token: cpo.token, body: { reason: 'wrong meter' }, headers: { 'x-csrf-token': cpo.csrfToken } });
    assert.equal(refused.status, 403);
    const bad = await call(p, 'POST', `/cdrs/${original.id}/credit`, { token: billing.token, body: {} });
    assert.equal(bad.status, 400);
    const res = await call<OcpiCdr>(p, 'POST', `/cdrs/${original.id}/credit`, { token: billing.token, body: { reason: 'meter was replaced mid-session' } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const credit = res.body;
    assert.equal(credit.credit, true);
    assert.equal(credit.credit_reference_id, original.id);
    assert.equal(credit.credit_reason, 'meter was replaced mid-session');
    assert.deepEqual(credit.total_cost, { excl_vat: -original.total_cost.excl_vat, incl_vat: -original.total_cost.incl_vat });
    assert.deepEqual(credit.export_credit, { excl_vat: -1, incl_vat: -1.19 });
    assert.deepEqual([credit.session_id, credit.cdr_token, credit.total_energy], [original.session_id, original.cdr_token, original.total_energy]);
    // the original is unchanged; a second credit and a credit of the credit are refused
    assert.deepEqual((await call(p, 'GET', `/cdrs/${original.id}`, { token: billing.token })).body, original);
    assert.equal((await call(p, 'POST', `/cdrs/${original.id}/credit`, { token: billing.token, body: { reason: 'again' } })).status, 409);
    assert.equal((await call(p, 'POST', `/cdrs/${credit.id}/credit`, { token: billing.token, body: { reason: 'undo' } })).status, 409);
    assert.equal((await call(p, 'POST', '/cdrs/999999/credit', { token: billing.token, body: { reason: 'nothing' } })).status, 404);
    const audit = await p.repos.audit.list({ limit: 10, offset: 0, action: 'cdr.credit' });
    assert.ok(audit.some((a) => a.target === original.id && a.result === 'success'));
    assert.ok(audit.some((a) => a.result === 'denied'));
    assert.ok(audit.every((a) => !JSON.stringify(a.details).includes('meter was replaced')), 'the free-text reason is not copied into the audit details');
  });

  it('lists with filters and pagination, scoped by the station group of the CDR', async () => {
    const all = await call<{ items: OcpiCdr[]; total: number }>(p, 'GET', '/cdrs?limit=500', { token: billing.token });
    assert.equal(all.status, 200);
    assert.ok(all.body.total >= cases.length + 4);
    const one = await call<{ items: OcpiCdr[]; total: number }>(p, 'GET', '/cdrs?stationId=CDR-P1', { token: billing.token });
    assert.deepEqual(one.body.items.map((c) => c.cdr_location.station_id), ['CDR-P1']);
    const paged = await call<{ items: OcpiCdr[]; total: number }>(p, 'GET', '/cdrs?limit=2&offset=1&sort=startDateTime&order=desc', { token: billing.token });
    assert.equal(paged.body.items.length, 2);
    assert.equal(paged.body.total, all.body.total);
    // time window on the session start: the sessions of this file all started at T0
    const before0 = await call<{ total: number }>(p, 'GET', `/cdrs?to=${encodeURIComponent(at(-1))}`, { token: billing.token });
    assert.equal(before0.body.total, 0);
    const window = await call<{ items: OcpiCdr[]; total: number }>(p, 'GET', `/cdrs?from=${encodeURIComponent(at(0))}&to=${encodeURIComponent(at(1))}&limit=500`, { token: billing.token });
    assert.ok(window.body.items.length > 0 && window.body.items.every((c) => c.start_date_time === at(0)));
    assert.equal((await call(p, 'GET', '/cdrs?from=yesterday', { token: billing.token })).status, 400);

    const inG1 = await apiUser(p, ['emsp_manager'], { groups: ['g1'] });
    const inG2 = await apiUser(p, ['emsp_manager'], { groups: ['g2'] });
    const g1 = await call<{ items: OcpiCdr[]; total: number }>(p, 'GET', '/cdrs?limit=500', { token: inG1.token });
    // the simulator stations are in no group: only unscoped accounts see their CDRs
    assert.equal(g1.body.total, all.body.total - 2);
    assert.equal((await call<{ total: number }>(p, 'GET', '/cdrs', { token: inG2.token })).body.total, 0);
    const id = g1.body.items[0]!.id;
    assert.equal((await call(p, 'GET', `/cdrs/${id}`, { token: inG1.token })).status, 200);
    assert.equal((await call(p, 'GET', `/cdrs/${id}`, { token: inG2.token })).status, 404);
    assert.deepEqual((await call(p, 'GET', '/cdrs/export?format=json', { token: inG2.token })).body, []);
    const support = await apiUser(p, ['support_l1']);
    assert.equal((await call(p, 'GET', '/cdrs', { token: support.token })).status, 403);
  });

  it('exports CSV with a header and quoted fields, and JSON, with no personal data beyond the pseudonym', async () => {
    const csv = await call<string>(p, 'GET', '/cdrs/export?format=csv&stationId=CDR-V2X-201', { token: billing.token });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = csv.body.trimEnd().split('\r\n');
    const header = lines[0]!.split(',');
    assert.deepEqual(header, [
      'id', 'credit_reference_id', 'session_id', 'station_id', 'evse_id', 'connector_id', 'start_date_time', 'end_date_time', 'token_uid', 'auth_method',
      'currency', 'tariff_id', 'total_energy_import_kwh', 'total_energy_export_kwh', 'total_time_h', 'total_parking_time_h',
      'export_credit_excl_vat', 'export_credit_incl_vat', 'total_cost_excl_vat', 'total_cost_incl_vat',
      'token_type', 'location_id', 'location_country', 'evse_uid', 'evse_emi3_id', 'connector_standard', 'connector_power_type',
    ]);
    assert.equal(lines.length, 2);
    const row = Object.fromEntries(header.map((h, i) => [h, lines[1]!.split(',')[i]]));
    const json = await call<OcpiCdr[]>(p, 'GET', '/cdrs/export?format=json&stationId=CDR-V2X-201', { token: billing.token });
    const cdr = json.body[0]!;
    assert.deepEqual(row, {
      id: cdr.id, credit_reference_id: '', session_id: cdr.session_id, station_id: 'CDR-V2X-201', evse_id: '1', connector_id: '1',
      start_date_time: cdr.start_date_time, end_date_time: cdr.end_date_time, token_uid: cdr.cdr_token.uid, auth_method: 'AUTH_REQUEST',
      currency: 'EUR', tariff_id: cdr.tariffs[0]!.id, total_energy_import_kwh: '10', total_energy_export_kwh: '4', total_time_h: '1', total_parking_time_h: '0',
      export_credit_excl_vat: '1.00', export_credit_incl_vat: '1.19', total_cost_excl_vat: '3.00', total_cost_incl_vat: '3.57',
      token_type: 'RFID', location_id: '', location_country: '', evse_uid: '', evse_emi3_id: '', connector_standard: '', connector_power_type: '',
    });
    const everything = await call<string>(p, 'GET', '/cdrs/export', { token: billing.token });
    assert.match(everything.headers.get('content-type') ?? '', /^text\/csv/, 'CSV is the default');
    assert.ok(!everything.body.includes('DRIVER-4711'), 'no raw idToken in the export');
    assert.ok(!everything.body.includes('meter was replaced'), 'no free-text reason in the export');
    assert.match(everything.body, /,-3\.00,-3\.57,RFID,/, 'the credit CDR exports negative totals');
    assert.equal((await call(p, 'GET', '/cdrs/export?format=xml', { token: billing.token })).status, 400);
  });
});
