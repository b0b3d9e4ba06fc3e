import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The machine's Redis (scripts/ensure-redis.sh makes sure it runs); override with OV2X_TEST_REDIS_URL. */
export const TEST_REDIS_URL = process.env.OV2X_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of its own per test, and a cleanup that removes every key under it. */
export function testRedisPrefix(): { prefix: string; cleanup(): Promise<void> } {
  const prefix = `ov2x-test-${randomBytes(6).toString('hex')}:`;
  return {
    prefix,
    async cleanup() {
      const r = new Redis(TEST_REDIS_URL, { lazyConnect: true });
      await r.connect();
      try {
        let cursor = '0';
        do {
          const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          if (keys.length > 0) await r.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        r.disconnect();
      }
    },
  };
}
