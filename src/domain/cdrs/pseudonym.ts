import { createHmac, hkdfSync } from 'node:crypto';

/**
 * The token uid a CDR carries: an HMAC-SHA-256 pseudonym of the idToken under a key derived
 * from the server secret for this purpose only (HKDF, info `ov2x:cdr-token-pseudonym`, as the
 * sealers derive theirs). The same token always gives the same uid, so sessions of one driver
 * can be billed together, but the uid reveals nothing without the server secret. 36 characters,
 * the OCPI CdrToken.uid maximum.
 */
export function tokenPseudonymizer(serverSecret: Buffer): (idToken: string) => string {
  const key = Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), 'ov2x:cdr-token-pseudonym', 32));
  return (idToken) => createHmac('sha256', key).update(idToken, 'utf8').digest('base64url').slice(0, 36);
}
