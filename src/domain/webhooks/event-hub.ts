import type { DomainEvent, DomainEvents } from '../events.js';
import type { EventType } from './visibility.js';

/** A domain event as the API hands it out: numbered, stamped, in a bounded replay buffer. */
export interface NumberedEvent {
  id: number;
  time: Date;
  event: DomainEvent;
  /** originated on another cluster node (fanned out over Redis): shown on SSE, never dispatched as a webhook here */
  remote?: true;
}

/** The JSON body of an SSE `data:` line and of a webhook delivery. */
export interface EventEnvelope {
  id: number;
  type: EventType;
  time: string;
  data: Record<string, unknown>;
}

export function envelope(n: NumberedEvent, data: DomainEvent): EventEnvelope {
  const { type, ...rest } = data;
  return { id: n.id, type, time: n.time.toISOString(), data: rest };
}

export type HubListener = (n: NumberedEvent) => void;

/**
 * Numbers the domain events of this node and keeps the last `capacity` of them, so an SSE
 * client that reconnects with Last-Event-ID gets what it missed. Ids start at the boot time in
 * microseconds: they keep increasing across restarts, so an id from before a restart reads as
 * older than the buffer (a gap) instead of as one from the future.
 */
export class EventHub {
  private readonly ring: NumberedEvent[] = [];
  private head = 0;
  private nextId = Date.now() * 1000;
  private listeners = new Set<HubListener>();
  private readonly unsubscribe: () => void;

  constructor(events: DomainEvents, readonly capacity = 1000) {
    this.unsubscribe = events.subscribe((e) => this.publish(e));
  }

  /** An event another cluster node originated: numbered here like ours, for this node's SSE clients. */
  publishRemote(event: DomainEvent, time: Date): void {
    this.publish(event, time, true);
  }

  private publish(event: DomainEvent, time = new Date(), remote = false): void {
    const n: NumberedEvent = { id: this.nextId++, time, event, ...(remote && { remote: true as const }) };
    if (this.capacity === 0) {
      // no replay buffer configured
    } else if (this.ring.length < this.capacity) this.ring.push(n);
    else {
      this.ring[this.head] = n;
      this.head = (this.head + 1) % this.capacity;
    }
    for (const l of this.listeners) {
      try {
        l(n);
      } catch {
        // one broken stream must not starve the others
      }
    }
  }

  listen(l: HubListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /**
   * Buffered events after `lastId`, oldest first; `complete` is false when some were already
   * pushed out of the buffer (the client has a gap).
   */
  since(lastId: number): { events: NumberedEvent[]; complete: boolean } {
    const ordered = [...this.ring.slice(this.head), ...this.ring.slice(0, this.head)];
    const oldest = ordered[0]?.id ?? this.nextId;
    return { events: ordered.filter((n) => n.id > lastId), complete: lastId >= oldest - 1 };
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }
}
