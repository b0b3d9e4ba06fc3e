import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/log/logger.js';
import { BlockListInputError, PerimeterBlockList } from '../../src/security/perimeter/block-list.js';
import { BlockListRepo } from '../../src/store/repos/block-lists.js';
import { backends, type OpenedStore } from '../helpers/db.js';

for (const backend of backends) {
  describe(`block lists on ${backend.name}`, () => {
    let s: OpenedStore;
    let clock = Date.now();
    const now = (): number => clock;
    before(async () => { s = await backend.open(); });
    after(() => s?.cleanup());

    it('blocks addresses, ranges (IPv4 and IPv6) and identities; the allow list wins; TTLs lapse', async () => {
      const lists = new PerimeterBlockList(new BlockListRepo(s.store.db), silentLogger, { refreshMs: 0, now });
      await lists.start();
      await lists.block({ kind: 'ip', value: '198.51.100.7' }, { ttlS: null, reason: 'scanner', by: 'user:1' });
      await lists.block({ kind: 'ip', value: '203.0.113.0/24' }, { ttlS: 60, reason: 'flood', by: 'ids:flood' });
      await lists.block({ kind: 'ip', value: '2001:db8::/32' }, { ttlS: null, reason: 'v6 range', by: 'user:1' });
      await lists.block({ kind: 'identity', value: 'CS-BAD' }, { ttlS: 10, reason: 'cloned identity', by: 'ids:dup' });
      await lists.add({ list: 'allow', kind: 'ip', value: '203.0.113.10', ttlS: null, reason: 'our NOC', by: 'user:1' });
      assert.equal(lists.isBlocked('ip', '198.51.100.7'), true);
      assert.equal(lists.isBlocked('ip', '::ffff:198.51.100.7'), true, 'an IPv4-mapped address is the same address');
      assert.equal(lists.isBlocked('ip', '198.51.100.8'), false);
      assert.equal(lists.isBlocked('ip', '203.0.113.99'), true);
      assert.equal(lists.isBlocked('ip', '203.0.113.10'), false, 'allow list wins');
      assert.equal(lists.isBlocked('ip', '2001:db8:0:0:0:0:0:1'), true);
      assert.equal(lists.isBlocked('identity', 'CS-BAD'), true);
      assert.equal(lists.isBlocked('identity', 'CS-GOOD'), false);
      // a second node reading the same table converges on the same verdicts
      const other = new PerimeterBlockList(new BlockListRepo(s.store.db), silentLogger, { refreshMs: 0, now });
      await other.start();
      assert.equal(other.isBlocked('identity', 'CS-BAD'), true);
      assert.equal(other.isBlocked('ip', '203.0.113.5'), true);
      assert.equal(other.isBlocked('ip', '203.0.113.10'), false);
      // the identity's TTL lapses first, the range's later; the permanent entries stay
      clock += 11_000;
      assert.equal(lists.isBlocked('identity', 'CS-BAD'), false);
      assert.equal(lists.isBlocked('ip', '203.0.113.99'), true);
      clock += 50_000;
      assert.equal(lists.isBlocked('ip', '203.0.113.99'), false);
      assert.equal(lists.isBlocked('ip', '198.51.100.7'), true);
      await other.refresh();
      assert.deepEqual((await other.entries()).map((e) => e.value).sort(), ['198.51.100.7', '2001:db8::/32', '203.0.113.10']);
    });

    it('renews an entry blocked again, removes on unblock, refuses malformed targets', async () => {
      const lists = new PerimeterBlockList(new BlockListRepo(s.store.db), silentLogger, { refreshMs: 0, now });
      await lists.start();
      await lists.block({ kind: 'identity', value: 'CS-AGAIN' }, { ttlS: 5, reason: 'first', by: 'ids:x' });
      const renewed = await lists.add({ list: 'block', kind: 'identity', value: 'CS-AGAIN', ttlS: null, reason: 'second', by: 'user:2' });
      const rows = (await lists.entries()).filter((e) => e.value === 'CS-AGAIN');
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.reason, 'second');
      assert.equal(rows[0]!.expiresAt, null);
      await lists.remove(renewed.id);
      assert.equal(lists.isBlocked('identity', 'CS-AGAIN'), false);
      for (const [kind, value] of [['ip', '300.1.1.1'], ['ip', '10.0.0.0/33'], ['identity', 'bad identity with spaces'], ['cidr', 'x/1']] as const) {
        await assert.rejects(lists.add({ list: 'block', kind, value, ttlS: null, reason: 'r', by: 'u' }), BlockListInputError, `${kind} ${value}`);
      }
      await assert.rejects(lists.add({ list: 'allow', kind: 'identity', value: 'CS-1', ttlS: null, reason: 'r', by: 'u' }), BlockListInputError);
    });
  });
}
