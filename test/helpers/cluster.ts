import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Platform } from '../../src/app.js';

const MAIN = 'dist/src/cli/main.js';

/** A `serve` process started by a test: its addresses as it printed them. */
export interface Node {
  name: string;
  child: ChildProcess;
  httpUrl: string;
  ocppUrl: string;
  /** the node as the API helpers (call, SseClient) want it: they only read httpUrl */
  api: Platform;
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM and wait (no-op when it has already exited) */
  stop(): Promise<void>;
}

/** Starts `ov2x serve` on free ports with the given environment; resolves once it prints its endpoints. */
export async function startNode(name: string, env: Record<string, string>, timeoutMs = 60_000): Promise<Node> {
  const child = spawn(process.execPath, [MAIN, 'serve'], {
    env: { ...process.env, OV2X_LOG_LEVEL: 'warn', OV2X_OCPP_PORT: '0', OV2X_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  const urls = await new Promise<{ ocpp: string; http: string }>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs} ms: ${out}`)), timeoutMs);
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
      const ocpp = /OCPP endpoint: (ws:\/\/\S+)\/<stationId>/.exec(out);
      const http = /REST API: +(http:\/\/\S+)\/api\/v1/.exec(out);
      if (ocpp && http) { clearTimeout(t); resolve({ ocpp: ocpp[1]!, http: http[1]! }); }
    });
    void exited.then((code) => { clearTimeout(t); reject(new Error(`${name} exited (${code}) before it was ready: ${out}`)); });
  });
  return {
    name, child, exited, httpUrl: urls.http, ocppUrl: urls.ocpp,
    api: { httpUrl: urls.http } as Platform,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * A TCP load balancer in front of the nodes, as operators run one: each new connection goes to
 * the current target; when a node dies, its connections end and the stations reconnect through
 * it to whichever node it points at now.
 */
export class Balancer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  target: string;

  private constructor(target: string) {
    this.target = target;
    this.server = createServer((client) => {
      const { hostname, port } = new URL(this.target);
      const upstream = connect(Number(port), hostname);
      for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
        a.pipe(b);
        a.on('error', () => b.destroy());
        a.on('close', () => b.destroy());
      }
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
    });
  }

  /** Listens on a free loopback port, forwarding to `target` (an http:// or ws:// URL of a node). */
  static async start(target: string): Promise<Balancer> {
    const b = new Balancer(target);
    await new Promise<void>((resolve) => b.server.listen(0, '127.0.0.1', resolve));
    return b;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
