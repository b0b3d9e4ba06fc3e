import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { InProcessCommandBus, StationLink } from '../../bus/command-bus.js';
import type { CommandResult, StationCommand } from '../../domain/commands.js';
import type { DomainServices } from '../../domain/services.js';
import type { DomainEvent } from '../../domain/events.js';
import type { Logger } from '../../log/logger.js';
import type { Station } from '../../store/schema.js';
import { executeCommand, type Adapter, type Handlers, type StationContext } from '../adapter.js';
import { negotiate, protocol, type OcppVersion } from '../protocols.js';
import { RpcError } from '../rpc/errors.js';
import { RpcEndpoint, type EndpointOptions, type RpcObserver } from '../rpc/endpoint.js';
import { v16Adapter } from '../v16/index.js';
import { v201Adapter } from '../v201/index.js';
import { basicCredentials, identityFromPath, offeredSubprotocols, refuseUpgrade } from './upgrade.js';
import type { X509Certificate } from 'node:crypto';
import { BlockList } from 'node:net';
import { noRevocations, type RevocationCheck } from '../../domain/pki/revocation.js';
import { connectionProfile, type SecurityProfile } from '../../domain/stations/security-profile.js';
import { verifyClientCertificate } from './client-cert.js';
import { peerOf, type Peer, type ProxyTrust } from './peer.js';
import type { PerimeterGate } from '../../security/perimeter/gate.js';
import { callErrorsTotal, connectionsTotal, countConnectedStations, framesTotal } from '../../metrics/registry.js';
import { rpcErrorKinds } from '../rpc/errors.js';
import type { IdsTap } from '../../security/ids/tap.js';
import { watchStalls } from './stall-watch.js';

export interface OcppServerOptions {
  path: string;
  maxFrameBytes: number;
  maxJsonDepth: number;
  callTimeoutMs: number;
  handshakeTimeoutMs: number;
  /** seconds between pings; 0 disables liveness checks */
  pingIntervalS: number;
  services: DomainServices;
  bus: InProcessCommandBus;
  log: Logger;
  /** security profiles 2/3: client-certificate checks and proxy trust; absent = no certificates, no proxies */
  transportSecurity?: TransportSecurity;
  /** block lists and per-address limits at the upgrade (issue 7); absent = none */
  perimeter?: PerimeterGate;
  /** commands waiting per station before further ones fail with QueueFull; default the endpoint's */
  maxPendingCalls?: number;
  /** the intrusion detection engine's tap; absent = no IDS, and no cost on the hot path */
  ids?: IdsTap;
}

/** CALLERROR codes of either version as metric labels; anything else a station sends counts as 'other'. */
const wireErrorCodes = new Set<string>([...rpcErrorKinds, 'FormationViolation', 'OccurenceConstraintViolation']);

export interface TransportSecurity {
  /** the CPO roots client certificates must chain to; a function, as the files are reloaded */
  clientRoots(): readonly X509Certificate[];
  /** the O a client certificate must carry; undefined = not checked */
  organization?: string;
  revocation: RevocationCheck;
  proxy: ProxyTrust;
}

const noTransportSecurity: TransportSecurity = { clientRoots: () => [], revocation: noRevocations, proxy: { proxies: new BlockList() } };

/**
 * One connected station: its handler context, its command link on the bus and its liveness, in
 * one object, because a process holds tens of thousands of them.
 */
class Connection implements StationContext, StationLink {
  alive = true;
  readonly endpoint: RpcEndpoint<StationContext>;

  constructor(
    readonly ws: WebSocket,
    readonly stationId: string,
    readonly remoteAddress: string,
    readonly securityProfile: SecurityProfile,
    readonly services: DomainServices,
    public registration: Station['registrationStatus'],
    private readonly adapter: Adapter & { gated: Handlers },
    endpoint: Omit<EndpointOptions<StationContext>, 'protocol' | 'role' | 'handlers' | 'context'>,
  ) {
    this.endpoint = new RpcEndpoint<StationContext>(ws, { ...endpoint, protocol: protocol(adapter.version), role: 'csms', handlers: adapter.gated, context: this });
  }

  get protocol(): OcppVersion {
    return this.adapter.version;
  }

  execute(command: StationCommand, timeoutMs?: number): Promise<CommandResult> {
    return executeCommand(this.adapter, command, (action, payload) => this.endpoint.call(action, payload, timeoutMs));
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }
}

/** Only an Accepted station may send more than BootNotification (OCPP 1.6 §4.2, 2.0.1 B02/B03). */
function gateByRegistration(handlers: Handlers): Handlers {
  return new Map([...handlers].map(([action, handle]) => [
    action,
    action === 'BootNotification' ? handle : (payload: never, ctx: StationContext, a: string) => {
      if (ctx.registration !== 'Accepted') throw new RpcError('SecurityError', `station is ${ctx.registration}: only BootNotification is allowed`);
      return handle(payload, ctx, a);
    },
  ]));
}

const adapters: Record<OcppVersion, Adapter & { gated: Handlers }> = {
  'ocpp1.6': { ...v16Adapter, gated: gateByRegistration(v16Adapter.handlers) },
  'ocpp2.0.1': { ...v201Adapter, gated: gateByRegistration(v201Adapter.handlers) },
};

/** The verified client certificate a station connected with (shown in its diagnostics). */
type PresentedCertificate = NonNullable<Extract<DomainEvent, { type: 'station.connected' }>['clientCertificate']>;

/** Liveness ticks per ping interval. */
const LIVENESS_SLICES = 10;

const securityEventOfRefusal = {
  UnknownStation: { severity: 'warning', status: 404, message: 'unknown station' },
  MissingCredentials: { severity: 'warning', status: 401, message: 'authentication required' },
  InvalidCredentials: { severity: 'high', status: 401, message: 'authentication failed' },
  IdentityMismatch: { severity: 'high', status: 401, message: 'authentication failed' },
  // security profiles 2/3: refused alike, the reason stays in the security log
  SecurityProfileDowngrade: { severity: 'high', status: 403, message: 'forbidden' },
  ClientCertificateRejected: { severity: 'high', status: 403, message: 'forbidden' },
  // taken out of service by an operator: a device still trying is worth a look, not an alarm
  Decommissioned: { severity: 'warning', status: 403, message: 'forbidden' },
} as const;

/**
 * The OCPP-J WebSocket endpoint `<path>/<stationId>` on an HTTP(S) server: everything is
 * decided at the upgrade (path, identity, subprotocol, credentials) so a refused client never
 * gets a WebSocket.
 */
export class OcppServer {
  private readonly wss: WebSocketServer;
  private readonly connections = new Map<string, Connection>();
  private pingTimer: NodeJS.Timeout | undefined;
  private livenessRound: Connection[] = [];
  private livenessCursor = 0;
  /** shared by every connection: the endpoint passes the connection as context */
  private readonly observer: RpcObserver<StationContext> = {
    message: (direction, type, action, code) => {
      framesTotal.inc({ direction, type, action });
      if (code !== undefined) callErrorsTotal.inc({ direction, code: wireErrorCodes.has(code) ? code : 'other' });
    },
    frameIn: (bytes, ctx) => {
      this.o.services.stations.touch(ctx.stationId);
      this.o.ids?.frameIn(ctx.stationId, bytes);
    },
    violation: (kind, detail, ctx) => {
      this.o.log.info({ station: ctx.stationId, violation: kind, detail }, 'protocol violation');
      this.o.ids?.violation(ctx.stationId, kind, detail);
    },
    callIn: (id, action, payload, ctx) => this.o.ids?.callIn(ctx.stationId, id, action, payload),
    delayMs: (ctx) => this.o.ids?.delayMs(ctx.stationId) ?? 0,
  };
  /** the client address behind a trusted proxy (X-Forwarded-For) of each admitted socket */
  private readonly clientIps = new WeakMap<WebSocket, string>();
  private draining = false;

  /**
   * Closes (1008) the connections of stations or client addresses that are blocked now: a block
   * applies to who is connected, not only to who connects next. Returns how many were closed.
   */
  dropBlocked(isBlocked: (kind: 'ip' | 'identity', value: string) => boolean): number {
    let closed = 0;
    for (const c of this.connections.values()) {
      const ip = this.clientIps.get(c.ws) ?? c.remoteAddress;
      if (!isBlocked('identity', c.stationId) && !isBlocked('ip', ip)) continue;
      this.o.log.info({ station: c.stationId, source: { ip } }, 'closing a blocked station\'s connection');
      c.ws.close(1008, 'blocked');
      closed++;
    }
    return closed;
  }

  /** stops counting this server's stations in the metrics (close) */
  private readonly uncount = countConnectedStations(() => {
    const by = new Map<string, number>([['ocpp1.6', 0], ['ocpp2.0.1', 0]]);
    for (const c of this.connections.values()) by.set(c.protocol, (by.get(c.protocol) ?? 0) + 1);
    return by;
  });

  /** stops listening for decommissionings (close) */
  private readonly unsubscribe: () => void;

  constructor(private readonly o: OcppServerOptions) {
    // a decommissioned station loses its socket at once; the upgrade refuses it from then on
    this.unsubscribe = o.services.events.subscribe((e) => {
      if (e.type === 'station.decommissioned') this.connections.get(e.stationId)?.ws.close(1008, 'station decommissioned');
    });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: o.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (offered) => negotiate(offered) ?? false,
    });
  }

  /** Serves the upgrades of a listener; call once per listener (plain and TLS). */
  attach(server: HttpServer | HttpsServer): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      this.upgrade(req, socket, head).catch((err: unknown) => {
        this.o.log.error({ err }, 'upgrade failed');
        refuseUpgrade(socket, 500, 'internal error');
      });
    });
    const ids = this.o.ids;
    // the IDS hears of sockets that never get as far as an upgrade (slowloris, TLS handshakes left hanging)
    if (ids) watchStalls(server, this.o.handshakeTimeoutMs, (this.o.transportSecurity ?? noTransportSecurity).proxy.proxies, (ip, stage) => ids.handshakeStalled(ip, stage));
    if (this.o.pingIntervalS > 0 && !this.pingTimer) {
      this.pingTimer = setInterval(() => this.checkLiveness(), (this.o.pingIntervalS * 1000) / LIVENESS_SLICES);
      this.pingTimer.unref();
    }
  }

  /** Closes a station's socket with 1008 (policy violation): the IDS disconnect response. */
  disconnect(stationId: string, reason: string): boolean {
    const c = this.connections.get(stationId);
    if (!c) return false;
    c.ws.close(1008, reason.slice(0, 120));
    return true;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** true from the start of a graceful shutdown: new stations are refused, readiness fails */
  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Graceful shutdown: refuses new upgrades (503) and closes each station with 1012 (service
   * restart) as soon as its CALLs in flight are answered and our calls to it settled — at the
   * latest after timeoutMs — so it reconnects, to another node behind a load balancer. Returns
   * how many stations were closed and how many of them still had calls pending.
   */
  async drain(timeoutMs: number): Promise<{ stations: number; cutOff: number }> {
    this.draining = true;
    let cutOff = 0;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), timeoutMs); });
    const conns = [...this.connections.values()];
    await Promise.all(conns.map(async (c) => {
      if (await Promise.race([c.endpoint.idle().then(() => 'idle' as const), deadline]) === 'late') cutOff++;
      await closeSocket(c.ws, 1012, 'service restart');
    }));
    clearTimeout(timer);
    return { stations: conns.length, cutOff };
  }

  /** Closes every station connection (1001 going away) and stops liveness checks. */
  async close(): Promise<void> {
    this.draining = true;
    clearInterval(this.pingTimer);
    this.unsubscribe();
    this.uncount();
    await Promise.all([...this.connections.values()].map((c) => closeSocket(c.ws, 1001, 'server shutting down')));
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const security = this.o.transportSecurity ?? noTransportSecurity;
    const peer = peerOf(req, security.proxy);
    const remote = peer.address;
    // a draining node takes no new stations: they retry, and a load balancer sends them elsewhere
    if (this.draining) return refuseUpgrade(socket, 503, 'service restarting');
    const target = identityFromPath(req.url, this.o.path);
    this.o.ids?.connectionAttempt(remote, target.ok ? target.identity : '');
    if (!target.ok) return refuseUpgrade(socket, target.status, target.message);
    const stationId = target.identity;
    // blocks and per-address limits first: a refused or flooding client costs no database work
    const admission = await this.o.perimeter?.admit(req, stationId);
    if (admission && !admission.ok) return refuseUpgrade(socket, admission.status, admission.message);
    if (admission) socket.once('close', admission.release);
    // the admission may have waited on Redis: a socket gone meanwhile emits no more 'close'
    if (admission && socket.destroyed) return admission.release();
    const version = negotiate(offeredSubprotocols(req));
    if (!version) {
      this.o.log.info({ station: stationId, source: { ip: remote } }, 'refused: no supported OCPP subprotocol offered');
      return refuseUpgrade(socket, 400, 'no supported subprotocol: offer ocpp2.0.1 or ocpp1.6');
    }
    const refuse = (type: keyof typeof securityEventOfRefusal, details: Record<string, unknown>): void => {
      const r = securityEventOfRefusal[type];
      connectionsTotal.inc({ result: 'refused', reason: type });
      this.o.ids?.handshakeRefused(remote, stationId, type, details);
      void this.o.services.security.record({ stationId, type, severity: r.severity, sourceIp: remote, details: { protocol: version, ...details } });
      refuseUpgrade(socket, r.status, r.message, r.status === 401 ? { 'WWW-Authenticate': 'Basic realm="OCPP", charset="UTF-8"' } : {});
    };
    // The admission queries are asynchronous; a client that stalls here is cut off.
    const stall = setTimeout(() => socket.destroy(), this.o.handshakeTimeoutMs);
    const decision = await this.authenticate(req, peer, stationId, security).finally(() => clearTimeout(stall));
    if (!decision.ok) return refuse(decision.type, decision.details);
    if (socket.destroyed) return;
    if (this.draining) return refuseUpgrade(socket, 503, 'service restarting');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (admission) this.clientIps.set(ws, admission.clientIp);
      this.connected(ws, decision.station, version, remote, decision.profile, decision.certificate);
    });
  }

  /**
   * Who the peer is and with which security profile: a client certificate (profile 3) or HTTP
   * Basic, over TLS (profile 2) or not (profile 1), never weaker than the station's configured profile.
   */
  private async authenticate(req: IncomingMessage, peer: Peer, stationId: string, security: TransportSecurity): Promise<
    | { ok: true; station: Station; profile: SecurityProfile; certificate?: PresentedCertificate }
    | { ok: false; type: keyof typeof securityEventOfRefusal; details: Record<string, unknown> }
  > {
    // a client certificate only a trusted proxy may vouch for: ignored, and worth recording
    if (peer.untrustedHeader) {
      void this.o.services.security.record({ stationId, type: 'UntrustedClientCertHeader', severity: 'high', sourceIp: peer.address, details: { header: security.proxy.certificateHeader } });
    }
    let certified = false;
    let certificate: PresentedCertificate | undefined;
    if (peer.certificate === 'unparsable') return { ok: false, type: 'ClientCertificateRejected', details: { reason: 'Malformed' } };
    if (peer.certificate) {
      const verdict = await verifyClientCertificate(peer.certificate, stationId, { roots: security.clientRoots(), organization: security.organization, revocation: security.revocation });
      // a certificate presented and refused is refused whatever the station's profile: it claims an identity it cannot prove
      if (!verdict.ok) return { ok: false, type: 'ClientCertificateRejected', details: { reason: verdict.reason, subject: verdict.subject, serial: verdict.serial } };
      certified = true;
      certificate = { subject: verdict.subject, serialNumber: verdict.serial, notAfter: new Date(peer.certificate[0]!.validTo).toISOString() };
    }
    const admission = await this.o.services.stations.admit(stationId, basicCredentials(req), { certified });
    if (!admission.admitted) return { ok: false, type: admission.reason, details: {} };
    const profile = connectionProfile(admission.station.securityProfile, { tls: peer.tls, certified });
    if (!profile.ok) return { ok: false, type: 'SecurityProfileDowngrade', details: { configured: profile.configured, actual: profile.actual } };
    return { ok: true, station: admission.station, profile: profile.actual, ...(certificate && { certificate }) };
  }

  private connected(ws: WebSocket, station: Station, version: OcppVersion, remote: string, securityProfile: SecurityProfile, certificate?: PresentedCertificate): void {
    const { services, bus, log } = this.o;
    const stationId = station.id;
    const conn = new Connection(ws, stationId, remote, securityProfile, services, station.registrationStatus, adapters[version], {
      callTimeoutMs: this.o.callTimeoutMs, maxJsonDepth: this.o.maxJsonDepth, log, observer: this.observer,
      ...(this.o.maxPendingCalls !== undefined && { maxOutboundQueue: this.o.maxPendingCalls }),
    });
    connectionsTotal.inc({ result: 'accepted', reason: '' });
    const previous = this.connections.get(stationId);
    this.connections.set(stationId, conn);
    this.o.ids?.connected(stationId, remote);
    bus.register(conn);
    if (previous) {
      previous.ws.close(1000, 'replaced by a new connection');
      void services.security.record({ stationId, type: 'DuplicateConnection', severity: 'warning', sourceIp: remote, details: { previousAddress: previous.remoteAddress } });
    }

    ws.on('pong', () => { conn.alive = true; });
    ws.on('error', (err) => log.debug({ err, station: stationId }, 'socket error'));
    // ws closes the socket (1009) on a message above maxPayload: the IDS counts it against the identity
    ws.on('error', (err: Error & { code?: string }) => { if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.o.ids?.oversizedFrame(stationId, remote); });
    ws.on('close', (code) => {
      conn.endpoint.shutdown();
      bus.unregister(conn);
      if (this.connections.get(stationId) === conn) {
        this.o.ids?.disconnected(stationId);
        this.connections.delete(stationId);
        services.transactions.forget(stationId);
      }
      services.events.emit({ type: 'station.disconnected', stationId, code });
    });
    services.stations.touch(stationId);
    services.events.emit({ type: 'station.connected', stationId, protocol: version, remoteAddress: remote, securityProfile, ...(certificate && { clientCertificate: certificate }) });
    log.info({ station: stationId, protocol: version, securityProfile, source: { ip: remote } }, 'station connected');
  }

  /**
   * Each tick handles one slice of the connections, so every socket is pinged once per interval
   * without a burst of thousands of pings at once. A socket that has not answered its previous
   * ping by its next turn is dead: drop it.
   */
  private checkLiveness(): void {
    if (this.livenessCursor >= this.livenessRound.length) {
      this.livenessRound = [...this.connections.values()];
      this.livenessCursor = 0;
    }
    const end = Math.min(this.livenessRound.length, this.livenessCursor + Math.ceil(this.livenessRound.length / LIVENESS_SLICES));
    for (; this.livenessCursor < end; this.livenessCursor++) {
      const c = this.livenessRound[this.livenessCursor]!;
      if (c.ws.readyState !== 1) continue;
      if (!c.alive) {
        this.o.log.info({ station: c.stationId }, 'no pong: closing dead socket');
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }
}

/** Closes a socket with a code; one that does not finish the closing handshake within 2 s is cut. */
function closeSocket(ws: WebSocket, code: number, reason: string): Promise<void> {
  if (ws.readyState === 3) return Promise.resolve();
  return new Promise<void>((resolve) => {
    ws.once('close', () => resolve());
    ws.close(code, reason);
    setTimeout(() => { ws.terminate(); resolve(); }, 2000).unref();
  });
}
