import type { Severity } from '../../store/schema.js';

/** The detectors the engine implements; a rule picks one and gives it thresholds. */
export const detectors = [
  'connectionRatePerIp', // T1: WebSocket upgrade attempts from one address
  'connectionRatePerIdentity', // T1: WebSocket upgrade attempts for one station identity, from any address
  'oversizedFrame', // T1: messages above the frame size limit (each one costs the sender its connection)
  'tokenVelocity', // T5: accepted authorizations of one token at any stations within the window
  'frameRate', // T1: inbound frames of one station
  'badFrames', // T1: frames refused (framing, schema, state) of one station, with a ratio to all its frames
  'unsolicitedResult', // T2: CALLRESULT/CALLERROR for a call we never made
  'repeatedMessageId', // T3: a CALL id the station already used in this session
  'failedAuth', // T4: refused handshakes (wrong password, identity/certificate mismatch) for one identity
  'tokenTwoStations', // T5: one token authorized at two stations within the window
  'stationSecurityEvent', // PH3: a SecurityEventNotification type the rule lists
  'energyDecrease', // T2: an EVSE's energy register lower than an earlier-stamped reading
  'futureTimestamp', // T2/T3: a meter reading stamped later than now + skewS
  'addressFlapping', // T4: the identity keeps changing source address (two devices taking the identity from each other)
  'bootIdentityChange', // T4: vendor, model or serial number differ from the station's previous boot
  'repeatedSeqNo', // T3: a 2.0.1 TransactionEvent repeating a (transaction, seqNo) of this session
  'repeatedReading', // T3: a meter reading (EVSE, timestamp, register) re-sent in this session
  'impossibleTravel', // T5: one token accepted at two located stations faster than `speedKmh` allows
  'slowHandshake', // T1: connections of one address that never finish the upgrade, or upgrade and then stay silent past `timeoutS`
  'bootBurst', // T1: CALLs queued behind others (sent without waiting for answers) within `windowS` after a BootNotification
  'unknownTransaction', // T2: meter values or transaction events for a transaction the CSMS never started
  'repeatedStop', // T2: a second StopTransaction / TransactionEvent Ended for one transaction, under a new message id
  'overPower', // T2: Power.Active.Import above the EVSE's rating (or `maxKw`) by more than `ratio`
  'clockSkew', // T3: live (not offline-replayed) message timestamps off our clock by more than `skewS`
  'certificateMismatch', // T4: a verified client certificate naming another identity than the one it connects as
  'networkChange', // T4: the identity connects from another /16 (IPv4) or /48 (IPv6) than last time
] as const;
export type Detector = typeof detectors[number];

export const classes = ['T1', 'T2', 'T3', 'T4', 'T5', 'PH3'] as const;
export const responses = ['report', 'throttle', 'disconnect', 'block-ip', 'block-identity'] as const;
export type ResponseKind = typeof responses[number];
const severities: readonly Severity[] = ['info', 'warning', 'high', 'critical'];

export interface Rule {
  id: string;
  class: typeof classes[number];
  detector: Detector;
  /** sightings within `windowS` that make the rule fire (at most once per window) */
  threshold: number;
  windowS: number;
  severity: Severity;
  response: ResponseKind;
  /** throttle: delay (ms) before each inbound CALL; block: TTL (s), null = until lifted */
  responseParam?: number | null;
  /** detector-specific: badFrames `ratio` (0–1), overPower tolerance `ratio` above the rating (0–1); stationSecurityEvent `types`; futureTimestamp/energyDecrease tolerance `skewS`/`toleranceWh` */
  ratio?: number;
  types?: string[];
  skewS?: number;
  toleranceWh?: number;
  /** impossibleTravel: the speed no driver reaches between two stations; tokenTwoStations: stations closer than `minKm` are one site */
  speedKmh?: number;
  minKm?: number;
  /** slowHandshake: seconds an upgraded station may stay silent before its connection counts as half-open */
  timeoutS?: number;
  /** clockSkew: seconds after a connect during which timestamps are not judged (a 1.6 queue replays old ones) */
  graceS?: number;
  /** overPower: the rating (kW) of an EVSE the locations model gives none for */
  maxKw?: number;
  /** sightings of the same rule and station/source within this many seconds add to one alert */
  dedupS: number;
  enabled: boolean;
}

/**
 * Built-in rules, sized for real fleets. A station replaying its offline queue after a reconnect
 * (1.6 queued MeterValues/StopTransaction, 2.0.1 offline TransactionEvents) sends one CALL per
 * answer — the endpoint answers in order — so even a long queue stays well under the frame rate
 * below, and its frames are valid, so it never counts as bad frames.
 */
export const defaultRules: readonly Rule[] = [
  { id: 'T1-connection-rate-ip', class: 'T1', detector: 'connectionRatePerIp', threshold: 60, windowS: 60, severity: 'warning', response: 'report', dedupS: 600, enabled: true },
  // a station whose socket keeps dropping reconnects with back-off (OCPP 2.0.1 RetryBackOff*): a few a minute at most
  { id: 'T1-connection-rate-identity', class: 'T1', detector: 'connectionRatePerIdentity', threshold: 20, windowS: 60, severity: 'warning', response: 'report', dedupS: 600, enabled: true },
  { id: 'T1-frame-rate', class: 'T1', detector: 'frameRate', threshold: 300, windowS: 10, severity: 'warning', response: 'throttle', responseParam: 250, dedupS: 600, enabled: true },
  // the limit (OV2X_MAX_FRAME_BYTES) is sized above the largest legitimate message; a station misconfigured once is not an attack
  { id: 'T1-oversized-frames', class: 'T1', detector: 'oversizedFrame', threshold: 3, windowS: 600, severity: 'warning', response: 'report', dedupS: 3600, enabled: true },
  { id: 'T1-bad-frames', class: 'T1', detector: 'badFrames', threshold: 10, windowS: 60, ratio: 0.2, severity: 'warning', response: 'report', dedupS: 600, enabled: true },
  { id: 'T2-unsolicited-result', class: 'T2', detector: 'unsolicitedResult', threshold: 3, windowS: 300, severity: 'warning', response: 'report', dedupS: 3600, enabled: true },
  { id: 'T3-repeated-message-id', class: 'T3', detector: 'repeatedMessageId', threshold: 3, windowS: 300, severity: 'high', response: 'report', dedupS: 3600, enabled: true },
  // a station re-sends an event whose answer it lost only after reconnecting (a new session, so not counted here)
  { id: 'T3-repeated-seqno', class: 'T3', detector: 'repeatedSeqNo', threshold: 3, windowS: 300, severity: 'high', response: 'report', dedupS: 3600, enabled: true },
  { id: 'T3-repeated-reading', class: 'T3', detector: 'repeatedReading', threshold: 3, windowS: 300, severity: 'warning', response: 'report', dedupS: 3600, enabled: true },
  { id: 'T4-password-burst', class: 'T4', detector: 'failedAuth', threshold: 5, windowS: 300, severity: 'high', response: 'report', dedupS: 3600, enabled: true },
  // a driver walking from a failed charger to the next one at the same site is not a clone: stations within minKm are one site
  { id: 'T5-token-two-stations', class: 'T5', detector: 'tokenTwoStations', threshold: 1, windowS: 120, minKm: 1, severity: 'high', response: 'report', dedupS: 3600, enabled: true },
  // fleet cards shared by a company's drivers authorize often, but not twenty times an hour
  { id: 'T5-token-velocity', class: 'T5', detector: 'tokenVelocity', threshold: 20, windowS: 3600, severity: 'warning', response: 'report', dedupS: 3600, enabled: true },
  { id: 'T5-impossible-travel', class: 'T5', detector: 'impossibleTravel', threshold: 1, windowS: 21_600, speedKmh: 250, minKm: 1, severity: 'high', response: 'report', dedupS: 3600, enabled: true },
  // a register may only go down when the meter is replaced, which is a maintenance visit, not a message; readings replayed out of order are compared by their own timestamps
  { id: 'T2-energy-decrease', class: 'T2', detector: 'energyDecrease', threshold: 1, windowS: 3600, toleranceWh: 1, severity: 'high', response: 'report', dedupS: 3600, enabled: true },
  // offline replays carry old timestamps (legitimate); only readings from the future are suspect, beyond a clock drift of 5 min
  { id: 'T2-future-timestamp', class: 'T2', detector: 'futureTimestamp', threshold: 3, windowS: 600, skewS: 300, severity: 'warning', response: 'report', dedupS: 3600, enabled: true },
  // one address change is normal (a mobile network hands out a new address, the old socket may still look open);
  // two devices sharing an identity evict each other again and again, each time from its own address
  { id: 'T4-address-flapping', class: 'T4', detector: 'addressFlapping', threshold: 3, windowS: 600, severity: 'high', response: 'report', dedupS: 3600, enabled: true },
  // a firmware update changes the firmware version and nothing else of the boot information
  { id: 'T4-boot-identity-change', class: 'T4', detector: 'bootIdentityChange', threshold: 1, windowS: 1, severity: 'high', response: 'report', dedupS: 3600, enabled: true },
  // Node's own header timeout (OV2X_HANDSHAKE_TIMEOUT_MS) drops a stalled socket anyway; a station on a bad link
  // loses a handshake now and then, and a health checker connects and closes at once (not a stall). Holding
  // sockets half-open is what slowloris does, many at a time. timeoutS: an upgraded station that is reconnecting
  // and has nothing queued speaks at its next heartbeat at the latest (OV2X_HEARTBEAT_INTERVAL, 300 s by default)
  { id: 'T1-slow-handshake', class: 'T1', detector: 'slowHandshake', threshold: 5, windowS: 600, timeoutS: 600, severity: 'warning', response: 'report', dedupS: 3600, enabled: true },
  // After a boot a station sends its StatusNotifications (one per connector and the station; some firmware all at
  // once, without waiting), a Heartbeat, maybe firmware/security notifications: a few dozen CALLs at most on a large
  // cabinet. Only CALLs queued behind an unanswered one count: an offline queue replayed after the boot is sent one
  // CALL per answer, so it never counts however long it is (a flood of answered calls is the frame-rate rule's).
  { id: 'T1-boot-burst', class: 'T1', detector: 'bootBurst', threshold: 60, windowS: 30, severity: 'warning', response: 'report', dedupS: 3600, enabled: true },
  // 1.6 transaction ids are ours: a station cannot know one we never handed out. A station the CSMS knows replays
  // its known transactions after a reconnect (not counted: the transaction is known), a 2.0.1 Started answered
  // late is still seen before its Updated (not counted). A single miss may be a restored database: three are not.
  { id: 'T2-unknown-transaction', class: 'T2', detector: 'unknownTransaction', threshold: 3, windowS: 3600, severity: 'warning', response: 'report', dedupS: 3600, enabled: true },
  // a station that lost the answer to its stop re-sends the same message (same id); a different id is a second stop
  { id: 'T2-repeated-stop', class: 'T2', detector: 'repeatedStop', threshold: 1, windowS: 86_400, severity: 'high', response: 'report', dedupS: 3600, enabled: true },
  // A meter cannot measure more than its EVSE can deliver; meters read a few percent high at most, and a reading
  // sampled during a ramp-up overshoots briefly, hence the 10 % tolerance. Without a rating in the locations model
  // the largest DC chargers on the market (≈ 400 kW) are the bound.
  { id: 'T2-over-power', class: 'T2', detector: 'overPower', threshold: 1, windowS: 3600, ratio: 0.1, maxKw: 400, severity: 'warning', response: 'report', dedupS: 3600, enabled: true },
  // NTP-less stations drift by seconds a day: 5 min is a clock set wrong, not drift. Offline events (offline=true)
  // and what a station sends in its first two minutes after a reconnect (a 1.6 queue, queued security events) carry
  // old timestamps legitimately and are not judged, nor is what was in flight when the link dropped (re-sent with
  // its first timestamp and offline=false); a timestamp in the future is never queued, so it counts at once.
  // One stray timestamp is not a clock, five are.
  { id: 'T3-clock-skew', class: 'T3', detector: 'clockSkew', threshold: 5, windowS: 3600, skewS: 300, graceS: 120, severity: 'warning', response: 'report', dedupS: 3600, enabled: true },
  // a certificate we verified (chain, revocation) that names another station is a stolen or shared key: the first one counts
  { id: 'T4-certificate-mismatch', class: 'T4', detector: 'certificateMismatch', threshold: 1, windowS: 1, severity: 'high', response: 'report', dedupS: 3600, enabled: true },
  // The issue asks for the ASN of the source; no ASN database is available offline, so the /16 (IPv4) or /48 (IPv6)
  // prefix stands in for it: a DHCP lease or a mobile reconnect usually stays inside the operator's prefix, the first
  // connection ever has nothing to compare with. A change is worth a look, not an alarm.
  { id: 'T4-network-change', class: 'T4', detector: 'networkChange', threshold: 1, windowS: 1, severity: 'warning', response: 'report', dedupS: 3600, enabled: true },
  { id: 'PH3-tamper', class: 'PH3', detector: 'stationSecurityEvent', threshold: 1, windowS: 1, types: ['TamperDetectionActivated'], severity: 'critical', response: 'report', dedupS: 3600, enabled: true },
  { id: 'PH3-security-log-cleared', class: 'PH3', detector: 'stationSecurityEvent', threshold: 1, windowS: 1, types: ['SecurityLogWasCleared'], severity: 'high', response: 'report', dedupS: 3600, enabled: true },
  {
    id: 'PH3-integrity', class: 'PH3', detector: 'stationSecurityEvent', threshold: 1, windowS: 1, severity: 'high', response: 'report', dedupS: 3600, enabled: true,
    types: ['InvalidFirmwareSignature', 'InvalidFirmwareSigningCertificate', 'AttemptedReplayAttacks', 'InvalidCsmsCertificate', 'InvalidCentralSystemCertificate', 'InvalidTLSVersion', 'InvalidTLSCipherSuite'],
  },
  { id: 'PH3-maintenance-login-failed', class: 'PH3', detector: 'stationSecurityEvent', threshold: 3, windowS: 600, types: ['MaintenanceLoginFailed'], severity: 'warning', response: 'report', dedupS: 3600, enabled: true },
];

export class RulesError extends Error {}

const oneOf = <T extends string>(list: readonly T[], v: unknown, what: string): T => {
  if (typeof v !== 'string' || !list.includes(v as T)) throw new RulesError(`${what} must be one of ${list.join(', ')}`);
  return v as T;
};
const positive = (v: unknown, what: string, min = 1): number => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new RulesError(`${what} must be a number ≥ ${min}`);
  return v;
};

function validRule(raw: unknown, base: Rule | undefined): Rule {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new RulesError('each rule must be an object');
  const r = { ...base, ...(raw as Partial<Rule>) } as Record<string, unknown>;
  const id = r.id;
  if (typeof id !== 'string' || !/^[A-Za-z0-9_.:-]{1,80}$/.test(id)) throw new RulesError('rule id must be 1–80 letters, digits or _.:-');
  const at = `rule ${id}:`;
  const known = new Set(['id', 'class', 'detector', 'threshold', 'windowS', 'severity', 'response', 'responseParam', 'ratio', 'types', 'skewS', 'toleranceWh', 'speedKmh', 'minKm', 'timeoutS', 'graceS', 'maxKw', 'dedupS', 'enabled']);
  for (const k of Object.keys(r)) if (!known.has(k)) throw new RulesError(`${at} unknown field ${k}`);
  const rule: Rule = {
    id,
    class: oneOf(classes, r.class, `${at} class`),
    detector: oneOf(detectors, r.detector, `${at} detector`),
    threshold: positive(r.threshold, `${at} threshold`),
    windowS: positive(r.windowS, `${at} windowS`),
    severity: oneOf(severities, r.severity, `${at} severity`),
    response: oneOf(responses, r.response ?? 'report', `${at} response`),
    dedupS: positive(r.dedupS ?? 600, `${at} dedupS`),
    enabled: r.enabled === undefined ? true : r.enabled === true,
  };
  if (r.enabled !== undefined && typeof r.enabled !== 'boolean') throw new RulesError(`${at} enabled must be a boolean`);
  if (r.responseParam !== undefined && r.responseParam !== null) rule.responseParam = positive(r.responseParam, `${at} responseParam`);
  else if (r.responseParam === null) rule.responseParam = null;
  if (rule.response === 'throttle' && (rule.responseParam ?? 0) > 10_000) throw new RulesError(`${at} a throttle delay above 10000 ms stalls the station; disconnect instead`);
  if (r.ratio !== undefined) {
    if (typeof r.ratio !== 'number' || r.ratio < 0 || r.ratio > 1) throw new RulesError(`${at} ratio must be between 0 and 1`);
    rule.ratio = r.ratio;
  }
  if (r.types !== undefined) {
    if (!Array.isArray(r.types) || r.types.some((t) => typeof t !== 'string')) throw new RulesError(`${at} types must be a list of strings`);
    rule.types = r.types as string[];
  }
  if (r.skewS !== undefined) rule.skewS = positive(r.skewS, `${at} skewS`, 0);
  if (r.toleranceWh !== undefined) rule.toleranceWh = positive(r.toleranceWh, `${at} toleranceWh`, 0);
  if (r.speedKmh !== undefined) rule.speedKmh = positive(r.speedKmh, `${at} speedKmh`);
  if (r.minKm !== undefined) rule.minKm = positive(r.minKm, `${at} minKm`, 0);
  if (r.timeoutS !== undefined) rule.timeoutS = positive(r.timeoutS, `${at} timeoutS`);
  if (r.graceS !== undefined) rule.graceS = positive(r.graceS, `${at} graceS`, 0);
  if (r.maxKw !== undefined) rule.maxKw = positive(r.maxKw, `${at} maxKw`);
  if (rule.detector === 'stationSecurityEvent' && !rule.types?.length) throw new RulesError(`${at} stationSecurityEvent needs types`);
  return rule;
}

/**
 * The rule table: the built-in rules, overridden by `OV2X_IDS_RULES` — a JSON list whose entries
 * replace (or, with `{id, …fields}`, patch) the built-in rule of the same id or add a new one.
 * `{"id":"T1-frame-rate","enabled":false}` turns a rule off. Throws RulesError at start.
 */
export function ruleTable(json: string | undefined): Rule[] {
  const table = new Map(defaultRules.map((r) => [r.id, r]));
  if (json === undefined || json.trim() === '') return [...table.values()];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new RulesError(`OV2X_IDS_RULES is not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new RulesError('OV2X_IDS_RULES must be a JSON list of rules');
  for (const raw of parsed) {
    const id = (raw as { id?: unknown } | null)?.id;
    const rule = validRule(raw, typeof id === 'string' ? table.get(id) : undefined);
    table.set(rule.id, rule);
  }
  return [...table.values()];
}
