import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Why a webhook URL is refused; the message names the rule, never the URL's secrets. */
export class TargetRefused extends Error {}

/**
 * Addresses a webhook must not reach unless private targets are allowed: loopback, private,
 * link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, unspecified, multicast,
 * and their IPv6 counterparts (IPv4-mapped addresses are checked as IPv4).
 */
const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) blocked.addSubnet(net, bits, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (!family) return true;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Checks the form of a webhook URL: http(s), no credentials, a host; and a literal IP address against the block list. */
export function checkTargetUrl(raw: string, allowPrivate: boolean): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new TargetRefused('not a URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TargetRefused('only http and https URLs are accepted');
  if (u.username || u.password) throw new TargetRefused('credentials in the URL are refused; the signature authenticates deliveries');
  if (!u.hostname) throw new TargetRefused('the URL has no host');
  if (u.hash) throw new TargetRefused('the URL must not have a fragment');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && (isIP(host) ? isPrivateAddress(host) : /^localhost$|\.localhost$/i.test(host))) {
    throw new TargetRefused('loopback, private and link-local targets are refused (OV2X_WEBHOOK_ALLOW_PRIVATE)');
  }
  return u;
}

/**
 * A DNS lookup for the delivery socket that refuses private answers. The check sits where the
 * connection is made, so a name that resolved to a public address when the subscription was
 * created cannot later be re-pointed at an internal one (DNS rebinding).
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 4);
      const list = addresses;
      const bad = !allowPrivate && list.some((a) => isPrivateAddress(a.address));
      if (bad || list.length === 0) {
        return callback(Object.assign(new Error('the webhook host resolves to a private address'), { code: 'EPRIVATETARGET' }), '', 4);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
