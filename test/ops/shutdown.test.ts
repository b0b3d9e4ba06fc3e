import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openStore } from '../../src/store/index.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';

const ts = () => new Date().toISOString();

/** A booted 1.6 station whose next MeterValues is held inside its handler until `release()`. */
async function heldStation(p: TestPlatform, id: string) {
  const password = await p.addStation(id);
  const c = await RawClient.connect(`${p.ocppUrl}/${id}`, { protocols: ['ocpp1.6'], user: id, password });
  const [type] = await c.call('boot', 'BootNotification', { chargePointVendor: 'ACME', chargePointModel: 'M' });
  assert.equal(type, 3);
  let entered!: () => void;
  let release!: () => void;
  const inHandler = new Promise<void>((resolve) => { entered = resolve; });
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const tx = p.services.transactions;
  const original = tx.meterValues.bind(tx);
  tx.meterValues = async (m) => {
    entered();
    await gate;
    return original(m);
  };
  const sendMeterValues = (callId: string) => c.send(JSON.stringify([2, callId, 'MeterValues', {
    connectorId: 1, meterValue: [{ timestamp: ts(), sampledValue: [{ value: '1234', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
  }]));
  return { c, inHandler, release, sendMeterValues };
}

async function storedMeterValues(dataDir: string, stationId: string): Promise<number> {
  const store = await openStore({ dataDir, pgliteWorker: false });
  try {
    const r = await sql<{ n: number }>`select count(*)::int as n from meter_values where station_id = ${stationId}`.execute(store.db);
    return r.rows[0]!.n;
  } finally {
    await store.close();
  }
}

describe('graceful shutdown over real sockets', () => {
  it('answers the CALL in flight, then closes the station with 1012; /ready is 503 and new stations are refused meanwhile; the meter value is durable', async () => {
    const p = await startTestPlatform();
    const dataDir = p.config.dataDir;
    try {
      const ready = await fetch(`${p.httpUrl}/ready`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { status: 'ready' });
      const s = await heldStation(p, 'SD-1');
      s.sendMeterValues('mv-1');
      await s.inHandler;
      const shutting = p.shutdown();

      const draining = await fetch(`${p.httpUrl}/ready`);
      assert.equal(draining.status, 503);
      assert.deepEqual(await draining.json(), { status: 'unavailable', reason: 'draining' });
      assert.equal((await fetch(`${p.httpUrl}/health`)).status, 200, 'liveness stays up while draining');
      const password = await p.addStation('SD-LATE');
      await assert.rejects(RawClient.connect(`${p.ocppUrl}/SD-LATE`, { protocols: ['ocpp1.6'], user: 'SD-LATE', password }), (err: Error & { status?: number }) => err.status === 503);
      assert.equal(s.c.isOpen, true, 'the station stays connected while its CALL is in flight');

      s.release();
      assert.deepEqual(await s.c.next(), [3, 'mv-1', {}]);
      assert.deepEqual(await s.c.closed, { code: 1012, reason: 'service restart' });
      await shutting;
      assert.equal(await storedMeterValues(dataDir, 'SD-1'), 1);
    } finally {
      await p.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('closes a station whose CALL is still unanswered at the drain timeout, and still flushes what it was storing', async () => {
    const p = await startTestPlatform({ drainTimeout: 200 });
    const dataDir = p.config.dataDir;
    try {
      const s = await heldStation(p, 'SD-2');
      s.sendMeterValues('mv-2');
      await s.inHandler;
      const shutting = p.shutdown();
      assert.equal((await s.c.closed).code, 1012);
      s.release();
      await shutting;
      // unacknowledged, so the station sends it again; storing it anyway is harmless
      assert.equal(await storedMeterValues(dataDir, 'SD-2'), 1);
    } finally {
      await p.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
