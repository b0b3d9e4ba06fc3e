/**
 * OCPP security profiles (1.6 Security Whitepaper, 2.0.1 Part 2 A00): 1 = HTTP Basic over
 * plain WebSocket, 2 = HTTP Basic over TLS, 3 = TLS with a client certificate. 0 (nothing)
 * exists only as a configured value for lab stations.
 */
export type SecurityProfile = 1 | 2 | 3;

/** The profile a connection has, from what its transport proved. */
export function actualProfile(t: { tls: boolean; certified: boolean }): SecurityProfile {
  return t.certified ? 3 : t.tls ? 2 : 1;
}

/** A station never connects with a weaker profile than it is configured for. */
export function connectionProfile(configured: number, t: { tls: boolean; certified: boolean }):
  | { ok: true; actual: SecurityProfile }
  | { ok: false; configured: number; actual: SecurityProfile } {
  const actual = actualProfile(t);
  return actual >= configured ? { ok: true, actual } : { ok: false, configured, actual };
}
