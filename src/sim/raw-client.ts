import type { ConnectionOptions } from 'node:tls';
import WebSocket from 'ws';

export interface RawConnectOptions {
  protocols?: string[];
  user?: string;
  password?: string;
  autoPong?: boolean;
  tls?: ConnectionOptions;
  /** source address to bind (127.0.0.x aliases are distinct addresses on Linux loopback) */
  localAddress?: string;
  /** ms the upgrade may take (default: none) */
  handshakeTimeoutMs?: number;
}

/**
 * A bare OCPP-J client that sends exactly the bytes its caller wants, bad ones included: the
 * attack simulator and the tests use it where SimulatedStation would refuse to misbehave.
 */
export class RawClient {
  private readonly inbox: unknown[] = [];
  private waiters: Array<(m: unknown) => void> = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      let msg: unknown;
      // a peer may answer with anything; an unreadable frame is handed over as text, not thrown
      try { msg = JSON.parse(text); } catch { msg = text; }
      const w = this.waiters.shift();
      if (w) w(msg);
      else this.inbox.push(msg);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Connects; rejects with an Error carrying `.status` when the upgrade is refused. */
  static connect(url: string, opts: RawConnectOptions = {}): Promise<RawClient> {
    const headers: Record<string, string> = {};
    if (opts.password !== undefined) headers.authorization = 'Basic ' + Buffer.from(`${opts.user}:${opts.password}`).toString('base64');
    const ws = new WebSocket(url, opts.protocols ?? ['ocpp1.6'], {
      headers, autoPong: opts.autoPong ?? true, localAddress: opts.localAddress,
      ...(opts.handshakeTimeoutMs !== undefined && { handshakeTimeout: opts.handshakeTimeoutMs }), ...opts.tls,
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RawClient(ws)));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { status: res.statusCode, body, headers: res.headers })));
      });
      ws.once('error', reject);
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(data: string | Buffer, binary = false): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data, { binary });
  }

  /** The next message from the server, or a timeout error. */
  next(timeoutMs = 3000): Promise<unknown> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error('no message within timeout'));
      }, timeoutMs);
      const done = (m: unknown) => {
        clearTimeout(t);
        resolve(m);
      };
      this.waiters.push(done);
    });
  }

  /** Sends a CALL and returns the server's answer frame. */
  async call(id: string, action: string, payload: unknown, timeoutMs = 3000): Promise<unknown[]> {
    this.send(JSON.stringify([2, id, action, payload]));
    return (await this.next(timeoutMs)) as unknown[];
  }

  close(): void {
    this.ws.close();
  }

  /** Closes and waits (at most `ms`) for the close to complete. */
  async end(ms = 2000): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    const t = setTimeout(() => this.ws.terminate(), ms);
    await this.closed;
    clearTimeout(t);
  }
}
