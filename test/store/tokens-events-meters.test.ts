import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MeterValueRepo, SecurityEventRepo, TokenRepo } from '../../src/store/index.js';
import { backends, type OpenedStore } from '../helpers/db.js';

for (const backend of backends) {
  describe(`TokenRepo, SecurityEventRepo, MeterValueRepo on ${backend.name}`, () => {
    let s: OpenedStore;
    before(async () => {
      s = await backend.open();
    });
    after(() => s?.cleanup());

    it('upserts tokens, replacing attributes, and sets status', async () => {
      const tokens = new TokenRepo(s.store.db);
      const expiresAt = new Date('2030-01-01T00:00:00Z');
      const first = await tokens.upsert({ idToken: 'RFID-1', status: 'Accepted', expiresAt, groupIdToken: 'G' });
      assert.equal(first.type, 'ISO14443');
      assert.equal(first.expiresAt?.toISOString(), expiresAt.toISOString());
      const second = await tokens.upsert({ idToken: 'RFID-1', type: 'eMAID', status: 'Blocked' });
      assert.equal(second.type, 'eMAID');
      assert.equal(second.status, 'Blocked');
      assert.equal(second.expiresAt, null);
      assert.equal(second.groupIdToken, null);
      assert.deepEqual(second.createdAt, first.createdAt);
      assert.equal(await tokens.setStatus('RFID-1', 'Expired'), true);
      assert.equal((await tokens.get('RFID-1'))?.status, 'Expired');
      assert.equal(await tokens.setStatus('RFID-NOPE', 'Expired'), false);
      await tokens.upsert({ idToken: 'RFID-0', status: 'Accepted' });
      assert.deepEqual(
        (await tokens.list({ limit: 10 })).map((t) => t.idToken),
        ['RFID-0', 'RFID-1'],
      );
      await assert.rejects(tokens.upsert({ idToken: 'BAD', status: 'Whatever' as 'Accepted' }), /id_tokens_status/);
    });

    it('records security events, also for unknown stations, newest first', async () => {
      const events = new SecurityEventRepo(s.store.db);
      const a = await events.record({
        stationId: 'NOT-REGISTERED',
        type: 'AuthFailed',
        severity: 'high',
        sourceIp: '127.0.0.1',
        details: { reason: 'bad password' },
      });
      const b = await events.record({ type: 'TlsHandshakeFailed', severity: 'warning', details: {} });
      assert.ok(a.occurredAt instanceof Date);
      assert.deepEqual(
        (await events.list({ limit: 10 })).map((e) => e.id),
        [b.id, a.id],
      );
      const mine = await events.list({ stationId: 'NOT-REGISTERED', limit: 10 });
      assert.deepEqual(
        mine.map((e) => [e.type, e.sourceIp, e.details]),
        [['AuthFailed', '127.0.0.1', { reason: 'bad password' }]],
      );
      await assert.rejects(
        events.record({ type: 'x', severity: 'meh' as 'info', details: {} }),
        /security_events_severity/,
      );
    });

    it('writes meter values in batches and lists them per transaction in sampling order', async () => {
      const meters = new MeterValueRepo(s.store.db, { flushMs: 5 });
      const at = (sec: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, sec));
      const sample = (wh: number) => [{ value: String(wh), measurand: 'Energy.Active.Import.Register' }];
      await Promise.all([
        meters.add({
          stationId: 'CS-M',
          transactionId: 42,
          evseId: 1,
          sampledAt: at(30),
          context: 'Sample.Periodic',
          sampledValue: sample(30),
        }),
        meters.add({
          stationId: 'CS-M',
          transactionId: 42,
          evseId: 1,
          sampledAt: at(10),
          context: 'Transaction.Begin',
          sampledValue: sample(10),
        }),
        meters.add({
          stationId: 'CS-M',
          transactionId: null,
          evseId: 0,
          sampledAt: at(20),
          context: null,
          sampledValue: sample(0),
        }),
      ]);
      const rows = await meters.listByTransaction(42);
      assert.deepEqual(
        rows.map((r) => [r.sampledAt.toISOString(), r.context, r.sampledValue]),
        [
          [at(10).toISOString(), 'Transaction.Begin', sample(10)],
          [at(30).toISOString(), 'Sample.Periodic', sample(30)],
        ],
      );
      await meters.close();
      await assert.rejects(
        meters.add({
          stationId: 'CS-M',
          transactionId: 1,
          evseId: 1,
          sampledAt: at(0),
          context: null,
          sampledValue: [],
        }),
        /closed/,
      );
    });
  });
}
