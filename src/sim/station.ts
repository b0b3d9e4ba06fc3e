import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { settings } from '../config/settings.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { protocol as protocolOf } from '../ocpp/protocols.js';
import { CallFailed } from '../ocpp/rpc/call-failed.js';
import { RpcEndpoint } from '../ocpp/rpc/endpoint.js';
import type { ConnectorState, Dialect, Session, SimReservation } from './dialect.js';
import { pause } from './pause.js';
import {
  ConnectError, SessionRefused,
  type Behaviour, type BootReason, type BootResult, type ConnectorStatus, type RunSessionOptions,
  type SessionStart, type SessionSummary, type SimProtocol, type StationOptions, type StopReason, type TxnId,
} from './types.js';
import { v16 } from './v16.js';
import { v201 } from './v201.js';

const dialects: Record<SimProtocol, Dialect> = { '1.6': v16, '2.0.1': v201 };
const noBehaviour: Behaviour = {};
const CLOSE_WAIT_MS = 2000;
const RECONNECT_ATTEMPTS = 5;

/** A fresh RFID-like token: 7-byte UID in hex, as ISO 14443 cards carry. */
export function randomIdTag(): string {
  return randomBytes(7).toString('hex').toUpperCase();
}

/**
 * One simulated charging station speaking OCPP-J 1.6 or 2.0.1 over a real WebSocket. It
 * sends what a real station sends (boot, heartbeats, statuses, transactions with monotonic
 * meter registers) and answers the CSMS's core commands with their real effects. Everything
 * version-specific lives in the dialects (v16.ts, v201.ts); this class holds the state.
 *
 * Members marked @internal are for the dialects and command tables only.
 */
export class SimulatedStation {
  readonly identity: string;
  readonly protocol: SimProtocol;
  readonly behaviour: Behaviour;
  readonly log: Logger;
  /** registration status of the last boot */
  registration: BootResult['status'] | undefined;
  /** seconds, from the boot response or a configuration change */
  heartbeatIntervalS = 300;
  /** sampling interval of running sessions (ms) */
  meterIntervalMs: number;
  /** calls sent, and those that failed (any reason) */
  calls = 0;
  errors = 0;
  /** @internal the local authorization list: its version and entries by token */
  readonly localList: { version: number; entries: Map<string, { status: string; groupIdTag?: string }> } = { version: 0, entries: new Map() };
  /** @internal the version a firmware update installed; reported from the next boot on */
  installedFirmware: string | undefined;
  /** @internal MD5 checksums of the firmware images this station publishes (2.0.1 local controller); created on first use */
  published: Set<string> | undefined;

  private readonly dialect: Dialect;
  private readonly ports: ConnectorState[];
  private secret: string | undefined;
  private ws: WebSocket | undefined;
  private endpoint: RpcEndpoint<SimulatedStation> | undefined;
  private beat: NodeJS.Timeout | undefined;
  private overrides: Map<string, string> | undefined;
  private closing = false;
  private rebooting = false;
  private resetWhenIdle = false;

  constructor(private readonly o: StationOptions) {
    this.identity = o.identity;
    this.protocol = o.protocol;
    this.behaviour = o.behaviour ?? noBehaviour;
    this.log = o.log ?? silentLogger;
    this.meterIntervalMs = o.meterIntervalMs ?? 60_000;
    this.secret = o.password;
    this.dialect = dialects[o.protocol];
    const n = o.connectors ?? 2;
    if (!Number.isInteger(n) || n < 1 || n > 100) throw new RangeError('connectors must be 1..100');
    this.ports = Array.from({ length: n }, () => ({ status: 'Available', operative: true, importWh: 0, exportWh: 0 }));
  }

  get vendor(): string { return this.o.vendor ?? 'OV2X'; }
  get model(): string { return this.o.model ?? 'SimCharger'; }
  get serial(): string { return this.o.serial ?? `SN-${this.identity}`.slice(0, 25); }
  get firmware(): string { return this.installedFirmware ?? this.o.firmware ?? '1.0.0'; }
  get connectorCount(): number { return this.ports.length; }
  get connected(): boolean { return this.endpoint?.isOpen ?? false; }
  /** connected and not in the middle of a reset */
  get online(): boolean { return this.connected && !this.rebooting; }
  get url(): string { return this.o.url; }
  /** charging power of remotely started sessions (W) */
  get defaultPowerW(): number { return this.o.powerW ?? 11_000; }

  /** Opens the WebSocket; rejects with a ConnectError (`status` set when the upgrade was refused). */
  connect(): Promise<void> {
    this.closing = false;
    return this.dial();
  }

  /** BootNotification; on Accepted, heartbeats start at the interval the CSMS gave. */
  async boot(reason: BootReason = 'PowerUp'): Promise<BootResult> {
    const r = await this.dialect.boot(this, reason);
    this.registration = r.status;
    if (r.status === 'Accepted') {
      if (r.interval > 0) this.heartbeatIntervalS = r.interval;
      this.startHeartbeats();
    }
    return r;
  }

  heartbeat(): Promise<void> {
    return this.dialect.heartbeat(this);
  }

  /** Every connector's current status, as a station reports after booting. */
  announce(): Promise<void> {
    return this.dialect.announce(this);
  }

  statusNotification(connector: number, status: ConnectorStatus): Promise<void> {
    if (connector !== 0 || this.protocol !== '1.6') this.port(connector);
    return this.dialect.status(this, connector, status);
  }

  /** The CSMS's authorization status for the token (Accepted, Invalid, Blocked, …). */
  authorize(idTag: string): Promise<string> {
    return this.dialect.authorize(this, idTag);
  }

  /** Starts a transaction (Authorize, statuses, start message); resolves with its id. */
  async startSession(o: SessionStart): Promise<TxnId> {
    const s = this.claim(o.connector, o.idTag, { meterStartWh: o.meterStartWh });
    if (o.powerW !== undefined) s.powerW = o.powerW;
    await this.launch(s, o.authorize ?? true, o.powerW === undefined ? undefined : o.intervalMs ?? this.meterIntervalMs);
    return s.id;
  }

  /**
   * Reports meter registers of a running transaction. Registers only increase: a lower value
   * is refused here (send one through call() to test how the CSMS treats a forged reading).
   * Negative power means discharging (V2X) and is reported as Power.Active.Export.
   */
  async sendMeterValues(txn: TxnId, energyWh: number, powerW: number, exportWh?: number): Promise<void> {
    const s = this.session(txn);
    const c = this.port(s.connector);
    if (energyWh < c.importWh || (exportWh !== undefined && exportWh < c.exportWh)) {
      throw new RangeError(`energy registers only increase (import ${c.importWh} Wh, export ${c.exportWh} Wh)`);
    }
    c.importWh = energyWh;
    if (exportWh !== undefined) c.exportWh = exportWh;
    s.powerW = powerW;
    s.lastTick = Date.now();
    await this.dialect.meter(this, s, 'Periodic');
  }

  /** Ends a transaction (stop message, then the connector's idle status). */
  stopSession(txn: TxnId, reason: StopReason = 'Local'): Promise<SessionSummary> {
    return this.finish(this.session(txn), reason);
  }

  /** A whole session: start, periodic meter values at the given power, stop after durationMs. */
  async runSession(o: RunSessionOptions): Promise<SessionSummary> {
    const idTag = o.idTag ?? randomIdTag();
    const connector = o.connector ?? this.freeConnector(idTag);
    if (connector === 0) throw new Error('no free connector');
    const s = this.claim(connector, idTag);
    s.powerW = o.powerW ?? this.defaultPowerW;
    const ended = new Promise<SessionSummary | Error>((resolve) => (s.onEnd = resolve));
    await this.launch(s, true, o.intervalMs ?? this.meterIntervalMs);
    // a local signal ends the wait when the session ends first, so no timer outlives it
    const wait = new AbortController();
    const relay = (): void => wait.abort();
    if (o.signal?.aborted) wait.abort();
    o.signal?.addEventListener('abort', relay, { once: true });
    let early: SessionSummary | Error | undefined;
    try {
      early = await Promise.race([pause(o.durationMs, wait.signal).then(() => undefined), ended]);
    } finally {
      wait.abort();
      o.signal?.removeEventListener('abort', relay);
    }
    // Stopped meanwhile by the CSMS (remote stop, reset) or lost with the connection.
    const out = early ?? (s.ending || this.ports[connector - 1]!.session !== s ? await ended : await this.finish(s, o.reason ?? 'Local'));
    if (out instanceof Error) throw out;
    return out;
  }

  /** Raw access: any action the station may send, validated against the schema first. */
  async call(action: string, payload: unknown): Promise<Record<string, unknown>> {
    const ep = this.endpoint;
    const t0 = performance.now();
    this.calls++;
    try {
      if (!ep) throw new CallFailed('Offline', 'the station is not connected');
      const result = await ep.call(action, payload);
      this.o.onCall?.(action, performance.now() - t0, true);
      return result;
    } catch (err) {
      this.errors++;
      this.o.onCall?.(action, performance.now() - t0, false);
      throw err;
    }
  }

  /** Closes the connection for good: timers stop, running sessions are dropped without messages. */
  async close(): Promise<void> {
    this.closing = true;
    this.resetWhenIdle = false;
    this.stopHeartbeats();
    for (let n = 1; n <= this.ports.length; n++) this.unreserve(n);
    this.dropSessions(new Error('station closed'));
    await this.disconnect();
  }

  /** Ids of running transactions. */
  transactions(): TxnId[] {
    return this.ports.flatMap((c) => (c.session && c.session.id !== 0 && c.session.id !== '' ? [c.session.id] : []));
  }

  /** A connector's energy registers (Wh). */
  energy(connector: number): { importWh: number; exportWh: number } {
    const c = this.port(connector);
    return { importWh: c.importWh, exportWh: c.exportWh };
  }

  /** The status last reported for a connector, in the station's own vocabulary. */
  connectorStatus(connector: number): string {
    return this.port(connector).status;
  }

  // ---- for dialects and command tables -------------------------------------------------

  /** @internal the connector's state (1-based); RangeError for unknown connectors */
  port(connector: number): ConnectorState {
    const c = Number.isInteger(connector) ? this.ports[connector - 1] : undefined;
    if (!c) throw new RangeError(`no connector ${connector}`);
    return c;
  }

  /** @internal */
  hasPort(connector: number): boolean {
    return Number.isInteger(connector) && connector >= 1 && connector <= this.ports.length;
  }

  /** @internal the running session with this id */
  session(txn: TxnId): Session {
    const s = this.ports.find((c) => c.session?.id === txn)?.session;
    if (!s) throw new Error(`no transaction ${txn}`);
    return s;
  }

  /** @internal */
  sessions(): Session[] {
    return this.ports.flatMap((c) => (c.session ? [c.session] : []));
  }

  /**
   * @internal first connector that could start a session now, 0 if none: the one reserved for
   * `idTag` if there is one, else one that is not reserved
   */
  freeConnector(idTag?: string): number {
    const reserved = idTag === undefined ? -1 : this.ports.findIndex((c) => !c.session && c.operative && c.reservation && this.entitled(c.reservation, idTag));
    if (reserved >= 0) return reserved + 1;
    return this.ports.findIndex((c) => !c.session && c.operative && !c.reservation) + 1;
  }

  /** @internal whether `idTag` may start on the connector now (it is free, and not reserved for someone else) */
  mayUse(connector: number, idTag: string): boolean {
    const c = this.hasPort(connector) ? this.port(connector) : undefined;
    return !!c && !c.session && c.operative && (!c.reservation || this.entitled(c.reservation, idTag));
  }

  /** @internal holds a reservation on a connector; `expired` runs when it lapses unused */
  reserve(connector: number, r: SimReservation, expired: () => Promise<unknown>): void {
    const c = this.port(connector);
    this.unreserve(connector);
    r.timer = setTimeout(() => {
      if (c.reservation !== r) return;
      c.reservation = undefined;
      this.after(expired);
    }, Math.max(0, r.expiresAt - Date.now()));
    r.timer.unref();
    c.reservation = r;
  }

  /** @internal ends a connector's reservation (used, cancelled or replaced) */
  unreserve(connector: number): SimReservation | undefined {
    const c = this.port(connector);
    const r = c.reservation;
    if (r) clearTimeout(r.timer);
    c.reservation = undefined;
    return r;
  }

  /** @internal the connector holding reservation `id`, 0 if none */
  reservationConnector(id: number): number {
    return this.ports.findIndex((c) => c.reservation?.id === id) + 1;
  }

  /** the reservation held on a connector (id, token, expiry), if any */
  reservation(connector: number): { id: number; idTag: string; expiresAt: number } | undefined {
    const r = this.port(connector).reservation;
    return r && { id: r.id, idTag: r.idTag, expiresAt: r.expiresAt };
  }

  /** The reserved token itself, or a token of the reservation's group according to the local list. */
  private entitled(r: SimReservation, idTag: string): boolean {
    if (r.idTag === idTag) return true;
    return r.groupIdTag !== undefined && this.localList.entries.get(idTag)?.groupIdTag === r.groupIdTag;
  }

  /**
   * @internal Reserves a connector for a new session, synchronously so that two remote starts
   * cannot both get it.
   */
  claim(connector: number, idTag: string, extra: { meterStartWh?: number; remoteStartId?: number; tokenType?: string } = {}): Session {
    const c = this.port(connector);
    if (c.session) throw new Error(`connector ${connector} is busy`);
    if (!c.operative) throw new Error(`connector ${connector} is unavailable`);
    if (c.reservation && !this.entitled(c.reservation, idTag)) throw new Error(`connector ${connector} is reserved for another token`);
    // starting with the reserved token uses the reservation up; the start message quotes it
    const reservationId = this.unreserve(connector)?.id;
    if (extra.meterStartWh !== undefined) {
      if (extra.meterStartWh < c.importWh) throw new RangeError(`meter register is already at ${c.importWh} Wh`);
      c.importWh = extra.meterStartWh;
    }
    const now = Date.now();
    const s: Session = {
      id: this.protocol === '1.6' ? 0 : '', connector, idTag, tokenType: extra.tokenType ?? 'ISO14443',
      seqNo: 0, meterStartWh: Math.round(c.importWh), startedAt: now, powerW: 0, lastTick: now,
    };
    if (extra.remoteStartId !== undefined) s.remoteStartId = extra.remoteStartId;
    if (reservationId !== undefined) s.reservationId = reservationId;
    c.session = s;
    return s;
  }

  /** @internal runs the start sequence of a claimed session; meters it every intervalMs if given */
  async launch(s: Session, authorize: boolean, intervalMs: number | undefined): Promise<void> {
    const c = this.port(s.connector);
    try {
      await this.dialect.begin(this, s, authorize);
    } catch (err) {
      // The CSMS knows the transaction but refused the token: end it properly.
      if (err instanceof SessionRefused && s.id !== 0 && s.id !== '') {
        await this.finish(s, 'DeAuthorized');
        throw err;
      }
      if (c.session === s) c.session = undefined;
      if (err instanceof SessionRefused && c.status !== 'Available' && this.connected) {
        await this.dialect.status(this, s.connector, 'Available');
      }
      s.onEnd?.(err as Error);
      throw err;
    }
    if (intervalMs !== undefined && intervalMs > 0) this.meterEvery(s, intervalMs);
  }

  /** @internal ends a session: stop message, pending availability, idle status, pending reset */
  async finish(s: Session, reason: StopReason): Promise<SessionSummary> {
    if (s.ending) throw new Error(`transaction ${s.id} is already ending`);
    s.ending = true;
    this.integrate(s);
    clearInterval(s.timer);
    s.timer = undefined;
    const c = this.port(s.connector);
    try {
      await this.dialect.end(this, s, reason);
    } catch (err) {
      this.release(s, c);
      s.onEnd?.(err as Error);
      throw err;
    }
    this.release(s, c);
    const summary: SessionSummary = {
      transactionId: s.id, connector: s.connector, meterStartWh: s.meterStartWh,
      meterStopWh: Math.round(c.importWh), exportWh: Math.round(c.exportWh), durationMs: Date.now() - s.startedAt,
    };
    s.onEnd?.(summary);
    await this.dialect.status(this, s.connector, c.operative ? 'Available' : 'Unavailable');
    if (this.resetWhenIdle && this.sessions().length === 0) {
      this.resetWhenIdle = false;
      this.after(() => this.reboot('Reboot'));
    }
    return summary;
  }

  /**
   * @internal ChangeAvailability on some connectors: applied now where idle, scheduled for the
   * end of the session where one runs. Returns the connectors whose availability changed now.
   */
  setAvailability(connectors: readonly number[], operative: boolean): { changed: number[]; scheduled: boolean } {
    const changed: number[] = [];
    let scheduled = false;
    for (const n of connectors) {
      const c = this.port(n);
      if (c.session && !operative) {
        c.pendingOperative = false;
        scheduled = true;
      } else {
        c.pendingOperative = undefined;
        if (c.operative !== operative) {
          c.operative = operative;
          changed.push(n);
        }
      }
    }
    return { changed, scheduled };
  }

  /** @internal Reset: end sessions, drop the connection, come back after a pause and boot. */
  async reboot(reason: StopReason): Promise<void> {
    if (this.rebooting || this.closing) return;
    this.rebooting = true;
    try {
      for (const s of this.sessions()) {
        if (!s.ending) await this.finish(s, reason).catch((err: unknown) => this.failed(err));
      }
      this.stopHeartbeats();
      await this.disconnect();
      this.dropSessions(new Error('station rebooted'));
      await pause(this.behaviour.rebootDelayMs ?? 500);
      await this.reconnect('RemoteReset');
    } finally {
      this.rebooting = false;
    }
  }

  /** @internal a Reset that waits for the running sessions to end */
  resetOnIdle(): void {
    this.resetWhenIdle = true;
  }

  /** @internal */
  setHeartbeatInterval(seconds: number): void {
    this.heartbeatIntervalS = seconds;
    if (this.beat) this.startHeartbeats();
  }

  /** @internal a new sampling interval also applies to the sessions running now */
  setMeterInterval(ms: number): void {
    this.meterIntervalMs = ms;
    for (const s of this.sessions()) {
      if (s.timer) {
        clearInterval(s.timer);
        s.timer = undefined;
        if (ms > 0) this.meterEvery(s, ms);
      }
    }
  }

  /** @internal password rotation: used from the next connection on */
  setPassword(password: string): void {
    this.secret = password;
  }

  /** @internal */
  get hasPassword(): boolean {
    return this.secret !== undefined;
  }

  /** @internal the current value of a setting of this station's table */
  setting(path: string, evse = 0): string | undefined {
    return this.dialect.settings.get(path)?.get(this, evse);
  }

  /** @internal only changed values are stored */
  storedSetting(path: string): string | undefined {
    return this.overrides?.get(path);
  }

  /** @internal */
  storeSetting(path: string, value: string): void {
    (this.overrides ??= new Map()).set(path, value);
  }

  /** @internal runs a follow-up once the current answer is on the wire; failures are counted */
  after(task: () => Promise<unknown>): void {
    setImmediate(() => {
      task().catch((err: unknown) => this.failed(err));
    });
  }

  // ---- connection ----------------------------------------------------------------------

  private dial(): Promise<void> {
    if (this.ws) return Promise.reject(new ConnectError('already connected'));
    const headers: Record<string, string> = {};
    if (this.secret !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${this.identity}:${this.secret}`).toString('base64')}`;
    }
    const target = `${this.o.url.replace(/\/+$/, '')}/${encodeURIComponent(this.identity)}`;
    return new Promise((resolve, reject) => {
      // No compression: it costs tens of KiB per socket, too much for thousands of stations.
      const ws = new WebSocket(target, this.dialect.subprotocol, {
        headers, perMessageDeflate: false, handshakeTimeout: this.o.callTimeoutMs ?? 30_000, maxPayload: 4 << 20,
        ...(this.o.localAddress !== undefined && { localAddress: this.o.localAddress }),
        ...this.o.tls,
      });
      let refused: ConnectError | undefined;
      ws.once('unexpected-response', (_req, res) => {
        refused = new ConnectError(`upgrade refused: HTTP ${res.statusCode ?? '?'}`, res.statusCode);
        res.resume();
        ws.terminate();
      });
      ws.on('error', (err) => {
        // before the upgrade completed this fails the connect; afterwards 'close' follows
        if (this.ws === ws) this.log.debug({ err, identity: this.identity }, 'socket error');
        else reject(refused ?? new ConnectError(err.message));
      });
      ws.once('open', () => {
        if (ws.protocol !== this.dialect.subprotocol || this.closing) {
          ws.terminate();
          reject(new ConnectError(this.closing ? 'station closed' : `CSMS did not select ${this.dialect.subprotocol}`));
          return;
        }
        this.attach(ws);
        resolve();
      });
    });
  }

  private attach(ws: WebSocket): void {
    this.ws = ws;
    this.endpoint = new RpcEndpoint<SimulatedStation>(ws, {
      protocol: protocolOf(this.dialect.subprotocol),
      role: 'station',
      handlers: this.dialect.handlers,
      context: this,
      callTimeoutMs: this.o.callTimeoutMs ?? 30_000,
      maxJsonDepth: settings.maxJsonDepth.default,
      // a silent station keeps every CALL unanswered; let them wait rather than refuse them
      ...(this.behaviour.silent ? { maxInboundQueue: 1000 } : {}),
      log: this.log,
    });
    ws.once('close', (code) => this.detached(ws, code));
  }

  private detached(ws: WebSocket, code: number): void {
    if (this.ws !== ws) return;
    this.ws = undefined;
    this.endpoint = undefined;
    this.stopHeartbeats();
    if (this.closing || this.rebooting) return;
    this.log.info({ identity: this.identity, code }, 'connection lost');
    if (this.behaviour.reconnect) {
      // A station keeps its transactions through a connection loss and does not boot again.
      this.after(async () => {
        await pause(this.behaviour.rebootDelayMs ?? 500);
        await this.reconnect(undefined);
      });
    } else {
      this.dropSessions(new Error('connection lost'));
    }
  }

  private async reconnect(bootReason: BootReason | undefined): Promise<void> {
    let delay = this.behaviour.rebootDelayMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      if (this.closing) return;
      try {
        await this.dial();
        break;
      } catch (err) {
        if (attempt >= RECONNECT_ATTEMPTS || this.closing) throw err;
        await pause(delay);
        delay = Math.min(delay * 2, 30_000);
      }
    }
    if (bootReason) {
      if ((await this.boot(bootReason)).status === 'Accepted') await this.announce();
    } else if (this.registration === 'Accepted') {
      this.startHeartbeats();
    }
  }

  private disconnect(): Promise<void> {
    const ws = this.ws;
    if (!ws) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => ws.terminate(), CLOSE_WAIT_MS);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.close(1000);
    });
  }

  private startHeartbeats(): void {
    this.stopHeartbeats();
    if (this.behaviour.heartbeats === false || !this.endpoint) return;
    this.beat = setInterval(() => {
      this.dialect.heartbeat(this).catch((err: unknown) => this.failed(err));
    }, this.heartbeatIntervalS * 1000);
    this.beat.unref();
  }

  private stopHeartbeats(): void {
    clearInterval(this.beat);
    this.beat = undefined;
  }

  private meterEvery(s: Session, ms: number): void {
    s.lastTick = Date.now();
    s.timer = setInterval(() => {
      this.integrate(s);
      if (s.sampling || s.ending) return;
      s.sampling = true;
      this.dialect.meter(this, s, 'Periodic')
        .catch((err: unknown) => this.failed(err))
        .finally(() => (s.sampling = false));
    }, ms);
    s.timer.unref();
  }

  /** Adds the energy of an auto-metered session since its last sample to the registers. */
  private integrate(s: Session): void {
    if (!s.timer) return;
    const now = Date.now();
    const wh = (Math.abs(s.powerW) * (now - s.lastTick)) / 3_600_000;
    s.lastTick = now;
    const c = this.port(s.connector);
    if (s.powerW >= 0) c.importWh += wh;
    else c.exportWh += wh;
  }

  private release(s: Session, c: ConnectorState): void {
    if (c.session === s) c.session = undefined;
    if (c.pendingOperative !== undefined) {
      c.operative = c.pendingOperative;
      c.pendingOperative = undefined;
    }
  }

  private dropSessions(why: Error): void {
    for (const c of this.ports) {
      const s = c.session;
      if (!s) continue;
      clearInterval(s.timer);
      c.session = undefined;
      s.onEnd?.(why);
    }
  }

  private failed(err: unknown): void {
    // failed calls were counted by call(), a refused token is the CSMS's right; anything else
    // is a fault of the simulation itself
    if (!(err instanceof CallFailed) && !(err instanceof SessionRefused)) this.errors++;
    this.log.debug({ err, identity: this.identity }, 'station task failed');
  }
}
