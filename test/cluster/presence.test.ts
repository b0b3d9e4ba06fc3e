import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Presence } from '../../src/cluster/presence.js';
import { openRedis, type ClusterRedis } from '../../src/cluster/redis.js';
import { silentLogger } from '../../src/log/logger.js';
import { TEST_REDIS_URL, testRedisPrefix } from '../helpers/redis.js';

/** The presence scripts against the machine's Redis: the ordering guarantees the cluster bus relies on. */
describe('cluster presence (Redis scripts)', () => {
  const prefix = testRedisPrefix();
  let r: ClusterRedis;
  let x: Presence;
  let y: Presence;
  const value = () => r.client.get(r.key('presence', 'P-1'));

  before(async () => {
    r = await openRedis(TEST_REDIS_URL, prefix.prefix, silentLogger);
    x = new Presence(r, 'aaaa', 5000);
    y = new Presence(r, 'bbbb', 5000);
  });
  after(async () => {
    await r.close();
    await prefix.cleanup();
  });

  it('a takeover claims a higher epoch, announced on the control channel, and the stale owner\'s release leaves it alone', async () => {
    const heard: string[] = [];
    const sub = r.subscriber.duplicate();
    await sub.subscribe(x.controlChannel);
    sub.on('message', (_c: string, m: string) => heard.push(m));
    try {
      const e1 = await x.claim('P-1', 1);
      assert.equal(await value(), `aaaa:${e1}:1`);
      const e2 = await y.claim('P-1', 2);
      assert.ok(e2 > e1);
      // the old socket's close on node x, racing the takeover: must not delete y's claim
      assert.equal(await x.release('P-1', e1, 1), false);
      assert.deepEqual(await x.owner('P-1'), { node: 'bbbb', epoch: e2, profile: 2 });
      const ttl = await r.client.pttl(r.key('presence', 'P-1'));
      assert.ok(ttl > 0 && ttl <= 5000, `presence expires (pttl ${ttl})`);
      // the owner's own release deletes it
      assert.equal(await y.release('P-1', e2, 2), true);
      assert.equal(await value(), null);
      const deadline = Date.now() + 5000;
      while (heard.length < 3 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
      assert.deepEqual(heard.map((m) => JSON.parse(m) as { t: string; n: string }).map((m) => `${m.t}:${m.n}`), ['claim:aaaa', 'claim:bbbb', 'release:bbbb']);
    } finally {
      sub.disconnect();
    }
  });

  it('renewal keeps our claims, re-asserts a lapsed one and reports those another node took', async () => {
    const mine = await x.claim('P-2', 1);
    const lapsed = await x.claim('P-3', 1);
    const lost = await x.claim('P-4', 1);
    await r.client.del(r.key('presence', 'P-3'));
    await y.claim('P-4', 1);
    const gone = await x.renew([
      { stationId: 'P-2', epoch: mine, profile: 1 }, { stationId: 'P-3', epoch: lapsed, profile: 1 }, { stationId: 'P-4', epoch: lost, profile: 1 },
    ], { key: r.key('node', 'aaaa'), value: 'now' });
    assert.deepEqual(gone, ['P-4']);
    assert.equal((await x.owner('P-3'))?.node, 'aaaa');
    assert.equal((await x.owner('P-4'))?.node, 'bbbb');
    assert.equal(await r.client.get(r.key('node', 'aaaa')), 'now');
    assert.deepEqual([...(await x.all()).keys()].sort(), ['P-2', 'P-3', 'P-4']);
  });
});
