import { createHmac } from 'node:crypto';
import type { KeyRing } from '../crypto/field-encryption.js';

/**
 * Token UIDs compare as the id_tokens primary key does (exact, case-sensitive); only the
 * Unicode form is normalized so the same UID typed on two systems hashes alike.
 */
export const normalizeUid = (uid: string): string => uid.normalize('NFC');

/** HMAC-SHA-256 under a data key of a fixed name: the key must never change, or every stored hash would be lost. */
export class KeyedHash {
  constructor(private readonly keys: KeyRing, private readonly keyId: string, private readonly purpose: string) {}

  async digest(value: string): Promise<Buffer> {
    const key = await this.keys.named(this.keyId, this.purpose);
    return createHmac('sha256', key).update(normalizeUid(value), 'utf8').digest();
  }
}

/** Blind index: finds a row by its UID without the UID being stored in clear. */
export const blindIndex = async (h: KeyedHash, uid: string): Promise<string> => (await h.digest(uid)).toString('base64url');

const base32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lower case, without padding. */
export function toBase32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += base32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return bits > 0 ? out + base32[(acc << (5 - bits)) & 31] : out;
}

/**
 * The display name of a token: `tok_` + base32 of 10 bytes of a keyed HMAC (80 bits: unique in
 * practice, short enough to read out on the phone). Stable, so support staff can refer to it,
 * and useless to anyone without the key. A key of its own, so the pseudonym shown in the UI
 * reveals nothing about the blind index.
 */
export const pseudonym = async (h: KeyedHash, uid: string): Promise<string> => `tok_${toBase32((await h.digest(uid)).subarray(0, 10))}`;
