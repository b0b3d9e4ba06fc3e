import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openRedis, RedisUnavailable } from '../../src/cluster/redis.js';
import { silentLogger } from '../../src/log/logger.js';
import { TEST_REDIS_URL, testRedisPrefix } from '../helpers/redis.js';

describe('cluster redis connection', () => {
  const { prefix, cleanup } = testRedisPrefix();
  after(cleanup);

  it('connects both connections and keeps every key under the cluster prefix', async () => {
    const r = await openRedis(TEST_REDIS_URL, prefix, silentLogger);
    try {
      assert.equal(r.key('presence', 'CP-1'), `${prefix}presence:CP-1`);
      await r.client.set(r.key('probe'), '1');
      assert.equal(await r.client.get(`${prefix}probe`), '1');
      const got = new Promise<string>((resolve) => r.subscriber.once('message', (_c: string, m: string) => resolve(m)));
      await r.subscriber.subscribe(r.key('chan'));
      await r.client.publish(r.key('chan'), 'hello');
      assert.equal(await got, 'hello');
    } finally {
      await r.close();
    }
  });

  it('says clearly when Redis cannot be reached, without the password', async () => {
    await assert.rejects(openRedis('redis://:s3cret-pw@127.0.0.1:1', prefix, silentLogger), (err: unknown) => {
      assert.ok(err instanceof RedisUnavailable);
      assert.match(err.message, /cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
      assert.doesNotMatch(err.message, /s3cret-pw/);
      return true;
    });
  });
});
