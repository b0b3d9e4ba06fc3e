import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuplicateError, StationRepo, TransactionRepo, type StartTransactionInput } from '../../src/store/index.js';
import { backends, type OpenedStore } from '../helpers/db.js';

const start16 = (stationId: string, extra: Partial<StartTransactionInput> = {}): StartTransactionInput => ({
  stationId,
  protocol: 'ocpp1.6',
  evseId: 1,
  connectorId: 1,
  idToken: 'TAG-1',
  startedAt: new Date('2025-06-01T08:00:00Z'),
  meterStartWh: 1000,
  ...extra,
});

for (const backend of backends) {
  describe(`TransactionRepo on ${backend.name}`, () => {
    let s: OpenedStore;
    let txs: TransactionRepo;
    before(async () => {
      s = await backend.open();
      txs = new TransactionRepo(s.store.db);
      const stations = new StationRepo(s.store.db);
      for (const id of ['CS-A', 'CS-B', 'CS-END', 'CS-LIST']) await stations.create({ id, passwordHash: null });
    });
    after(() => s?.cleanup());

    it('gives 1.6-style starts transaction_ref = String(id), distinct per start', async () => {
      const a = await txs.start(start16('CS-A'));
      const b = await txs.start(start16('CS-A', { connectorId: 2 }));
      assert.equal(a.transactionRef, String(a.id));
      assert.equal(b.transactionRef, String(b.id));
      assert.notEqual(a.id, b.id);
      const stored = await txs.findByRef('CS-A', String(a.id));
      assert.equal(stored?.id, a.id);
      assert.equal(stored?.transactionRef, String(a.id));
      assert.equal(stored?.state, 'active');
    });

    it('keeps a 2.0.1 transactionId and rejects its reuse on the same station only', async () => {
      const input = start16('CS-B', {
        protocol: 'ocpp2.0.1',
        transactionRef: 'f3a9-uuid',
        seqNo: 0,
        chargingState: 'EVConnected',
      });
      const t = await txs.start(input);
      assert.equal(t.transactionRef, 'f3a9-uuid');
      const got = await txs.get(t.id);
      assert.equal(got?.lastSeqNo, 0);
      assert.equal(got?.chargingState, 'EVConnected');
      await assert.rejects(txs.start(input), DuplicateError);
      const other = await txs.start({ ...input, stationId: 'CS-A' });
      assert.equal(other.transactionRef, 'f3a9-uuid');
    });

    it('updates only the given fields', async () => {
      const t = await txs.start(start16('CS-B', { transactionRef: 'upd', chargingState: 'Charging' }));
      assert.equal(await txs.update(t.id, { lastSeqNo: 4, seqGaps: 1, energyWh: 12.5 }), true);
      const got = await txs.get(t.id);
      assert.equal(got?.lastSeqNo, 4);
      assert.equal(got?.seqGaps, 1);
      assert.equal(got?.energyWh, 12.5);
      assert.equal(got?.chargingState, 'Charging');
      assert.equal(got?.idToken, 'TAG-1');
      assert.equal(await txs.update(999_999_999, { seqGaps: 1 }), false);
    });

    it('ends an active transaction once; the second end returns false', async () => {
      const t = await txs.start(start16('CS-END'));
      const endedAt = new Date('2025-06-01T09:00:00Z');
      const stop = { endedAt, meterStopWh: 5000, energyWh: 4000, stopReason: 'Local' };
      assert.equal(await txs.end(t.id, stop), true);
      assert.equal(await txs.end(t.id, { ...stop, stopReason: 'Remote' }), false);
      const got = await txs.get(t.id);
      assert.equal(got?.state, 'ended');
      assert.equal(got?.stopReason, 'Local');
      assert.equal(got?.endedAt?.toISOString(), endedAt.toISOString());
      assert.deepEqual(await txs.listActive('CS-END'), []);
    });

    it('lists active transactions of a station and filters the full list', async () => {
      const a = await txs.start(start16('CS-LIST'));
      const b = await txs.start(start16('CS-LIST', { connectorId: 2 }));
      await txs.end(a.id, { endedAt: new Date(), meterStopWh: 1, energyWh: 1, stopReason: null });
      assert.deepEqual(
        (await txs.listActive('CS-LIST')).map((t) => t.id),
        [b.id],
      );
      assert.deepEqual(
        (await txs.list({ stationId: 'CS-LIST', limit: 10 })).map((t) => t.id),
        [b.id, a.id],
      );
      assert.deepEqual(
        (await txs.list({ stationId: 'CS-LIST', state: 'ended', limit: 10 })).map((t) => t.id),
        [a.id],
      );
      assert.equal((await txs.list({ limit: 1, offset: 1 })).length, 1);
    });

    it('progress writer records seqNo, gaps and charging state of several transactions', async () => {
      const a = await txs.start(start16('CS-B', { transactionRef: 'prog-a', seqNo: 0 }));
      const b = await txs.start(start16('CS-B', { transactionRef: 'prog-b', seqNo: 0 }));
      const before = (await txs.get(a.id))?.updatedAt;
      const progress = txs.progressWriter({ flushMs: 5 });
      await Promise.all([
        progress.add({ id: a.id, lastSeqNo: 3, seqGaps: 1, chargingState: 'Charging' }),
        progress.add({ id: b.id, lastSeqNo: 1, seqGaps: 0, chargingState: null }),
      ]);
      await progress.close();
      const ga = await txs.get(a.id);
      const gb = await txs.get(b.id);
      assert.deepEqual([ga?.lastSeqNo, ga?.seqGaps, ga?.chargingState], [3, 1, 'Charging']);
      assert.deepEqual([gb?.lastSeqNo, gb?.seqGaps, gb?.chargingState], [1, 0, null]);
      assert.ok(before && ga && ga.updatedAt >= before);
      await assert.rejects(progress.add({ id: a.id, lastSeqNo: 4, seqGaps: 1, chargingState: null }), /closed/);
    });
  });
}
