import type { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BlockList } from 'node:net';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import { parseChain } from './client-cert.js';
import { familyOf, listed, unmapped } from '../../net/address.js';

/** What the transport knows about the peer of an upgrade request. */
export interface Peer {
  /** the TCP peer, or the forwarding proxy's */
  address: string;
  /** TLS up to the station: our own listener, or a trusted TLS-terminating proxy */
  tls: boolean;
  /** the client certificate chain the station presented (leaf first); 'unparsable' when it was sent but not readable */
  certificate: X509Certificate[] | 'unparsable' | undefined;
  /** the client-certificate header came from an address that is not a trusted proxy (and was ignored) */
  untrustedHeader: boolean;
}

export interface ProxyTrust {
  proxies: BlockList;
  /** lower-case header name; undefined = proxies forward no certificate */
  certificateHeader?: string;
}

/** `OV2X_TRUSTED_PROXIES` as a BlockList (a list that here admits, despite its name). */
export function trustedProxies(list: string | undefined): BlockList {
  const b = new BlockList();
  for (const item of (list ?? '').split(',').map((i) => i.trim()).filter(Boolean)) {
    const [addr, bits] = item.split('/') as [string, string | undefined];
    const family = familyOf(addr);
    if (bits === undefined) b.addAddress(addr, family);
    else b.addSubnet(addr, Number(bits), family);
  }
  return b;
}


/** The DER chain the TLS socket received, leaf first (node links each certificate to its issuer; a root to itself). */
function socketChain(socket: TLSSocket): Buffer[] {
  const out: Buffer[] = [];
  let c: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (c?.raw && out.length < 8 && !out.some((d) => d.equals(c!.raw))) {
    out.push(c.raw);
    c = c.issuerCertificate;
  }
  return out;
}

export function peerOf(req: IncomingMessage, trust: ProxyTrust): Peer {
  const socket = req.socket as Partial<TLSSocket>;
  const address = unmapped(req.socket.remoteAddress ?? 'unknown');
  const viaProxy = listed(trust.proxies, address);
  const header = trust.certificateHeader ? req.headers[trust.certificateHeader] : undefined;
  const forwarded = typeof header === 'string' && header !== '' ? header : undefined;
  const direct = socket.encrypted === true ? socketChain(socket as TLSSocket) : [];
  let certificate: Peer['certificate'];
  if (direct.length > 0) certificate = parseChain(direct) ?? 'unparsable';
  else if (viaProxy && forwarded !== undefined) certificate = parseChain(forwarded) ?? 'unparsable';
  return { address, tls: socket.encrypted === true || viaProxy, certificate, untrustedHeader: !viaProxy && forwarded !== undefined };
}
