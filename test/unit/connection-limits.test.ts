import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionLimits } from '../../src/security/perimeter/limits.js';

test('the per-address token bucket admits a burst, then the sustained rate, per address', () => {
  let clock = 0;
  const l = new ConnectionLimits({ maxPerIp: 100, ratePerS: 2, burst: 3 }, () => clock);
  assert.deepEqual([1, 2, 3, 4].map(() => l.attempt('a')), [true, true, true, false]);
  assert.equal(l.attempt('b'), true, 'another address has its own bucket');
  clock += 500; // one token back at 2/s
  assert.deepEqual([l.attempt('a'), l.attempt('a')], [true, false]);
});

test('the concurrent cap counts open connections per address and each release once', () => {
  const l = new ConnectionLimits({ maxPerIp: 2, ratePerS: 1, burst: 1 });
  const r1 = l.acquire('a')!;
  const r2 = l.acquire('a')!;
  assert.equal(l.acquire('a'), undefined);
  assert.ok(l.acquire('b'));
  r1();
  r1();
  assert.equal(l.openFrom('a'), 1);
  assert.ok(l.acquire('a'));
  r2();
});
