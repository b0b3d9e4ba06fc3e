import type { ServerResponse } from 'node:http';
import type { DomainEvent } from '../domain/events.js';
import { envelope, type EventHub, type NumberedEvent } from '../domain/webhooks/event-hub.js';
import { maySee, redact, type EventType, type GroupOf, type Viewer } from '../domain/webhooks/visibility.js';

/** What one stream asked for (`?types=`, `?stationId=`, `?commandId=`). */
export interface SseFilter {
  types?: ReadonlySet<EventType>;
  stationId?: string;
  commandId?: number;
}

export interface SseLimits {
  /** events waiting to be checked and written; a client that lets more pile up is dropped */
  maxQueue: number;
  /** bytes the socket may hold unsent; beyond it the client is too slow and is dropped */
  maxBufferedBytes: number;
  heartbeatMs: number;
  /**
   * a stream ends after this long and the client reconnects (EventSource does so by itself,
   * with Last-Event-ID): its credential is checked again, so a revoked session or a changed
   * role stops the stream within this time
   */
  maxLifetimeMs: number;
}

export const defaultSseLimits: SseLimits = { maxQueue: 1000, maxBufferedBytes: 1 << 20, heartbeatMs: 15_000, maxLifetimeMs: 600_000 };

const matches = (f: SseFilter, e: DomainEvent): boolean =>
  (!f.types || f.types.has(e.type)) &&
  (f.stationId === undefined || ('stationId' in e && e.stationId === f.stationId)) &&
  (f.commandId === undefined || ('commandId' in e && e.commandId === f.commandId));

/**
 * One server-sent-events client: the events of the hub its caller may see, in order, from a
 * bounded queue (a visibility check may wait for the database); idTokens omitted unless
 * revealed. Memory per client is bounded twice: by the queue and by the socket's unsent bytes.
 */
export class SseStream {
  private readonly queue: NumberedEvent[] = [];
  private busy = false;
  private ended = false;
  private unlisten?: () => void;
  private heartbeat?: NodeJS.Timeout;
  private lifetime?: NodeJS.Timeout;

  constructor(
    private readonly res: ServerResponse,
    private readonly viewer: Viewer,
    private readonly filter: SseFilter,
    private readonly groupOf: GroupOf,
    private readonly reveal: boolean,
    private readonly limits: SseLimits,
    private readonly onEnd: (s: SseStream) => void,
  ) {}

  /**
   * Starts with the buffered events after `replay.after` (what a reconnecting client missed;
   * `reportGap` when it should be told that some are gone), then follows the hub.
   */
  start(hub: EventHub, replay?: { after: number; reportGap: boolean }): void {
    this.res.on('close', () => this.end());
    this.res.write('retry: 3000\n\n');
    if (replay) {
      const { events, complete } = hub.since(replay.after);
      const lastEventId = replay.after;
      // no id line: the client's Last-Event-ID stays where it was
      if (!complete && replay.reportGap) this.res.write(`event: gap\ndata: ${JSON.stringify({ lastEventId, message: 'some events after this id are no longer buffered' })}\n\n`);
      for (const n of events) this.push(n);
    }
    // same synchronous step as the replay: no event can fall between the two
    this.unlisten = hub.listen((n) => this.push(n));
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), this.limits.heartbeatMs);
    this.heartbeat.unref();
    this.lifetime = setTimeout(() => this.end(), this.limits.maxLifetimeMs);
    this.lifetime.unref();
  }

  push(n: NumberedEvent): void {
    if (this.ended || !matches(this.filter, n.event)) return;
    if (this.queue.length >= this.limits.maxQueue) return this.end();
    this.queue.push(n);
    if (!this.busy) {
      this.busy = true;
      void this.drain();
    }
  }

  private async drain(): Promise<void> {
    for (;;) {
      const n = this.queue.shift();
      if (!n || this.ended) {
        this.busy = false;
        return;
      }
      let visible = false;
      try {
        visible = await maySee(this.viewer, n.event, this.groupOf);
      } catch {
        // the scope could not be read: not shown
      }
      if (visible) {
        const data = envelope(n, this.reveal ? n.event : redact(n.event));
        this.write(`id: ${n.id}\nevent: ${n.event.type}\ndata: ${JSON.stringify(data)}\n\n`);
      }
    }
  }

  private write(frame: string): void {
    if (this.ended) return;
    this.res.write(frame);
    if (this.res.writableLength > this.limits.maxBufferedBytes) this.end();
  }

  /** Ends the stream (client gone, too slow, or the server shutting down). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.length = 0;
    this.unlisten?.();
    clearInterval(this.heartbeat);
    clearTimeout(this.lifetime);
    // a client too slow to read would leave end() waiting on its buffer: drop the socket instead
    if (this.res.writableLength > 0) this.res.destroy();
    else this.res.end();
    this.onEnd(this);
  }
}
