/**
 * A station identity: OCPP 2.0.1 (part 4 §3.1) allows at most 48 characters of a URL-safe set;
 * 1.6 stations use the same in practice. The transport and the CLI both check it here.
 */
export const IDENTITY = /^[A-Za-z0-9*\-_=:+|@.]{1,48}$/;

export function isStationIdentity(id: string): boolean {
  return IDENTITY.test(id);
}

export const identityRule = '1–48 characters of A–Z a–z 0–9 * - _ = : + | @ .';
