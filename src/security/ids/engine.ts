import type { DomainEvent, DomainEvents } from '../../domain/events.js';
import type { Logger } from '../../log/logger.js';
import type { AlertService } from './alerts.js';
import type { Responder } from './responses.js';
import type { Detector, Rule } from './rules.js';
import type { IdsTap } from './tap.js';
import type { BootInfo, MeterReading } from '../../domain/model.js';
import { energyRegisterWh } from '../../domain/transactions/meter.js';
import { KeyedWindows } from './windows.js';
import { distanceKm, type Coordinates, type Locator } from './geo.js';
import { ID_RING, SEQ_RING, StationWatch } from './station-watch.js';
import { networkChanged, powerW } from './signals.js';
import type { Rating, Ratings } from './ratings.js';

/** What the IDS shares with the other nodes of a cluster (src/cluster/ids-sightings.ts). */
export interface Sightings {
  /** records this node's connection of the identity; resolves to another node's still-open one, if any */
  seen(stationId: string, ip: string): Promise<{ node: string; ip: string } | undefined>;
  /** this node's connection from `ip` ended */
  gone(stationId: string, ip: string): void;
  /** one more sighting of `key` in a fixed window shared by every node; resolves to the window's count so far */
  count(key: string, windowMs: number): Promise<number>;
}

/** Cap on addresses, identities and tokens tracked at once. */
const MAX_KEYS = 20_000;

/** Opens a new badFrames window (bad and all frames counted together) when the last one is over. */
function rollBad(w: StationWatch, i: number, now: number, windowMs: number): void {
  const win = w.windows[i]!;
  if (now - win.start < windowMs) return;
  win.start = now;
  win.count = 0;
  win.fired = false;
  w.framesInWindow[i] = 0;
}

/** How long a station's coordinates are reused before they are read again. */
const LOCATION_TTL_MS = 600_000;

export { distanceKm, type Coordinates, type Locator };

/** Refusals that say someone tried a wrong secret or a borrowed identity (T4). */
const authFailures = new Set(['InvalidCredentials', 'IdentityMismatch', 'ClientCertificateRejected', 'SecurityProfileDowngrade']);


/** Stamped messages whose timestamp says when the station thinks it is now (T3 clock skew). */
const stampedActions = new Set(['StatusNotification', 'SecurityEventNotification', 'TransactionEvent']);

/**
 * The OCPP-aware intrusion detection engine: fed in line by the transport (IdsTap) and by the
 * domain events, it runs the rule table's detectors over bounded per-station and per-source
 * state, and hands what fires to the responder and the alert store off the hot path.
 */
export class IdsEngine implements IdsTap {
  private readonly stations = new Map<string, StationWatch>();
  /** station rules, with their index into StationWatch.windows */
  private readonly stationRules: Rule[];
  private readonly byDetector: Record<Detector, Array<{ rule: Rule; i: number }>>;
  private readonly perIp = new KeyedWindows(MAX_KEYS);
  private readonly perIdentity = new KeyedWindows(MAX_KEYS);
  private readonly perStationEvent = new KeyedWindows(MAX_KEYS);
  /** station → the address of its last connection (T4), kept across reconnects */
  private readonly lastAddress = new Map<string, string>();
  /** station → the identifying part of its last boot (T4), kept across reconnects */
  private readonly boots = new Map<string, { vendor: string; model: string; serialNumber: string }>();
  /** station → its coordinates (null: not located), read at most every LOCATION_TTL_MS */
  private readonly places = new Map<string, { at: number; where: Coordinates | null }>();
  /** token pseudonym → where and when it was last authorized (T5) */
  private readonly tokenSeen = new Map<string, { stationId: string; at: number }>();
  /** station|transaction → the message id, content and time of its first stop (T2 repeated stop) */
  private readonly stops = new Map<string, { messageId: string; content: string; at: number }>();
  /** station → its EVSE ratings (W), read at most every LOCATION_TTL_MS (T2 over-power) */
  private readonly ratingsOf = new Map<string, { at: number; evses: Map<number, Rating> }>();
  /** connected stations that have not sent a frame yet (T1 half-open): usually none, a station boots at once */
  private readonly silent = new Set<string>();
  private readonly silentTimer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly unsubscribe: () => void;
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly longestWindowMs: number;
  private sightings: Sightings | undefined;

  constructor(
    readonly rules: readonly Rule[],
    private readonly responder: Responder,
    private readonly alerts: AlertService,
    events: DomainEvents,
    private readonly log: Logger,
    private readonly locate: Locator = async () => undefined,
    private readonly ratings: Ratings = async () => new Map(),
  ) {
    const enabled = rules.filter((r) => r.enabled);
    this.stationRules = enabled;
    this.byDetector = {
      impossibleTravel: [], oversizedFrame: [], connectionRatePerIdentity: [], tokenVelocity: [], repeatedSeqNo: [], repeatedReading: [],
      connectionRatePerIp: [], frameRate: [], badFrames: [], unsolicitedResult: [], repeatedMessageId: [], failedAuth: [], tokenTwoStations: [], stationSecurityEvent: [],
      energyDecrease: [], futureTimestamp: [], addressFlapping: [], bootIdentityChange: [],
      slowHandshake: [], bootBurst: [], unknownTransaction: [], repeatedStop: [], overPower: [], clockSkew: [], certificateMismatch: [], networkChange: [],
    };
    enabled.forEach((rule, i) => this.byDetector[rule.detector].push({ rule, i }));
    this.longestWindowMs = Math.max(60_000, ...enabled.map((r) => r.windowS * 1000));
    this.unsubscribe = events.subscribe((e) => this.onEvent(e));
    // idle entries of departed sources go once their window is over
    this.sweepTimer = setInterval(() => this.sweep(), 60_000);
    this.sweepTimer.unref();
    const halfOpen = this.byDetector.slowHandshake.map(({ rule }) => (rule.timeoutS ?? 600) * 1000);
    if (halfOpen.length > 0) {
      // a quarter of the shortest timeout, so a silent connection is counted at most 25 % late
      this.silentTimer = setInterval(() => this.checkSilent(), Math.min(5000, Math.max(250, Math.min(...halfOpen) / 4)));
      this.silentTimer.unref();
    }
  }

  // ---- transport tap -------------------------------------------------------------------

  connectionAttempt(ip: string, identity: string): void {
    const now = Date.now();
    for (const { rule } of this.byDetector.connectionRatePerIp) {
      const { fired, count } = this.perIp.hit(`${rule.id}|${ip}`, now, rule.windowS * 1000, rule.threshold);
      if (fired) this.fire(rule, { sourceIp: ip, evidence: { attempts: count, windowS: rule.windowS, lastIdentity: identity.slice(0, 64) } });
    }
    if (identity === '') return;
    for (const { rule } of this.byDetector.connectionRatePerIdentity) {
      const { fired, count } = this.perIdentity.hit(`${rule.id}|${identity}`, now, rule.windowS * 1000, rule.threshold);
      if (fired) this.fire(rule, { stationId: identity, sourceIp: ip, evidence: { attempts: count, windowS: rule.windowS } });
    }
  }

  handshakeRefused(ip: string, identity: string, reason: string, details?: Record<string, unknown>): void {
    if (!authFailures.has(reason)) return;
    const now = Date.now();
    // a verified certificate naming another station: its own rule, not one more failed password
    if (reason === 'ClientCertificateRejected' && details?.reason === 'IdentityMismatch') {
      const evidence = { subject: typeof details.subject === 'string' ? details.subject.slice(0, 200) : undefined, serial: typeof details.serial === 'string' ? details.serial.slice(0, 64) : undefined };
      for (const { rule } of this.byDetector.certificateMismatch) {
        const { fired, count } = this.perIdentity.hit(`${rule.id}|${identity}`, now, rule.windowS * 1000, rule.threshold);
        if (fired) this.fire(rule, { stationId: identity, sourceIp: ip, evidence: { ...evidence, refusals: count } });
      }
      return;
    }
    for (const { rule } of this.byDetector.failedAuth) {
      const at = (count: number) => ({ stationId: identity, sourceIp: ip, evidence: { refusals: count, windowS: rule.windowS, lastReason: reason } });
      // a cluster counts the refusals of the identity on every node: a guesser spreading over nodes is still one guesser
      if (this.sightings) {
        this.sharedHit(`${rule.id}|${identity}`, rule, (count) => this.fire(rule, at(count)), this.perIdentity);
        continue;
      }
      const { fired, count } = this.perIdentity.hit(`${rule.id}|${identity}`, now, rule.windowS * 1000, rule.threshold);
      if (fired) this.fire(rule, at(count));
    }
  }

  /**
   * A window count shared by the nodes: it fires on the one node whose hit reaches the threshold
   * (the count is atomic). Without Redis the hit is counted by this node alone, as without a cluster.
   */
  private sharedHit(key: string, rule: Rule, fire: (count: number) => void, local: KeyedWindows): void {
    const work = this.sightings!.count(key, rule.windowS * 1000).then((count) => {
      if (count === rule.threshold) fire(count);
    }, () => {
      const { fired, count } = local.hit(key, Date.now(), rule.windowS * 1000, rule.threshold);
      if (fired) fire(count);
    });
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** T1: a connection that never got as far as the upgrade; counted per address. */
  handshakeStalled(ip: string, stage: 'request' | 'tls'): void {
    this.slowHandshake(ip, { stage });
  }

  private slowHandshake(ip: string, evidence: Record<string, unknown>, only?: Rule): void {
    const now = Date.now();
    for (const { rule } of this.byDetector.slowHandshake) {
      if (only && rule !== only) continue;
      const { fired, count } = this.perIp.hit(`${rule.id}|${ip}`, now, rule.windowS * 1000, rule.threshold);
      if (fired) this.fire(rule, { sourceIp: ip, evidence: { ...evidence, stalls: count, windowS: rule.windowS } });
    }
  }

  /** T1 half-open: upgraded stations still silent past a rule's timeoutS count against their address once. */
  private checkSilent(): void {
    const now = Date.now();
    for (const stationId of this.silent) {
      const w = this.stations.get(stationId);
      if (!w || w.heard) {
        this.silent.delete(stationId);
        continue;
      }
      for (const { rule, i } of this.byDetector.slowHandshake) {
        if (w.halfOpen?.has(i) || now - w.since < (rule.timeoutS ?? 600) * 1000) continue;
        (w.halfOpen ??= new Set()).add(i);
        this.slowHandshake(w.ip, { stage: 'silentAfterUpgrade', lastIdentity: stationId.slice(0, 64), silentS: Math.round((now - w.since) / 1000) }, rule);
      }
      if (w.halfOpen?.size === this.byDetector.slowHandshake.length) this.silent.delete(stationId);
    }
  }

  connected(stationId: string, ip: string): void {
    const stillOpen = this.stations.has(stationId);
    this.stations.set(stationId, new StationWatch(ip, this.stationRules.length));
    if (this.byDetector.slowHandshake.length > 0) this.silent.add(stationId);
    const before = this.lastAddress.get(stationId);
    this.lastAddress.delete(stationId);
    if (this.lastAddress.size >= MAX_KEYS) this.lastAddress.delete(this.lastAddress.keys().next().value!);
    this.lastAddress.set(stationId, ip);
    if (this.sightings) this.sightedElsewhere(stationId, ip, before);
    if (before === undefined || before === ip) return;
    this.addressChanged(stationId, before, ip, { previousStillOpen: stillOpen });
  }

  /**
   * Cluster (issue 9): a node sees only its own connections, so each one is also recorded in the
   * shared sightings; the identity still open on another node from another address is one more
   * address change (T4), as a second device taking the identity from the first would be.
   */
  useSightings(sightings: Sightings): void {
    this.sightings = sightings;
  }

  private sightedElsewhere(stationId: string, ip: string, localBefore: string | undefined): void {
    const work = this.sightings!.seen(stationId, ip).then((other) => {
      if (!other || other.ip === ip || other.ip === localBefore) return;
      this.addressChanged(stationId, other.ip, ip, { previousStillOpen: true, otherNode: other.node });
    }).catch((err: unknown) => this.log.warn({ err: { message: (err as Error).message } }, 'ids: cross-node sighting failed; this connection is judged by this node alone'));
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private addressChanged(stationId: string, before: string, ip: string, extra: Record<string, unknown>): void {
    const now = Date.now();
    if (this.byDetector.networkChange.length > 0 && networkChanged(before, ip)) {
      for (const { rule } of this.byDetector.networkChange) {
        const { fired, count } = this.perStationEvent.hit(`${rule.id}|${stationId}`, now, rule.windowS * 1000, rule.threshold);
        if (fired) this.fire(rule, { stationId, sourceIp: ip, evidence: { before, after: ip, changes: count, prefix: ip.includes(':') && !ip.startsWith('::ffff:') ? '/48' : '/16' } });
      }
    }
    for (const { rule } of this.byDetector.addressFlapping) {
      const { fired, count } = this.perStationEvent.hit(`${rule.id}|${stationId}`, now, rule.windowS * 1000, rule.threshold);
      if (fired) this.fire(rule, { stationId, sourceIp: ip, evidence: { changes: count, windowS: rule.windowS, addresses: [before, ip], ...extra } });
    }
  }

  disconnected(stationId: string): void {
    const w = this.stations.get(stationId);
    if (w) this.sightings?.gone(stationId, w.ip);
    this.stations.delete(stationId);
    this.silent.delete(stationId);
  }

  frameIn(stationId: string, bytes: number): void {
    const w = this.stations.get(stationId);
    if (!w) return;
    w.lastBytes = bytes;
    if (!w.heard) {
      w.heard = true;
      this.silent.delete(stationId);
    }
    const now = Date.now();
    for (const { rule, i } of this.byDetector.frameRate) {
      if (w.windows[i]!.hit(now, rule.windowS * 1000, rule.threshold)) {
        this.fire(rule, { stationId, sourceIp: w.ip, evidence: { frames: w.windows[i]!.count, windowS: rule.windowS, recent: w.recentFrames() } });
      }
    }
    for (const { rule, i } of this.byDetector.badFrames) {
      rollBad(w, i, now, rule.windowS * 1000);
      w.framesInWindow[i]!++;
    }
  }

  callIn(stationId: string, messageId: string, action: string, payload: Record<string, unknown>): void {
    const w = this.stations.get(stationId);
    if (!w) return;
    w.note(action, messageId, w.lastBytes);
    // queued: sent while an earlier CALL still waits for the endpoint (an offline replay waits for each answer)
    const queued = w.callsIn - w.callsStarted > 0;
    w.callsIn++;
    if (action === 'BootNotification') w.bootAt = Date.now();
    else if (queued && w.bootAt > 0 && this.byDetector.bootBurst.length > 0) this.bootBurst(stationId, w);
    if (action === 'TransactionEvent' && this.byDetector.repeatedSeqNo.length > 0) this.transactionEvent(stationId, w, payload);
    if ((action === 'StopTransaction' || action === 'TransactionEvent') && this.byDetector.repeatedStop.length > 0) this.stopped(stationId, w, messageId, action, payload);
    if (stampedActions.has(action) && this.byDetector.clockSkew.length > 0) this.clockSkew(stationId, w, action, payload);
    if (this.byDetector.repeatedMessageId.length === 0) return;
    const repeated = w.ids.includes(messageId);
    w.ids[w.idCursor] = messageId;
    w.idCursor = (w.idCursor + 1) % ID_RING;
    if (!repeated) return;
    const now = Date.now();
    for (const { rule, i } of this.byDetector.repeatedMessageId) {
      if (w.windows[i]!.hit(now, rule.windowS * 1000, rule.threshold)) {
        this.fire(rule, { stationId, sourceIp: w.ip, evidence: { repeats: w.windows[i]!.count, windowS: rule.windowS, lastRepeated: { messageId: messageId.slice(0, 64), action }, recent: w.recentFrames() } });
      }
    }
  }

  /** T1: CALLs queued behind unanswered ones within the first windowS after a BootNotification. */
  private bootBurst(stationId: string, w: StationWatch): void {
    const now = Date.now();
    for (const { rule, i } of this.byDetector.bootBurst) {
      if (now - w.bootAt > rule.windowS * 1000) continue;
      const win = w.windows[i]!;
      // the window opens at the boot, not at the first queued CALL
      if (win.start !== w.bootAt) {
        win.start = w.bootAt;
        win.count = 0;
        win.fired = false;
      }
      win.count++;
      if (win.fired || win.count < rule.threshold) continue;
      win.fired = true;
      this.fire(rule, { stationId, sourceIp: w.ip, evidence: { queuedCalls: win.count, secondsAfterBoot: Math.round((now - w.bootAt) / 100) / 10, windowS: rule.windowS, recent: w.recentFrames() } });
    }
  }

  /** T2: a second stop of one transaction under a new message id; the same id again is a re-send after a lost answer. */
  private stopped(stationId: string, w: StationWatch, messageId: string, action: string, payload: Record<string, unknown>): void {
    let tx: string;
    // what a retry of the same stop repeats, whatever message id it gets after a reconnect: the 2.0.1 seqNo,
    // the 1.6 stop's own timestamp and register
    let content: string;
    if (action === 'StopTransaction') {
      if (typeof payload.transactionId !== 'number') return;
      tx = String(payload.transactionId);
      content = `${String(payload.timestamp).slice(0, 40)}|${String(payload.meterStop)}`;
    } else {
      const id = (payload.transactionInfo as { transactionId?: unknown } | undefined)?.transactionId;
      if (payload.eventType !== 'Ended' || typeof id !== 'string') return;
      tx = id.slice(0, 36);
      content = `seq ${String(payload.seqNo)}`;
    }
    const key = `${stationId}|${tx}`;
    const now = Date.now();
    const first = this.stops.get(key);
    if (!first || now - first.at > this.longestWindowMs) {
      this.stops.delete(key);
      if (this.stops.size >= MAX_KEYS) this.stops.delete(this.stops.keys().next().value!);
      this.stops.set(key, { messageId: messageId.slice(0, 64), content, at: now });
      return;
    }
    if (first.messageId === messageId.slice(0, 64) || first.content === content) return;
    for (const { rule } of this.byDetector.repeatedStop) {
      if (now - first.at > rule.windowS * 1000) continue;
      const { fired, count } = this.perStationEvent.hit(`${rule.id}|${key}`, now, rule.windowS * 1000, rule.threshold);
      if (fired) this.fire(rule, { stationId, sourceIp: w.ip, evidence: { action, transactionId: tx, stops: count + 1, first: { messageId: first.messageId, at: new Date(first.at).toISOString() }, again: { messageId: messageId.slice(0, 64) } } });
    }
  }

  /** T3: a live message stamped off our clock; offline events and what a station sends right after connecting are not judged. */
  private clockSkew(stationId: string, w: StationWatch, action: string, payload: Record<string, unknown>): void {
    // an offline TransactionEvent says itself that it is old news
    if (typeof payload.timestamp !== 'string' || (action === 'TransactionEvent' && payload.offline === true)) return;
    const at = Date.parse(payload.timestamp);
    if (Number.isNaN(at)) return;
    const now = Date.now();
    const skewMs = at - now;
    for (const { rule } of this.byDetector.clockSkew) {
      if (Math.abs(skewMs) <= (rule.skewS ?? 300) * 1000) continue;
      // right after a connect come the queue (1.6 has no offline flag) and what was in flight when the link dropped:
      // old news, stamped in the past; nothing queued can be stamped in the future, so those count at once
      if (skewMs < 0 && now - w.since < (rule.graceS ?? 120) * 1000) continue;
      const { fired, count } = this.perStationEvent.hit(`${rule.id}|${stationId}`, now, rule.windowS * 1000, rule.threshold);
      if (fired) this.fire(rule, { stationId, sourceIp: w.ip, evidence: { skewS: Math.round(skewMs / 1000), messages: count, windowS: rule.windowS, action, timestamp: payload.timestamp.slice(0, 40) } });
    }
  }

  /** T3: the same (transaction, seqNo) twice in one session; the payload is not validated yet, so only well-typed fields count. */
  private transactionEvent(stationId: string, w: StationWatch, payload: Record<string, unknown>): void {
    const seqNo = payload.seqNo;
    const tx = (payload.transactionInfo as { transactionId?: unknown } | undefined)?.transactionId;
    if (typeof seqNo !== 'number' || typeof tx !== 'string') return;
    const key = `${tx.slice(0, 36)}|${seqNo}`;
    const repeated = w.seqs.includes(key);
    w.seqs[w.seqCursor] = key;
    w.seqCursor = (w.seqCursor + 1) % SEQ_RING;
    if (!repeated) return;
    const now = Date.now();
    for (const { rule, i } of this.byDetector.repeatedSeqNo) {
      if (w.windows[i]!.hit(now, rule.windowS * 1000, rule.threshold)) {
        this.fire(rule, { stationId, sourceIp: w.ip, evidence: { repeats: w.windows[i]!.count, windowS: rule.windowS, transactionId: tx.slice(0, 36), seqNo, eventType: typeof payload.eventType === 'string' ? payload.eventType : undefined } });
      }
    }
  }

  violation(stationId: string, kind: string, detail: string): void {
    const w = this.stations.get(stationId);
    if (!w) return;
    const now = Date.now();
    w.note(`!${kind}`, '', w.lastBytes);
    // refused at the door: it never reaches the endpoint's queue
    if (kind === 'InboundQueueFull') w.callsStarted++;
    if (kind === 'UnexpectedResult') {
      for (const { rule, i } of this.byDetector.unsolicitedResult) {
        if (w.windows[i]!.hit(now, rule.windowS * 1000, rule.threshold)) {
          this.fire(rule, { stationId, sourceIp: w.ip, evidence: { unsolicited: w.windows[i]!.count, windowS: rule.windowS, last: detail.slice(0, 120), recent: w.recentFrames() } });
        }
      }
      return;
    }
    for (const { rule, i } of this.byDetector.badFrames) {
      const win = w.windows[i]!;
      rollBad(w, i, now, rule.windowS * 1000);
      win.count++;
      const frames = Math.max(w.framesInWindow[i]!, win.count);
      if (!win.fired && win.count >= rule.threshold && win.count / frames >= (rule.ratio ?? 0)) {
        win.fired = true;
        this.fire(rule, { stationId, sourceIp: w.ip, evidence: { badFrames: win.count, frames, windowS: rule.windowS, lastKind: kind, last: detail.slice(0, 120), recent: w.recentFrames() } });
      }
    }
  }

  oversizedFrame(stationId: string, ip: string): void {
    const now = Date.now();
    const w = this.stations.get(stationId);
    w?.note('!OversizedFrame', '', w.lastBytes);
    for (const { rule } of this.byDetector.oversizedFrame) {
      const { fired, count } = this.perIdentity.hit(`${rule.id}|${stationId}`, now, rule.windowS * 1000, rule.threshold);
      if (fired) this.fire(rule, { stationId, sourceIp: ip, evidence: { oversized: count, windowS: rule.windowS, ...(w && { recent: w.recentFrames() }) } });
    }
  }

  delayMs(stationId: string): number {
    const w = this.stations.get(stationId);
    if (!w) return 0;
    w.callsStarted++;
    if (w.throttleMs === 0) return 0;
    if (Date.now() >= w.throttleUntil) {
      w.throttleMs = 0;
      return 0;
    }
    return w.throttleMs;
  }

  // ---- domain events -------------------------------------------------------------------

  private onEvent(e: DomainEvent): void {
    if (e.type === 'token.authorized') this.tokenAuthorized(e.stationId, e.token, e.authorization.status);
    else if (e.type === 'meter.values') this.meterValues(e.stationId, e.evseId, e.transactionId, e.readings);
    else if (e.type === 'station.booted') this.booted(e.stationId, e.boot, e.previous);
    else if (e.type === 'security.event' && e.stationId !== undefined && e.eventType === 'UnknownTransaction' && !('standard' in e.details)) this.unknownTransaction(e.stationId, e.details);
    else if (e.type === 'security.event' && e.stationId !== undefined && e.eventType !== 'IdsAlert') this.stationEvent(e.stationId, e.eventType, e.details);
  }

  /** T2: the domain met a transaction it never started (1.6 meter values or stop, 2.0.1 events it had to recover from). */
  private unknownTransaction(stationId: string, details: Record<string, unknown>): void {
    const now = Date.now();
    for (const { rule } of this.byDetector.unknownTransaction) {
      const { fired, count } = this.perStationEvent.hit(`${rule.id}|${stationId}`, now, rule.windowS * 1000, rule.threshold);
      if (fired) this.fire(rule, { stationId, sourceIp: this.stations.get(stationId)?.ip, evidence: { unknown: count, windowS: rule.windowS, lastTransactionRef: details.transactionRef, lastOperation: details.operation } });
    }
  }

  /** T2: active power above what the EVSE is rated for; the rating is read from the store off the OCPP exchange. */
  private overPower(stationId: string, sourceIp: string, evseId: number, transactionId: number | undefined, r: MeterReading, w: number): void {
    const known = this.ratingsOf.get(stationId);
    if (known && Date.now() - known.at < LOCATION_TTL_MS) return this.judgePower(stationId, sourceIp, evseId, transactionId, r, w, known.evses);
    const work = this.ratings(stationId).then((evses) => {
      this.ratingsOf.delete(stationId);
      if (this.ratingsOf.size >= MAX_KEYS) this.ratingsOf.delete(this.ratingsOf.keys().next().value!);
      this.ratingsOf.set(stationId, { at: Date.now(), evses });
      this.judgePower(stationId, sourceIp, evseId, transactionId, r, w, evses);
    }).catch((err: unknown) => this.log.error({ err }, 'ids rating check failed'));
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private judgePower(stationId: string, sourceIp: string, evseId: number, transactionId: number | undefined, r: MeterReading, w: number, evses: Map<number, Rating>): void {
    const rated = evses.get(evseId);
    const now = Date.now();
    for (const { rule } of this.byDetector.overPower) {
      const ratingW = rated?.w ?? (rule.maxKw ?? 400) * 1000;
      if (w <= ratingW * (1 + (rule.ratio ?? 0.1))) continue;
      const { fired, count } = this.perStationEvent.hit(`${rule.id}|${stationId}|${evseId}`, now, rule.windowS * 1000, rule.threshold);
      if (fired) {
        this.fire(rule, { stationId, sourceIp, evidence: { evseId, transactionId, powerW: Math.round(w), ratingW, ratingFrom: rated?.from ?? 'rule', readings: count, timestamp: r.timestamp.toISOString() } });
      }
    }
  }

  /** T2: an energy register going backwards in the readings' own time order; readings from the future. */
  private meterValues(stationId: string, evseId: number, transactionId: number | undefined, readings: MeterReading[]): void {
    const w = this.stations.get(stationId);
    if (!w) return;
    const now = Date.now();
    for (const r of readings) {
      const at = r.timestamp.getTime();
      if (this.byDetector.repeatedReading.length > 0) this.repeatedReading(stationId, w, evseId, r, now);
      if (this.byDetector.overPower.length > 0) {
        const power = powerW(r);
        if (power !== undefined) this.overPower(stationId, w.ip, evseId, transactionId, r, power);
      }
      for (const { rule } of this.byDetector.futureTimestamp) {
        if (at - now <= (rule.skewS ?? 300) * 1000) continue;
        const { fired, count } = this.perStationEvent.hit(`${rule.id}|${stationId}`, now, rule.windowS * 1000, rule.threshold);
        if (fired) this.fire(rule, { stationId, sourceIp: w.ip, evidence: { readings: count, aheadS: Math.round((at - now) / 1000), timestamp: r.timestamp.toISOString(), evseId, transactionId } });
      }
      if (this.byDetector.energyDecrease.length === 0) continue;
      const wh = energyRegisterWh(r);
      if (wh === undefined) continue;
      const last = w.registers.get(evseId);
      // an older reading replayed late says nothing about the register now
      if (last && at <= last.at) continue;
      w.registers.set(evseId, { at, wh });
      if (!last) continue;
      for (const { rule } of this.byDetector.energyDecrease) {
        if (last.wh - wh <= (rule.toleranceWh ?? 1)) continue;
        const { fired } = this.perStationEvent.hit(`${rule.id}|${stationId}|${evseId}`, now, rule.windowS * 1000, rule.threshold);
        if (fired) {
          this.fire(rule, {
            stationId, sourceIp: w.ip,
            evidence: { evseId, transactionId, before: { wh: last.wh, at: new Date(last.at).toISOString() }, after: { wh, at: r.timestamp.toISOString() } },
          });
        }
      }
    }
  }

  /** T3: the same reading (EVSE, timestamp, energy register) re-sent within one session. */
  private repeatedReading(stationId: string, w: StationWatch, evseId: number, r: MeterReading, now: number): void {
    const wh = energyRegisterWh(r);
    if (wh === undefined) return;
    const key = `${evseId}|${r.timestamp.getTime()}|${wh}`;
    const repeated = w.readings.includes(key);
    w.readings[w.readingCursor] = key;
    w.readingCursor = (w.readingCursor + 1) % SEQ_RING;
    if (!repeated) return;
    for (const { rule, i } of this.byDetector.repeatedReading) {
      if (w.windows[i]!.hit(now, rule.windowS * 1000, rule.threshold)) {
        this.fire(rule, { stationId, sourceIp: w.ip, evidence: { repeats: w.windows[i]!.count, windowS: rule.windowS, evseId, timestamp: r.timestamp.toISOString(), wh } });
      }
    }
  }

  /** T4: the identifying boot information changed; a firmware update changes only the firmware version. */
  private booted(stationId: string, boot: BootInfo, stored?: { vendor: string; model: string; serialNumber: string }): void {
    const now = { vendor: boot.vendor, model: boot.model, serialNumber: boot.serialNumber ?? '' };
    // the store's copy of the previous boot survives a restart of the platform; memory is what this process saw
    const before = this.boots.get(stationId) ?? stored;
    this.boots.delete(stationId);
    if (this.boots.size >= MAX_KEYS) this.boots.delete(this.boots.keys().next().value!);
    this.boots.set(stationId, now);
    if (!before || (before.vendor === now.vendor && before.model === now.model && before.serialNumber === now.serialNumber)) return;
    const changed = (['vendor', 'model', 'serialNumber'] as const).filter((k) => before[k] !== now[k]);
    const t = Date.now();
    for (const { rule } of this.byDetector.bootIdentityChange) {
      const { fired } = this.perStationEvent.hit(`${rule.id}|${stationId}`, t, rule.windowS * 1000, rule.threshold);
      if (fired) this.fire(rule, { stationId, sourceIp: this.stations.get(stationId)?.ip, evidence: { changed, before, after: now } });
    }
  }

  /** T5: the same token accepted at two stations within the window; `token` is the pseudonym, never the UID. */
  private tokenAuthorized(stationId: string, token: string | undefined, status: string): void {
    if (token === undefined || status !== 'Accepted') return;
    const now = Date.now();
    for (const { rule } of this.byDetector.tokenVelocity) {
      const { fired, count } = this.perStationEvent.hit(`${rule.id}|${token}`, now, rule.windowS * 1000, rule.threshold);
      if (fired) this.fire(rule, { stationId, sourceIp: this.stations.get(stationId)?.ip, evidence: { token, authorizations: count, windowS: rule.windowS } });
    }
    if (this.byDetector.tokenTwoStations.length === 0 && this.byDetector.impossibleTravel.length === 0) return;
    const before = this.tokenSeen.get(token);
    this.tokenSeen.delete(token);
    if (this.tokenSeen.size >= MAX_KEYS) this.tokenSeen.delete(this.tokenSeen.keys().next().value!);
    this.tokenSeen.set(token, { stationId, at: now });
    if (!before || before.stationId === stationId) return;
    // the locations are read from the store: off the OCPP exchange, like the alert itself
    const work = this.travel(token, before, stationId, now).catch((err: unknown) => this.log.error({ err }, 'ids token check failed'));
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private async travel(token: string, before: { stationId: string; at: number }, stationId: string, now: number): Promise<void> {
    const [from, to] = await Promise.all([this.place(before.stationId), this.place(stationId)]);
    const km = from && to ? distanceKm(from, to) : undefined;
    const hours = Math.max(now - before.at, 1000) / 3_600_000;
    const base = { token, stations: [before.stationId, stationId], secondsApart: Math.round((now - before.at) / 1000), ...(km !== undefined && { km: Math.round(km * 10) / 10 }) };
    const sourceIp = this.stations.get(stationId)?.ip;
    for (const { rule } of this.byDetector.tokenTwoStations) {
      if (now - before.at > rule.windowS * 1000) continue;
      if (km !== undefined && km < (rule.minKm ?? 1)) continue;
      const { fired } = this.perStationEvent.hit(`${rule.id}|${token}`, now, rule.windowS * 1000, rule.threshold);
      if (fired) this.fire(rule, { stationId, sourceIp, evidence: { ...base, windowS: rule.windowS } });
    }
    if (km === undefined) return;
    for (const { rule } of this.byDetector.impossibleTravel) {
      if (now - before.at > rule.windowS * 1000 || km < (rule.minKm ?? 1)) continue;
      const kmh = km / hours;
      if (kmh <= (rule.speedKmh ?? 250)) continue;
      const { fired } = this.perStationEvent.hit(`${rule.id}|${token}`, now, rule.windowS * 1000, rule.threshold);
      if (fired) this.fire(rule, { stationId, sourceIp, evidence: { ...base, kmh: Math.round(kmh), speedKmh: rule.speedKmh } });
    }
  }

  private async place(stationId: string): Promise<Coordinates | undefined> {
    const now = Date.now();
    const known = this.places.get(stationId);
    if (known && now - known.at < LOCATION_TTL_MS) return known.where ?? undefined;
    const where = await this.locate(stationId);
    this.places.delete(stationId);
    if (this.places.size >= MAX_KEYS) this.places.delete(this.places.keys().next().value!);
    this.places.set(stationId, { at: now, where: where ?? null });
    return where;
  }

  /** PH3: station-reported security events of the types a rule lists (only the station's own, origin `station`). */
  private stationEvent(stationId: string, type: string, details: Record<string, unknown>): void {
    // station-reported events carry the standard/critical flags of the type table; our own refusals do not
    if (!('standard' in details)) return;
    const now = Date.now();
    for (const { rule } of this.byDetector.stationSecurityEvent) {
      if (!rule.types?.includes(type)) continue;
      const { fired, count } = this.perStationEvent.hit(`${rule.id}|${stationId}`, now, rule.windowS * 1000, rule.threshold);
      if (fired) this.fire(rule, { stationId, sourceIp: this.stations.get(stationId)?.ip, evidence: { eventType: type, count, windowS: rule.windowS, techInfo: typeof details.techInfo === 'string' ? details.techInfo.slice(0, 200) : undefined } });
    }
  }

  // ---- firing --------------------------------------------------------------------------

  private fire(rule: Rule, at: { stationId?: string; sourceIp?: string; evidence: Record<string, unknown> }): void {
    this.log.warn({ event: { kind: 'alert', category: ['intrusion_detection'], action: rule.id }, station: at.stationId, source: { ip: at.sourceIp } }, `ids: ${rule.id}`);
    const work = this.responder.respond(rule, {
      stationId: at.stationId, sourceIp: at.sourceIp,
      throttle: (delayMs, untilMs) => {
        const w = at.stationId === undefined ? undefined : this.stations.get(at.stationId);
        if (!w) return false;
        w.throttleMs = delayMs;
        w.throttleUntil = untilMs;
        return true;
      },
    }).then((response) => this.alerts.raise({ rule, stationId: at.stationId, sourceIp: at.sourceIp, evidence: at.evidence, response }))
      .catch((err: unknown) => this.log.error({ err, rule: rule.id }, 'ids response failed'));
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Resolves once every detection so far has been responded to and stored. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    await this.alerts.settled();
  }

  /** Connected stations watched and sources tracked: what the memory bound is about. */
  get tracked(): { stations: number; sources: number; tokens: number; stops: number } {
    return { stations: this.stations.size, sources: this.perIp.size + this.perIdentity.size + this.perStationEvent.size, tokens: this.tokenSeen.size, stops: this.stops.size };
  }

  private sweep(): void {
    const now = Date.now();
    this.perIp.sweep(now, this.longestWindowMs);
    this.perIdentity.sweep(now, this.longestWindowMs);
    this.perStationEvent.sweep(now, this.longestWindowMs);
    for (const [k, v] of this.tokenSeen) if (now - v.at > this.longestWindowMs) this.tokenSeen.delete(k);
    for (const [k, v] of this.stops) if (now - v.at > this.longestWindowMs) this.stops.delete(k);
  }

  close(): void {
    clearInterval(this.sweepTimer);
    clearInterval(this.silentTimer);
    this.unsubscribe();
  }
}
