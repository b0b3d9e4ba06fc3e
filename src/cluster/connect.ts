import { randomBytes } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { openRedis, type ClusterRedis } from './redis.js';

/** The platform's one Redis connection pair, and this process's name among the nodes. */
export interface ClusterLink extends ClusterRedis {
  /** random per start: two nodes (or two restarts of one) never share it */
  readonly nodeId: string;
}

/** Opens the cluster's Redis when `REDIS_URL` is set; undefined = a single node with in-memory state. */
export async function clusterRedis(config: Pick<Config, 'redisUrl' | 'redisPrefix'>, log: Logger): Promise<ClusterLink | undefined> {
  if (config.redisUrl === undefined) return undefined;
  const redis = await openRedis(config.redisUrl, config.redisPrefix, log);
  return Object.assign(redis, { nodeId: randomBytes(8).toString('hex') });
}
