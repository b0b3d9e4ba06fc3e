import { createHmac } from 'node:crypto';
import { deriveKey } from '../crypto/sealed.js';
import { toBase32 } from '../privacy/keyed-hash.js';
import { isTokenRef } from '../../store/repos/token-refs.js';

/**
 * The token uid a CDR carries. Since migration 0024 a transaction refers to its token by the one
 * token pseudonym (`tok_…`, PrivacyService.pseudonym), which the CDR carries as is: the API,
 * logs, events and CDRs show the same name for a token. What follows is the legacy pseudonym of
 * CDRs issued before (they are immutable and keep it), still used for a transaction whose
 * reference is not a pseudonym (a storage without privacy keys).
 *
 * Legacy: an HMAC-SHA-256 pseudonym of the idToken under a key derived
 * from the server secret for this purpose only (HKDF, info `ov2x:cdr-token-pseudonym`, as the
 * sealers derive theirs). The same token always gives the same uid, so sessions of one driver
 * can be billed together, but the uid reveals nothing without the server secret. 36 characters,
 * the OCPI CdrToken.uid maximum, of lower-case base32 (180 bits): never a leading `-`, `+`, `=`
 * or `@` that a CSV export would have to defuse.
 */
export function tokenPseudonymizer(serverSecret: Buffer): (idToken: string) => string {
  const key = deriveKey(serverSecret, 'cdr-token-pseudonym');
  return (idToken) => isTokenRef(idToken) ? idToken : toBase32(createHmac('sha256', key).update(idToken, 'utf8').digest()).slice(0, 36);
}
