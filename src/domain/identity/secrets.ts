import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A bearer secret: 256 bits from the CSPRNG, base64url, with a prefix that says what it is. */
export const newToken = (prefix: string): string => `${prefix}_${randomBytes(32).toString('base64url')}`;

/** Tokens are stored only as their SHA-256: they are random, so no salt or stretching is needed. */
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
