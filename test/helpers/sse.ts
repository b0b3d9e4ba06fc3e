import assert from 'node:assert/strict';
import type { Platform } from '../../src/app.js';

export interface SseEvent {
  id?: string;
  event: string;
  data: Record<string, unknown> & { id?: number; type?: string; data?: Record<string, unknown> };
}

/** A server-sent-events client over a real socket (fetch), parsing frames as an EventSource would. */
export class SseClient {
  readonly events: SseEvent[] = [];
  comments = 0;
  /** the server ended the stream properly (not a reset socket, not our own abort) */
  endedCleanly = false;
  private waiters: Array<() => void> = [];
  /** resolves when the stream has ended, however */
  ended: Promise<void> = Promise.resolve();
  private constructor(private readonly abort: AbortController, readonly headers: Headers) {}

  /** Opens `/api/v1<path>`; rejects with the status and body when the answer is not a stream. */
  static async open(p: Platform, path: string, opts: { token: string; lastEventId?: string | number }): Promise<SseClient> {
    const abort = new AbortController();
    const headers: Record<string, string> = { authorization: `Bearer ${opts.token}`, accept: 'text/event-stream' };
    if (opts.lastEventId !== undefined) headers['last-event-id'] = String(opts.lastEventId);
    const res = await fetch(`${p.httpUrl}/api/v1${path}`, { headers, signal: abort.signal });
    if (res.status !== 200) throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status, body: await res.json().catch(() => undefined) });
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const client = new SseClient(abort, res.headers);
    client.ended = (async () => {
      const decoder = new TextDecoder();
      let buf = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            client.frame(buf.slice(0, i));
            buf = buf.slice(i + 2);
          }
        }
        client.endedCleanly = true;
      } catch {
        // aborted by close()
      } finally {
        client.wake();
      }
    })();
    return client;
  }

  private frame(text: string): void {
    let id: string | undefined;
    let event = 'message';
    const data: string[] = [];
    for (const line of text.split('\n')) {
      if (line.startsWith(':')) this.comments++;
      else if (line.startsWith('id: ')) id = line.slice(4);
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length) this.events.push({ id, event, data: JSON.parse(data.join('\n')) as SseEvent['data'] });
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits for the first received event matching `pred`. */
  async waitFor(what: string, pred: (e: SseEvent) => boolean, timeoutMs = 8000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; got ${JSON.stringify(this.events.map((e) => e.event))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100);
        this.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
  }

  /** Resolves when the stream has ended; fails the test after `timeoutMs`. */
  async endWithin(what: string, timeoutMs = 8000): Promise<void> {
    let t: NodeJS.Timeout | undefined;
    await Promise.race([this.ended, new Promise((_r, reject) => { t = setTimeout(() => reject(new Error(`${what}: the stream did not end`)), timeoutMs); })]);
    clearTimeout(t);
  }

  close(): void {
    this.abort.abort();
  }
}
