/**
 * What the OCPP transport and RPC endpoint tell the intrusion detection engine, in line with
 * the traffic. Every method is synchronous and allocation-free on the caller's side (plain
 * strings and numbers the transport already holds); the transport calls it only when an engine
 * is configured, so a platform without one pays a single undefined check per frame.
 */
export interface IdsTap {
  /** a WebSocket upgrade to `<path>/<identity>` from `ip`, before any check */
  connectionAttempt(ip: string, identity: string): void;
  /** the upgrade was refused (the security event type of the refusal, and the details recorded with it) */
  handshakeRefused(ip: string, identity: string, reason: string, details?: Record<string, unknown>): void;
  /** a connection from `ip` sent no complete request head (or TLS handshake) within the handshake timeout and was dropped */
  handshakeStalled(ip: string, stage: 'request' | 'tls'): void;
  /** the station's socket is open */
  connected(stationId: string, ip: string): void;
  disconnected(stationId: string): void;
  /** a frame arrived (raw size, before decoding) */
  frameIn(stationId: string, bytes: number): void;
  /** a decoded CALL: its message id, action and payload (not yet schema-validated: read defensively) */
  callIn(stationId: string, messageId: string, action: string, payload: Record<string, unknown>): void;
  /** a frame we refused, or a result we did not expect (`UnexpectedResult`) */
  violation(stationId: string, kind: string, detail: string): void;
  /** the station sent a message above the frame size limit (its socket is being closed with 1009) */
  oversizedFrame(stationId: string, ip: string): void;
  /** ms to hold the station's next inbound CALL (throttle response); 0 = none. Asked once as the endpoint
   *  starts on each CALL, so CALLs in minus these asks is the station's queue of unanswered CALLs. */
  delayMs(stationId: string): number;
}
