import type { Server as HttpServer } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import { isIP, type BlockList, type Socket } from 'node:net';
import { listed, unmapped } from '../../net/address.js';


/**
 * Reports connections that hold a socket without ever sending a complete request head (slowloris)
 * or, on TLS, without finishing the handshake, and drops them at the handshake timeout. Node's own
 * header timeout drops them as well, but only at its next periodic check (up to 30 s later) and
 * without saying from where. A socket that sent one request head (an API client on keep-alive, an
 * upgrade) is no longer watched; one that connects and closes at once (a health check) is no stall.
 * Connections of trusted proxies are not judged: they pool idle sockets.
 */
export function watchStalls(server: HttpServer | HttpsServer, timeoutMs: number, proxies: BlockList, stalled: (ip: string, stage: 'request' | 'tls') => void): void {
  const timers = new WeakMap<Socket, NodeJS.Timeout>();
  const clear = (socket: Socket): void => {
    const t = timers.get(socket);
    if (t === undefined) return;
    clearTimeout(t);
    timers.delete(socket);
  };
  const tls = server instanceof HttpsServer;
  // on TLS, the clock for the request head starts once the handshake is done (the TLS handshake has its own timeout)
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    const ip = unmapped(socket.remoteAddress ?? '');
    if (!isIP(ip) || listed(proxies, ip)) return;
    const timer = setTimeout(() => {
      timers.delete(socket);
      if (socket.destroyed) return;
      stalled(ip, 'request');
      socket.destroy();
    }, timeoutMs);
    timer.unref();
    timers.set(socket, timer);
    socket.once('close', () => clear(socket));
  });
  server.on('request', (req: { socket: Socket }) => clear(req.socket));
  server.on('upgrade', (req: { socket: Socket }) => clear(req.socket));
  if (tls) {
    server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      if (err.code !== 'ERR_TLS_HANDSHAKE_TIMEOUT') return;
      // the TLS socket has let go of its address by now; the TCP socket under it (node's `_parent`) still knows it
      const ip = unmapped(socket.remoteAddress ?? (socket as Socket & { _parent?: Socket })._parent?.remoteAddress ?? '');
      if (isIP(ip) && !listed(proxies, ip)) stalled(ip, 'tls');
    });
  }
}
