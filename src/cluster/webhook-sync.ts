import type { WebhookDispatcher } from '../domain/webhooks/dispatcher.js';
import type { WebhookService } from '../domain/webhooks/webhook-service.js';
import type { Logger } from '../log/logger.js';
import type { WebhookRepo } from '../store/repos/webhooks.js';
import type { ClusterRedis } from './redis.js';

/**
 * Each node dispatches the webhooks of the events it originates, so every node must serve every
 * subscription, wherever it was created or deleted: a change made on one node is announced, and
 * the others load the row from the shared database (the secret never crosses Redis).
 */
export async function startWebhookSync(r: ClusterRedis, node: string, service: WebhookService, dispatcher: WebhookDispatcher, repo: WebhookRepo, log: Logger): Promise<() => void> {
  const channel = r.key('webhooks');
  let stopped = false;
  const onMessage = (ch: string, message: string): void => {
    if (ch !== channel || stopped) return;
    let m: { n: string; op: 'add' | 'remove'; id: string };
    try {
      m = JSON.parse(message) as typeof m;
    } catch {
      return log.warn('cluster: unreadable webhook change ignored');
    }
    if (m.n === node) return;
    if (m.op === 'remove') return dispatcher.remove(m.id);
    repo.get(m.id).then((row) => { if (row && !stopped) dispatcher.add(row); }, (err: unknown) => log.warn({ err: { message: (err as Error).message }, webhook: m.id }, 'cluster: a new webhook subscription could not be loaded'));
  };
  r.subscriber.on('message', onMessage);
  await r.subscriber.subscribe(channel);
  service.onChange((op, id) => {
    if (stopped) return;
    r.client.publish(channel, JSON.stringify({ n: node, op, id })).catch((err: unknown) => log.warn({ err: { message: (err as Error).message } }, 'cluster: webhook change not announced'));
  });
  return () => {
    stopped = true;
    r.subscriber.off('message', onMessage);
  };
}
