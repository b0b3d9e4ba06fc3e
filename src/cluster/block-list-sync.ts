import type { Logger } from '../log/logger.js';
import type { PerimeterBlockList } from '../security/perimeter/block-list.js';
import type { ClusterLink } from './connect.js';

/**
 * Keeps every node's cached block lists in step (M3): a node that writes an entry publishes its
 * id, and the others re-read the table at once instead of at their next poll. The poll stays as
 * the safety net for a message lost while a node was disconnected from Redis; a node whose
 * subscription comes back re-reads the table too. Returns the stop.
 */
export async function shareBlockList(list: PerimeterBlockList, redis: ClusterLink, log: Logger): Promise<() => Promise<void>> {
  const channel = redis.key('blocklist', 'changed');
  const reread = (why: string) => list.refresh().catch((err: unknown) => log.error({ err, why }, 'block lists could not be re-read; the cached ones stay in force'));
  const onMessage = (ch: string, from: string) => {
    if (ch === channel && from !== redis.nodeId) void reread('changed on another node');
  };
  const onReady = () => void reread('redis subscription back');
  redis.subscriber.on('message', onMessage);
  redis.subscriber.on('ready', onReady);
  await redis.subscriber.subscribe(channel);
  const stopWrites = list.onWrite(() => {
    redis.client.publish(channel, redis.nodeId).catch((err: unknown) => log.warn({ err: { message: (err as Error).message } }, 'cluster: block list change not announced; other nodes see it at their next poll'));
  });
  return async () => {
    stopWrites();
    redis.subscriber.off('message', onMessage);
    redis.subscriber.off('ready', onReady);
    await redis.subscriber.unsubscribe(channel).catch(() => undefined);
  };
}
