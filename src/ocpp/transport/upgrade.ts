import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { isStationIdentity } from '../../domain/stations/identity.js';


export type PathResult = { ok: true; identity: string } | { ok: false; status: 400 | 404; message: string };

/** Extracts the station identity from `<prefix>/<identity>`. */
export function identityFromPath(url: string | undefined, prefix: string): PathResult {
  const path = (url ?? '').split('?', 1)[0]!;
  if (!path.startsWith(prefix + '/')) return { ok: false, status: 404, message: 'not an OCPP endpoint' };
  let identity: string;
  try {
    identity = decodeURIComponent(path.slice(prefix.length + 1));
  } catch {
    return { ok: false, status: 400, message: 'malformed station identity' };
  }
  // anything else is refused before we touch the database
  return isStationIdentity(identity) ? { ok: true, identity } : { ok: false, status: 400, message: 'invalid station identity' };
}

/** The subprotocols a client offers in Sec-WebSocket-Protocol. */
export function offeredSubprotocols(req: IncomingMessage): Set<string> {
  const header = req.headers['sec-websocket-protocol'];
  return new Set((header ?? '').split(',').map((p) => p.trim()).filter(Boolean));
}

/** HTTP Basic credentials, or undefined when absent or malformed. */
export function basicCredentials(req: IncomingMessage): { user: string; password: string } | undefined {
  const header = req.headers.authorization;
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Ends a refused upgrade with a plain HTTP response and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, message: string, headers: Record<string, string> = {}): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(message)}\r\n${extra}\r\n${message}`,
  );
}
