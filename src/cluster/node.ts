import type { Config } from '../config/config.js';
import type { DomainEvents } from '../domain/events.js';
import type { EventHub } from '../domain/webhooks/event-hub.js';
import type { Logger } from '../log/logger.js';
import { ClusterCommandBus } from './cluster-bus.js';
import { startEventFanout } from './event-fanout.js';
import { openRedis, type ClusterRedis } from './redis.js';

/** This process as a cluster node (REDIS_URL set): the command bus over Redis and the event fan-out. */
export interface ClusterNode {
  bus: ClusterCommandBus;
  start(events: DomainEvents, hub: EventHub): Promise<void>;
  close(): Promise<void>;
}

export async function openClusterNode(config: Config & { redisUrl: string }, log: Logger): Promise<ClusterNode> {
  const redis: ClusterRedis = await openRedis(config.redisUrl, config.redisPrefix, log);
  const bus = new ClusterCommandBus(redis, log, { callTimeoutMs: config.callTimeout });
  let stopFanout = (): void => undefined;
  return {
    bus,
    async start(events, hub) {
      await bus.start();
      stopFanout = await startEventFanout(redis, bus.nodeId, events, hub, log);
    },
    async close() {
      stopFanout();
      await bus.close();
      await redis.close();
    },
  };
}
