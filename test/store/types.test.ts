// The repositories must behave the same on both back ends, so the JS types
// coming back from each must be the same.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { MeterValueRepo, SecurityEventRepo, StationRepo, TransactionRepo } from '../../src/store/index.js';
import { backends, type OpenedStore } from '../helpers/db.js';

const startedAt = new Date('2025-03-04T05:06:07.891Z');
const sampledValue = [
  { value: '1234.5', measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh', multiplier: 0 } },
  { value: 7, snake_case_key: 'kept', quote: 'a "b" \\c {d,e}', unicode: 'Zürich ⚡' },
];

/** Writes the same rows and reads them back through the typed repositories. */
async function roundTrip(s: OpenedStore) {
  const db = s.store.db;
  await new StationRepo(db).create({ id: 'CS-TYPES', passwordHash: 'h', securityProfile: 2 });
  const txs = new TransactionRepo(db);
  const { id } = await txs.start({
    stationId: 'CS-TYPES',
    protocol: 'ocpp1.6',
    evseId: 1,
    connectorId: 1,
    idToken: 'TAG',
    startedAt,
    meterStartWh: 1500.25,
    offline: true,
  });
  const meter = new MeterValueRepo(db);
  await meter.add({
    stationId: 'CS-TYPES',
    transactionId: id,
    evseId: 1,
    sampledAt: startedAt,
    context: null,
    sampledValue,
  });
  await meter.close();
  const event = await new SecurityEventRepo(db).record({
    type: 'InvalidMessages',
    severity: 'warning',
    details: { nested: { snake_case: [1, 'two', null] } },
  });
  const tx = await txs.get(id);
  const [mv] = await meter.listByTransaction(id);
  const station = await new StationRepo(db).get('CS-TYPES');
  const { rows } = await sql<{ numeric: unknown; bigint: unknown }>`
    select 1.5::numeric as numeric, 9007199254740991::int8 as bigint`.execute(db);
  return { id, tx, mv, event, station, scalars: rows[0] };
}

const results = new Map<string, Awaited<ReturnType<typeof roundTrip>>>();

for (const backend of backends) {
  describe(`types on ${backend.name}`, () => {
    let s: OpenedStore;
    before(async () => {
      s = await backend.open();
      results.set(backend.name, await roundTrip(s));
    });
    after(() => s?.cleanup());

    it('returns timestamptz as Date, int8/int/float as number, boolean, jsonb as parsed value', () => {
      const r = results.get(backend.name);
      assert.ok(r?.tx && r.mv && r.station);
      assert.ok(r.tx.startedAt instanceof Date);
      assert.equal(r.tx.startedAt.toISOString(), startedAt.toISOString());
      assert.equal(typeof r.tx.id, 'number');
      assert.equal(r.tx.id, r.id);
      assert.equal(r.tx.meterStartWh, 1500.25);
      assert.equal(r.tx.seqGaps, 0);
      assert.equal(r.tx.offline, true);
      assert.equal(r.tx.endedAt, null);
      assert.equal(typeof r.mv.id, 'number');
      assert.equal(r.mv.transactionId, r.id);
      assert.deepEqual(r.mv.sampledValue, sampledValue);
      assert.ok(r.mv.receivedAt instanceof Date);
      assert.equal(r.station.securityProfile, 2);
      assert.ok(r.station.createdAt instanceof Date);
      assert.deepEqual(r.event.details, { nested: { snake_case: [1, 'two', null] } });
      assert.deepEqual(r.scalars, { numeric: 1.5, bigint: Number.MAX_SAFE_INTEGER });
    });
  });
}

describe('types across back ends', () => {
  it('are identical apart from generated ids and clock times', () => {
    const strip = (r: Awaited<ReturnType<typeof roundTrip>> | undefined) => {
      assert.ok(r?.tx && r.mv && r.station);
      const { id: _a, updatedAt: _b, ...tx } = r.tx;
      const { id: _c, transactionId: _d, receivedAt: _e, ...mv } = r.mv;
      // the chain hash covers recordedAt, a clock time: it differs, but is a SHA-256 on both
      const { id: _f, occurredAt: _g, recordedAt: _j, hash, ...event } = r.event;
      assert.match(hash ?? '', /^[0-9a-f]{64}$/);
      const { createdAt: _h, updatedAt: _i, ...station } = r.station;
      return { tx, mv, event, station, scalars: r.scalars };
    };
    assert.equal(results.size, 2, 'both back-end suites must have run first');
    assert.deepStrictEqual(strip(results.get('pglite')), strip(results.get('postgres')));
  });
});
