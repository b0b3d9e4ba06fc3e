import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { silentLogger } from '../../src/log/logger.js';
import { negotiate, protocol, type OcppVersion } from '../../src/ocpp/protocols.js';
import { RpcEndpoint, type CallHandler } from '../../src/ocpp/rpc/endpoint.js';

/** One CALL a station made, as the tiny CSMS received it (already schema-validated). */
export interface Received {
  identity: string;
  version: OcppVersion;
  action: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read any field
  payload: any;
}

export interface CsmsOptions {
  /** identity → password; identities listed must authenticate (401 otherwise) */
  passwords?: Map<string, string>;
  /** if set, other identities are refused with 404 */
  known?: ReadonlySet<string>;
  bootStatus?: 'Accepted' | 'Pending' | 'Rejected';
  /** heartbeat interval handed out (s) */
  interval?: number;
  /** authorization verdict per token (default Accepted) */
  tokenStatus?: (idTag: string) => string;
  /** subprotocols this CSMS speaks (default both) */
  versions?: readonly OcppVersion[];
}

export interface TinyCsms {
  url: string;
  /** every CALL from every station, in arrival order */
  received: Received[];
  /** upgrades accepted so far, per identity */
  connections: Map<string, number>;
  /** the CSMS side of each station's current connection */
  peers: Map<string, RpcEndpoint<string>>;
  options: CsmsOptions;
  of(identity: string, action?: string): Received[];
  /** resolves with the first received CALL (index ≥ from) matching, or fails after timeoutMs */
  waitFor(match: (r: Received) => boolean, timeoutMs?: number, from?: number): Promise<Received>;
  peer(identity: string, timeoutMs?: number): Promise<RpcEndpoint<string>>;
  /** closes a station's socket from the CSMS side (code 1001, as on a server restart) */
  dropConnection(identity: string): void;
  close(): Promise<void>;
}

const refuse = (socket: Duplex, status: number, text: string): void => {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
};

/**
 * A minimal but strict CSMS over real sockets: refuses upgrades like the real one (404 unknown,
 * 401 bad password, 400 no common subprotocol), validates every frame with RpcEndpoint, and
 * answers the station's CALLs plausibly (transaction ids count up from 1).
 */
export async function startCsms(options: CsmsOptions = {}): Promise<TinyCsms> {
  const received: Received[] = [];
  const connections = new Map<string, number>();
  const peers = new Map<string, RpcEndpoint<string>>();
  const sockets = new Map<string, WebSocket>();
  const waiters = new Set<() => void>();
  let nextTxn = 1;
  const now = (): string => new Date().toISOString();
  const token = (t: string): string => options.tokenStatus?.(t) ?? 'Accepted';

  const answers: Record<OcppVersion, Record<string, (p: Received['payload']) => unknown>> = {
    'ocpp1.6': {
      BootNotification: () => ({ status: options.bootStatus ?? 'Accepted', currentTime: now(), interval: options.interval ?? 300 }),
      Heartbeat: () => ({ currentTime: now() }),
      StatusNotification: () => ({}),
      Authorize: (p) => ({ idTagInfo: { status: token(p.idTag) } }),
      StartTransaction: (p) => ({ transactionId: nextTxn++, idTagInfo: { status: token(p.idTag) } }),
      StopTransaction: () => ({ idTagInfo: { status: 'Accepted' } }),
      MeterValues: () => ({}),
      DataTransfer: () => ({ status: 'Accepted' }),
      DiagnosticsStatusNotification: () => ({}),
      FirmwareStatusNotification: () => ({}),
      SecurityEventNotification: () => ({}),
      SignCertificate: () => ({ status: 'Accepted' }),
      LogStatusNotification: () => ({}),
    },
    'ocpp2.0.1': {
      BootNotification: () => ({ status: options.bootStatus ?? 'Accepted', currentTime: now(), interval: options.interval ?? 300 }),
      Heartbeat: () => ({ currentTime: now() }),
      StatusNotification: () => ({}),
      Authorize: (p) => ({ idTokenInfo: { status: token(p.idToken.idToken) } }),
      TransactionEvent: (p) => (p.idToken ? { idTokenInfo: { status: token(p.idToken.idToken) } } : {}),
      MeterValues: () => ({}),
      NotifyReport: () => ({}),
      ReportChargingProfiles: () => ({}),
      FirmwareStatusNotification: () => ({}),
      LogStatusNotification: () => ({}),
      DataTransfer: () => ({ status: 'Accepted' }),
      SecurityEventNotification: () => ({}),
      SignCertificate: () => ({ status: 'Accepted' }),
    },
  };

  const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => negotiate(offered) ?? false });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const m = /^\/ocpp\/([^/?]+)$/.exec(req.url ?? '');
    const identity = m ? decodeURIComponent(m[1]!) : undefined;
    if (!identity || (options.known && !options.known.has(identity))) return refuse(socket, 404, 'Not Found');
    const password = options.passwords?.get(identity);
    if (password !== undefined) {
      const expected = `Basic ${Buffer.from(`${identity}:${password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return refuse(socket, 401, 'Unauthorized');
    }
    const offered = new Set((req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean));
    const version = negotiate(offered);
    if (version && options.versions && !options.versions.includes(version)) return refuse(socket, 400, 'Bad Request');
    if (!version) return refuse(socket, 400, 'Bad Request');
    wss.handleUpgrade(req, socket, head, (ws) => {
      connections.set(identity, (connections.get(identity) ?? 0) + 1);
      const handlers = new Map<string, CallHandler<string>>(
        Object.entries(answers[version]).map(([action, answer]) => [action, (payload: never) => {
          received.push({ identity, version, action, payload });
          for (const wake of waiters) wake();
          return answer(payload);
        }]),
      );
      const endpoint = new RpcEndpoint<string>(ws, {
        protocol: protocol(version), role: 'csms', handlers, context: identity,
        callTimeoutMs: 2000, maxJsonDepth: 24, log: silentLogger,
      });
      peers.set(identity, endpoint);
      sockets.set(identity, ws);
      ws.on('close', () => {
        if (peers.get(identity) === endpoint) peers.delete(identity);
        if (sockets.get(identity) === ws) sockets.delete(identity);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const waitUntil = <T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = probe();
        if (hit === undefined) return;
        clearTimeout(timer);
        clearInterval(poll);
        waiters.delete(check);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        clearInterval(poll);
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      // peers appear without a CALL, so poll as well as waking on CALLs
      const poll = setInterval(check, 10);
      waiters.add(check);
      check();
    });

  return {
    url: `ws://127.0.0.1:${port}/ocpp`,
    received,
    connections,
    peers,
    options,
    of: (identity, action) => received.filter((r) => r.identity === identity && (!action || r.action === action)),
    waitFor: (match, timeoutMs = 3000, from = 0) =>
      waitUntil(() => received.slice(from).find(match), timeoutMs, 'a matching CALL'),
    peer: (identity, timeoutMs = 3000) => waitUntil(() => peers.get(identity), timeoutMs, `station ${identity}`),
    dropConnection: (identity) => sockets.get(identity)?.close(1001),
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
