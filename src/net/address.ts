import { isIP, type BlockList } from 'node:net';

/** An IPv4 address as Node reports it on a dual-stack socket (`::ffff:1.2.3.4`) back to `1.2.3.4`. */
export const unmapped = (ip: string): string => (ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip);

/** The BlockList family name of an address (IPv6 for anything that is not IPv4). */
export const familyOf = (ip: string): 'ipv4' | 'ipv6' => (isIP(ip) === 4 ? 'ipv4' : 'ipv6');

/** Whether `ip` is an address in `list`; false for anything that is not an address. */
export const listed = (list: BlockList, ip: string): boolean => isIP(ip) !== 0 && list.check(ip, familyOf(ip));
