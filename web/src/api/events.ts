import { useEffect, useRef } from 'react';
import { API } from './client';

/** One live event of GET /api/v1/events. */
export interface LiveEvent<D = Record<string, unknown>> {
  id: number;
  type: string;
  time: string;
  data: D;
}

type Listener = (e: LiveEvent) => void;

/**
 * One EventSource for the whole portal (the platform allows few streams per account), opened on
 * the first subscriber and closed after the last. It reconnects by itself and resumes with
 * Last-Event-ID; the cookie authenticates it.
 */
class EventBus {
  private source: EventSource | null = null;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly stateListeners = new Set<(open: boolean) => void>();

  subscribe(types: readonly string[], l: Listener): () => void {
    for (const t of types) {
      let set = this.listeners.get(t);
      if (!set) {
        set = new Set();
        this.listeners.set(t, set);
        this.source?.addEventListener(t, this.dispatch);
      }
      set.add(l);
    }
    this.open();
    return () => {
      for (const t of types) this.listeners.get(t)?.delete(l);
      if ([...this.listeners.values()].every((s) => s.size === 0)) this.close();
    };
  }

  onState(l: (open: boolean) => void): () => void {
    this.stateListeners.add(l);
    l(this.source?.readyState === EventSource.OPEN);
    return () => this.stateListeners.delete(l);
  }

  close(): void {
    this.source?.close();
    this.source = null;
    for (const l of this.stateListeners) l(false);
  }

  private readonly dispatch = (ev: MessageEvent<string>): void => {
    let e: LiveEvent;
    try { e = JSON.parse(ev.data) as LiveEvent; } catch { return; }
    for (const l of this.listeners.get(e.type) ?? []) l(e);
  };

  private open(): void {
    if (this.source) return;
    // every type the account may see: the stream filters by permission, the portal by subscriber
    const s = new EventSource(`${API}/events`, { withCredentials: true });
    for (const t of this.listeners.keys()) s.addEventListener(t, this.dispatch);
    s.onopen = () => { for (const l of this.stateListeners) l(true); };
    s.onerror = () => { for (const l of this.stateListeners) l(false); };
    this.source = s;
  }
}

export const events = new EventBus();

/** Calls `handler` with every live event of `types` while the component is mounted. */
export function useLiveEvents(types: readonly string[], handler: Listener): void {
  const ref = useRef(handler);
  ref.current = handler;
  const key = types.join(',');
  useEffect(() => events.subscribe(key.split(','), (e) => ref.current(e)), [key]);
}
