/**
 * How tables other than id_tokens refer to a token (migration 0024): by its `tok_…` pseudonym,
 * never by the UID. The TokenRepo supplies the mapping once the privacy keys are loaded; a repo
 * without one (storage tests that run without keys) stores what it is given.
 */
export interface TokenRefs {
  /** the pseudonym of a UID */
  ref(uid: string): Promise<string>;
}

/** A pseudonym as PrivacyService.pseudonym makes it: `tok_` + 16 base32 characters. */
export const isTokenRef = (s: string): boolean => /^tok_[a-z2-7]{16}$/.test(s);

/** The same test in SQL (PostgreSQL and PGlite regular expressions). */
export const tokenRefPattern = '^tok_[a-z2-7]{16}$';

/** Keys whose string value is a token UID in OCPP payloads and StationCommands (1.6 and 2.0.1). */
const uidKeys = new Set(['idToken', 'idTag', 'groupIdToken', 'parentIdTag']);

/**
 * A copy of `value` with every token UID replaced by its pseudonym, at any depth (a 2.0.1
 * IdTokenType nests `idToken` in `idToken`; SendLocalList carries them in `entries`). Pseudonyms
 * already in place stay, so redacting twice changes nothing.
 */
export async function redactTokens(value: unknown, refs: TokenRefs): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map((v) => redactTokens(v, refs)));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = uidKeys.has(k) && typeof v === 'string' ? (isTokenRef(v) ? v : await refs.ref(v)) : await redactTokens(v, refs);
  }
  return out;
}
