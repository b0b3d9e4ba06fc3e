import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommit } from '../../src/store/group-commit.js';

/** A write that takes a while and records how many writes overlap. */
function slowWrite() {
  const seen = { running: 0, most: 0, batches: [] as number[][] };
  const write = async (items: number[]) => {
    seen.running++;
    seen.most = Math.max(seen.most, seen.running);
    seen.batches.push(items);
    await new Promise((r) => setTimeout(r, 20));
    seen.running--;
  };
  return { seen, write };
}

describe('group commit concurrency', () => {
  it('keeps one write in flight by default', async () => {
    const { seen, write } = slowWrite();
    const q = new GroupCommit('t', write, { maxBatch: 2, flushMs: 1 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => q.add(i)));
    assert.equal(seen.most, 1);
    assert.deepEqual(seen.batches.flat().sort((a, b) => a - b), [...Array(10).keys()]);
  });

  it('runs up to maxInFlight writes at once, every item written exactly once', async () => {
    const { seen, write } = slowWrite();
    const q = new GroupCommit('t', write, { maxBatch: 2, flushMs: 1, maxInFlight: 3 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => q.add(i)));
    assert.equal(seen.most, 3);
    assert.deepEqual(seen.batches.flat().sort((a, b) => a - b), [...Array(20).keys()]);
    assert.ok(seen.batches.every((b) => b.length <= 2));
    await q.close();
    assert.equal(q.pending, 0);
  });

  it('refuses a maxInFlight below 1', () => {
    assert.throws(() => new GroupCommit('t', async () => undefined, { maxInFlight: 0 }), /maxInFlight/);
  });
});
