import { Redis } from 'ioredis';
import type { Logger } from '../log/logger.js';
import { redactUrl } from '../store/db.js';

/**
 * The cluster's connections to Redis: one for commands and one for subscriptions (a
 * subscribed connection can issue nothing else). Every key and channel goes through `key()`,
 * so clusters and test runs sharing one Redis never see each other's data.
 */
export interface ClusterRedis {
  readonly client: Redis;
  readonly subscriber: Redis;
  key(...parts: string[]): string;
  close(): Promise<void>;
}

export class RedisUnavailable extends Error {}

/** Connects both connections and checks the server answers; a clear error (URL without password) when it does not. */
export async function openRedis(url: string, prefix: string, log: Logger): Promise<ClusterRedis> {
  const where = redactUrl(url);
  const options = { lazyConnect: true, maxRetriesPerRequest: 3, enableOfflineQueue: true, connectionName: 'ov2x' } as const;
  const client = new Redis(url, options);
  const subscriber = new Redis(url, { ...options, connectionName: 'ov2x-sub' });
  for (const [name, conn] of [['client', client], ['subscriber', subscriber]] as const) {
    // ioredis reconnects by itself; a lost connection is logged, not thrown at whoever happens to listen
    conn.on('error', (err: Error) => log.warn({ err: { message: err.message }, redis: where, connection: name }, 'redis connection error'));
  }
  try {
    await Promise.all([client.connect(), subscriber.connect()]);
    await client.ping();
  } catch (err) {
    client.disconnect();
    subscriber.disconnect();
    throw new RedisUnavailable(`cannot reach Redis at ${where}: ${(err as Error).message}`);
  }
  log.info({ redis: where }, 'cluster: connected to redis');
  return {
    client,
    subscriber,
    key: (...parts) => prefix + parts.join(':'),
    async close() {
      await Promise.allSettled([client.quit(), subscriber.quit()]);
    },
  };
}
