import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventThrottle } from '../../src/domain/security/event-throttle.js';

test('admits N per window per source, counts the rest and reports them with the next admitted one', () => {
  let now = 0;
  const t = new EventThrottle(3, 1000, 100, () => now);
  assert.deepEqual([t.admit('a'), t.admit('a'), t.admit('a')], [{ suppressed: 0 }, { suppressed: 0 }, { suppressed: 0 }]);
  assert.equal(t.admit('a'), undefined);
  assert.equal(t.admit('a'), undefined);
  assert.deepEqual(t.admit('b'), { suppressed: 0 }, 'another source has its own window');
  now = 1000;
  assert.deepEqual(t.admit('a'), { suppressed: 2 });
  assert.deepEqual(t.admit('a'), { suppressed: 0 });
});

test('tracks a bounded number of sources', () => {
  const t = new EventThrottle(1, 60_000, 2, () => 0);
  t.admit('a');
  t.admit('b');
  t.admit('c');
  // 'a' was forgotten to make room, so it is admitted again
  assert.deepEqual(t.admit('a'), { suppressed: 0 });
  assert.equal(t.admit('c'), undefined);
});
