import type { DomainEvent, DomainEvents } from '../domain/events.js';
import type { EventHub } from '../domain/webhooks/event-hub.js';
import type { Logger } from '../log/logger.js';
import type { ClusterRedis } from './redis.js';

interface Envelope {
  n: string;
  t: string;
  e: DomainEvent;
}

/** What a node does with another node's event besides showing it on SSE: only socket actions, the one thing only the holder can do. */
export type RemoteActions = Partial<{ [T in DomainEvent['type']]: (e: Extract<DomainEvent, { type: T }>) => void }>;

/**
 * Domain events of this node go to every other node over one pub/sub channel, where they enter
 * the event hub only (SSE), not the domain: the originating node has already acted on them, and
 * dispatches their webhooks. Pub/sub suffices: SSE replay is per node, and a node that misses
 * events while disconnected from Redis is no worse off than a client that misses them.
 */
export async function startEventFanout(r: ClusterRedis, node: string, events: DomainEvents, hub: EventHub, log: Logger, actions: RemoteActions = {}): Promise<() => void> {
  const channel = r.key('events');
  const onMessage = (ch: string, message: string): void => {
    if (ch !== channel) return;
    try {
      const env = JSON.parse(message) as Envelope;
      if (env.n === node) return;
      hub.publishRemote(env.e, new Date(env.t));
      (actions[env.e.type] as ((e: DomainEvent) => void) | undefined)?.(env.e);
    } catch {
      log.warn('cluster: unreadable event ignored');
    }
  };
  r.subscriber.on('message', onMessage);
  await r.subscriber.subscribe(channel);
  const unsubscribe = events.subscribe((e) => {
    const env: Envelope = { n: node, t: new Date().toISOString(), e };
    r.client.publish(channel, JSON.stringify(env)).catch((err: unknown) => log.warn({ err: { message: (err as Error).message } }, 'cluster: event not fanned out'));
  });
  return () => {
    unsubscribe();
    r.subscriber.off('message', onMessage);
  };
}
