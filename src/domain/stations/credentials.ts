import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 24 random bytes = 192 bits from the CSPRNG, base64url: 32 characters, inside 1.6's 40-char AuthorizationKey limit. */
export function generateStationPassword(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Station passwords are high-entropy random strings, so a keyed hash (HMAC-SHA-256 with the
 * server secret) is enough: a stolen database alone cannot verify guesses, and verification
 * stays cheap enough for reconnect storms. Argon2id is for human passwords (issue 4).
 */
export function hashStationPassword(serverSecret: Buffer, password: string): string {
  return 'hmac-sha256:' + createHmac('sha256', serverSecret).update(password, 'utf8').digest('base64url');
}

export function verifyStationPassword(serverSecret: Buffer, password: string, stored: string): boolean {
  const a = Buffer.from(hashStationPassword(serverSecret, password));
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}
