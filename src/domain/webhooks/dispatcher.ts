import { randomUUID } from 'node:crypto';
import type { Logger } from '../../log/logger.js';
import type { UserRepo } from '../../store/repos/users.js';
import type { WebhookRepo } from '../../store/repos/webhooks.js';
import type { WebhookSubscriptionRow } from '../../store/schema.js';
import type { Sealer } from '../crypto/sealed.js';
import { isRole } from '../identity/roles.js';
import { envelope, type EventHub, type NumberedEvent } from './event-hub.js';
import { postJson, type PostResult } from './post.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.js';
import { maySee, redact, type GroupOf, type Viewer } from './visibility.js';

export interface DeliveryOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  /** attempts per event, the first included */
  maxAttempts: number;
  /** wait before the first retry; doubled for each further one, capped at maxBackoffMs */
  retryBaseMs: number;
  maxBackoffMs: number;
  /** events waiting per subscription; beyond it the oldest are dropped (and counted) */
  queueSize: number;
  /** how long an owner's roles and scope are trusted before being read again */
  ownerTtlMs: number;
}

export const defaultDeliveryOptions: DeliveryOptions = {
  allowPrivate: false, timeoutMs: 10_000, maxAttempts: 6, retryBaseMs: 1000, maxBackoffMs: 600_000, queueSize: 1000, ownerTtlMs: 30_000,
};

/** Statuses worth another attempt: no answer, timeouts, throttling and server errors. A 4xx says the request itself is unwanted. */
const retryable = (r: PostResult): boolean => r.status === null || r.status === 408 || r.status === 429 || r.status >= 500;

interface Worker {
  row: WebhookSubscriptionRow;
  secret: string;
  queue: NumberedEvent[];
  dropped: number;
  /** set before the worker's loop starts and cleared in the same step in which it sees the queue empty */
  busy: boolean;
  running: Promise<void> | null;
  stopped: boolean;
  abort: AbortController;
  owner?: { viewer: Viewer | null; at: number };
}

/**
 * Delivers the events of this node to webhook subscriptions: one worker per subscription
 * sends its events in order, each signed, retried with exponential back-off up to
 * `maxAttempts`, from a bounded queue; the outcome of every attempt is recorded on the
 * subscription. A subscription sees only what its owner may see, idTokens never included.
 */
export class WebhookDispatcher {
  private readonly workers = new Map<string, Worker>();
  private unlisten?: () => void;
  private closed = false;

  constructor(
    private readonly repo: WebhookRepo,
    private readonly users: UserRepo,
    private readonly secrets: Sealer,
    private readonly hub: EventHub,
    private readonly groupOf: GroupOf,
    private readonly log: Logger,
    private readonly o: DeliveryOptions = defaultDeliveryOptions,
  ) {}

  async start(): Promise<void> {
    for (const row of await this.repo.list()) this.add(row);
    this.unlisten = this.hub.listen((n) => this.offer(n));
  }

  /** Starts delivering to a (new) subscription. */
  add(row: WebhookSubscriptionRow): void {
    if (this.closed) return;
    let secret: string;
    try {
      secret = this.secrets.open(row.secretSealed, row.id).toString('utf8');
    } catch {
      this.log.error({ webhook: row.id }, 'a webhook secret cannot be opened (server secret changed?); the subscription is not served');
      return;
    }
    this.workers.set(row.id, { row, secret, queue: [], dropped: 0, busy: false, running: null, stopped: false, abort: new AbortController() });
  }

  remove(id: string): void {
    const w = this.workers.get(id);
    if (!w) return;
    this.workers.delete(id);
    w.stopped = true;
    w.abort.abort();
  }

  /** Stops every worker: in-flight requests and back-off waits are cancelled, so shutdown never waits on a slow receiver. */
  async close(): Promise<void> {
    this.closed = true;
    this.unlisten?.();
    const running = [...this.workers.values()].map((w) => w.running);
    for (const id of [...this.workers.keys()]) this.remove(id);
    await Promise.allSettled(running);
  }

  private offer(n: NumberedEvent): void {
    // every node hears every event (cluster fan-out) and all share one subscription table: only the
    // node where the event originated delivers it, else each webhook would be called once per node
    if (n.remote) return;
    for (const w of this.workers.values()) {
      if (!w.row.types.includes(n.event.type)) continue;
      w.queue.push(n);
      if (w.queue.length > this.o.queueSize) {
        w.queue.shift();
        w.dropped++;
      }
      if (!w.busy) {
        w.busy = true;
        w.running = this.pump(w);
      }
    }
  }

  private async pump(w: Worker): Promise<void> {
    try {
      await this.drain(w);
    } catch (err) {
      w.busy = false;
      this.log.error({ err, webhook: w.row.id }, 'a webhook worker stopped');
    }
  }

  private async drain(w: Worker): Promise<void> {
    while (!w.stopped) {
      if (w.dropped) {
        const n = w.dropped;
        w.dropped = 0;
        await this.repo.recordDropped(w.row.id, n).catch((err: unknown) => this.log.error({ err }, 'could not record dropped webhook events'));
      }
      const n = w.queue.shift();
      if (!n) {
        w.busy = false;
        return;
      }
      try {
        const viewer = await this.ownerOf(w);
        if (viewer && (await maySee(viewer, n.event, this.groupOf))) await this.deliver(w, n);
      } catch (err) {
        this.log.error({ err, webhook: w.row.id }, 'webhook delivery failed');
      }
    }
  }

  private async deliver(w: Worker, n: NumberedEvent): Promise<void> {
    const body = JSON.stringify(envelope(n, redact(n.event)));
    const delivery = randomUUID();
    for (let attempt = 1; !w.stopped; attempt++) {
      // signed per attempt: the timestamp says when this request was made
      const headers = { [SIGNATURE_HEADER]: signatureHeader(w.secret, body, Math.floor(Date.now() / 1000)), [EVENT_HEADER]: n.event.type, [DELIVERY_HEADER]: delivery };
      const r = await postJson(w.row.url, body, headers, { timeoutMs: this.o.timeoutMs, allowPrivate: this.o.allowPrivate, signal: w.abort.signal });
      if (w.stopped) return;
      const ok = r.status !== null && r.status >= 200 && r.status < 300;
      const gaveUp = !ok && (attempt >= this.o.maxAttempts || !retryable(r));
      await this.repo.recordAttempt(w.row.id, ok ? { ok, status: r.status! } : { ok, status: r.status, error: r.error ?? `HTTP ${r.status}`, gaveUp });
      if (ok || gaveUp) return;
      await this.sleep(w, Math.min(this.o.maxBackoffMs, this.o.retryBaseMs * 2 ** (attempt - 1)));
    }
  }

  /** Waits, or returns early when the worker stops. */
  private sleep(w: Worker, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        w.abort.signal.removeEventListener('abort', done);
        resolve();
      }
      w.abort.signal.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * The owner's current roles and scope: a user account is read again (a disabled or deleted
   * account receives nothing, a role change takes effect); other principals keep what they had
   * when they subscribed.
   */
  private async ownerOf(w: Worker): Promise<Viewer | null> {
    if (w.owner && Date.now() - w.owner.at < this.o.ownerTtlMs) return w.owner.viewer;
    let viewer: Viewer | null = { roles: w.row.ownerRoles.filter(isRole), groups: w.row.ownerGroups };
    const userId = /^user:(\d+)$/.exec(w.row.owner)?.[1];
    if (w.row.ownerKind === 'user' && userId) {
      const u = await this.users.byId(Number(userId));
      viewer = u && !u.disabled ? { roles: u.roles.filter(isRole), groups: u.stationGroups } : null;
    }
    w.owner = { viewer, at: Date.now() };
    return viewer;
  }
}
