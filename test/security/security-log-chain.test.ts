// The tamper-evident security log (issue 7, OP6): every record is chained by SHA-256 to the one
// before; verify() finds an altered, a removed and a reordered record (tampered with raw SQL),
// and retention drops the oldest records behind a checkpoint so the rest still verifies — on
// PGlite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, beforeEach, afterEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { SecurityEventRepo } from '../../src/store/index.js';
import { RetentionRepo } from '../../src/store/repos/retention.js';
import { backends, type OpenedStore } from '../helpers/db.js';

for (const backend of backends) {
  describe(`security log chain on ${backend.name}`, () => {
    let s: OpenedStore;
    let repo: SecurityEventRepo;
    beforeEach(async () => {
      s = await backend.open();
      repo = new SecurityEventRepo(s.store.db);
      for (let i = 1; i <= 6; i++) {
        await repo.record({ type: i % 2 ? 'AuthenticationFailed' : 'RoleChanged', severity: 'warning', sourceIp: '192.0.2.7', actor: `user:${i}`, actorRole: 'operator', description: `event ${i}`, node: 'node-a', details: { n: i, nested: { b: 1, a: [1, 'x'] } } });
      }
    });
    afterEach(() => s?.cleanup());
    after(() => undefined);

    it('chains concurrent writers gap-free and verifies', async () => {
      await Promise.all(Array.from({ length: 20 }, (_, i) => repo.record({ stationId: `CS-${i}`, origin: 'station', type: 'TamperDetectionActivated', severity: 'critical', details: { i }, occurredAt: new Date('2020-01-01T00:00:00.123456Z') })));
      const r = await repo.verify(7);
      assert.deepEqual(r.broken, undefined);
      assert.equal(r.ok, true);
      assert.equal(r.checked, 26);
      assert.deepEqual(r.head.seq, 26);
    });

    it('finds an altered record', async () => {
      await sql`update security_events set description = 'nothing to see' where chain_seq = 3`.execute(s.store.db);
      const r = await repo.verify();
      assert.equal(r.ok, false);
      assert.equal(r.broken?.seq, 3);
      assert.match(r.broken!.reason, /altered/);
    });

    it('finds an altered detail, even with a re-computed hash it breaks the next link', async () => {
      await sql`update security_events set details = '{"n": 99}'::jsonb where chain_seq = 2`.execute(s.store.db);
      assert.equal((await repo.verify()).broken?.seq, 2);
    });

    it('finds a removed record in the middle and at the end', async () => {
      await sql`delete from security_events where chain_seq = 4`.execute(s.store.db);
      const r = await repo.verify();
      assert.equal(r.broken?.seq, 5);
      assert.match(r.broken!.reason, /removed/);
      await sql`delete from security_events where chain_seq >= 4`.execute(s.store.db);
      const tail = await repo.verify();
      assert.equal(tail.ok, false);
      assert.match(tail.broken!.reason, /newest record\(s\) removed/);
    });

    it('finds a reordered record', async () => {
      // swap the positions of records 2 and 3 (through a free slot: chain_seq is unique)
      await sql`update security_events set chain_seq = -1 where chain_seq = 2`.execute(s.store.db);
      await sql`update security_events set chain_seq = 2 where chain_seq = 3`.execute(s.store.db);
      await sql`update security_events set chain_seq = 3 where chain_seq = -1`.execute(s.store.db);
      const r = await repo.verify();
      assert.equal(r.broken?.seq, 2);
      assert.match(r.broken!.reason, /reordered/);
    });

    it('finds a record written around the chain', async () => {
      await sql`insert into security_events (type, severity) values ('Forged', 'info')`.execute(s.store.db);
      assert.match((await repo.verify()).broken!.reason, /outside the chain/);
    });

    it('retention drops the oldest behind a checkpoint and the rest still verifies; a removal after it still shows', async () => {
      await sql`update security_events set recorded_at = now() - interval '400 days' where chain_seq <= 4`.execute(s.store.db);
      const retention = new RetentionRepo(s.store.db);
      const cutoff = new Date(Date.now() - 365 * 86_400_000);
      assert.equal(await retention.step('securityEvents', cutoff, 3), 3);
      assert.equal(await retention.step('securityEvents', cutoff, 3), 1);
      assert.equal(await retention.step('securityEvents', cutoff, 3), 0);
      const r = await repo.verify();
      assert.equal(r.ok, true, JSON.stringify(r.broken));
      assert.deepEqual({ kind: r.anchor.kind, seq: r.anchor.seq, dropped: r.anchor.dropped, checked: r.checked }, { kind: 'checkpoint', seq: 4, dropped: 4, checked: 2 });
      await repo.record({ type: 'AfterRetention', severity: 'info', details: {} });
      assert.equal((await repo.verify()).ok, true);
      // someone removes the first record after the checkpoint
      await sql`delete from security_events where chain_seq = 5`.execute(s.store.db);
      const broken = await repo.verify();
      assert.equal(broken.broken?.seq, 6);
      assert.match(broken.broken!.reason, /removed/);
    });
  });
}
