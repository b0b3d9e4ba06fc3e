import { randomBytes } from 'node:crypto';
import { InProcessCommandBus, type StationLink } from '../bus/command-bus.js';
import type { CommandResult, StationCommand } from '../domain/commands.js';
import type { Logger } from '../log/logger.js';
import { CallFailed, type CallFailureReason } from '../ocpp/rpc/call-failed.js';
import { Presence, type Owner } from './presence.js';
import type { ClusterLink } from './connect.js';

export interface ClusterBusOptions {
  /** the commands' own call timeout (ms): a remote call waits this long plus `marginMs` */
  callTimeoutMs: number;
  /** presence / heartbeat TTL (ms); renewed every third of it */
  ttlMs?: number;
  marginMs?: number;
  /** how often (ms) the owners of pending remote calls are checked for being alive */
  watchMs?: number;
}

/** A link the cluster holds: its claim's epoch once Redis answered. */
interface Held {
  link: StationLink;
  profile: number;
  epoch?: number;
  claimed: Promise<number | undefined>;
  /** the highest epoch another node claimed while our claim was in flight */
  supersededBy?: number;
}

interface Pending {
  owner: string;
  stationId: string;
  resolve(r: CommandResult): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

type Request = { id: string; from: string; stationId: string; command: StationCommand; timeoutMs?: number };
type Reply = { id: string; ok: true; result: CommandResult } | { id: string; ok: false; reason?: CallFailureReason; message: string; callError?: CallFailed['callError']; response?: Record<string, unknown> };
type Control = { t: 'claim'; s: string; n: string; e: number; p: number } | { t: 'release'; s: string; n: string };

/** "moved/offline": the one wording callers see whenever the owning node is gone or changed */
const moved = (stationId: string, why: string): CallFailed => new CallFailed('Offline', `station ${stationId} moved/offline: ${why}`);

/**
 * The command bus of a cluster node: stations whose socket is here are served in-process
 * (the base class); a command for a station on another node is published on that node's
 * request channel and answered on ours, matched by a random correlation id. Pub/sub (not
 * streams): a request to a node that is gone must fail, not wait to be replayed (ADR 0010).
 */
export class ClusterCommandBus extends InProcessCommandBus {
  readonly nodeId: string;
  private readonly presence: Presence;
  private readonly held = new Map<string, Held>();
  /** stations on other nodes, as claims and releases announced them (isConnected is synchronous) */
  private readonly remote = new Map<string, Owner>();
  private readonly pending = new Map<string, Pending>();
  private readonly ttlMs: number;
  private readonly marginMs: number;
  private renewTimer?: NodeJS.Timeout;
  private watchTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly r: ClusterLink, private readonly log: Logger, private readonly o: ClusterBusOptions) {
    super();
    this.nodeId = r.nodeId;
    this.ttlMs = o.ttlMs ?? 15_000;
    this.marginMs = o.marginMs ?? 5_000;
    this.presence = new Presence(r, this.nodeId, this.ttlMs);
  }

  private channel(node: string, kind: 'req' | 'rep'): string {
    return this.r.key('node', node, kind);
  }

  /** Subscribes to our channels and the control channel, learns the current presence, starts the renewal. */
  async start(): Promise<void> {
    this.r.subscriber.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    await this.r.subscriber.subscribe(this.channel(this.nodeId, 'req'), this.channel(this.nodeId, 'rep'), this.presence.controlChannel);
    for (const [id, owner] of await this.presence.all()) if (owner.node !== this.nodeId) this.remote.set(id, owner);
    await this.renew();
    this.renewTimer = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.ttlMs / 3)));
    this.renewTimer.unref();
    this.watchTimer = setInterval(() => void this.watchOwners(), this.o.watchMs ?? 1000);
    this.watchTimer.unref();
    this.log.info({ node: this.nodeId }, 'cluster: node joined');
  }

  override register(link: StationLink): void {
    super.register(link);
    this.remote.delete(link.stationId);
    const profile = link.securityProfile ?? 1;
    const h: Held = { link, profile, claimed: Promise.resolve(undefined) };
    h.claimed = this.presence.claim(link.stationId, profile).then((epoch) => {
      h.epoch = epoch;
      // another node took the station while our claim was on its way: ours is the stale socket
      if ((h.supersededBy ?? 0) > epoch) this.drop(h, 'station moved to another node');
      return epoch;
    }, (err: unknown) => {
      this.log.warn({ err: { message: (err as Error).message }, station: link.stationId }, 'cluster: presence claim failed (renewal retries)');
      return undefined;
    });
    this.held.set(link.stationId, h);
  }

  override unregister(link: StationLink): void {
    super.unregister(link);
    const h = this.held.get(link.stationId);
    if (h?.link !== link) return;
    this.held.delete(link.stationId);
    void h.claimed.then((epoch) => epoch === undefined || this.closed ? undefined : this.presence.release(link.stationId, epoch, h.profile))
      .catch((err: unknown) => this.log.warn({ err: { message: (err as Error).message }, station: link.stationId }, 'cluster: presence release failed (the TTL ends it)'));
  }

  override isConnected(stationId: string): boolean {
    return super.isConnected(stationId) || this.remote.has(stationId);
  }

  override connectionProfile(stationId: string): number | undefined {
    return super.connectionProfile(stationId) ?? this.remote.get(stationId)?.profile;
  }

  /** connected to another node, as far as this node has heard */
  isRemote(stationId: string): boolean {
    return this.remote.has(stationId);
  }

  /** Closes the local socket of a station, if it is here (an operator's action on another node). */
  closeLocal(stationId: string, code: number, reason: string): boolean {
    const h = this.held.get(stationId);
    h?.link.close?.(code, reason);
    return h !== undefined;
  }

  /** stations connected to this node */
  get localStations(): string[] {
    return [...this.held.keys()];
  }

  override async send(stationId: string, command: StationCommand, timeoutMs?: number): Promise<CommandResult> {
    if (super.isConnected(stationId)) return super.send(stationId, command, timeoutMs);
    const owner = await this.presence.owner(stationId);
    if (!owner) throw new CallFailed('Offline', `station ${stationId} is not connected`);
    if (owner.node === this.nodeId) throw moved(stationId, 'its connection to this node just closed');
    const id = randomBytes(12).toString('hex');
    const request: Request = { id, from: this.nodeId, stationId, command, ...(timeoutMs !== undefined && { timeoutMs }) };
    return new Promise<CommandResult>((resolve, reject) => {
      const wait = (timeoutMs ?? this.o.callTimeoutMs) + this.marginMs;
      const timer = setTimeout(() => this.settle(id, new CallFailed('Timeout', `no answer from node ${owner.node} for station ${stationId} within ${wait} ms`)), wait);
      this.pending.set(id, { owner: owner.node, stationId, resolve, reject, timer });
      this.r.client.publish(this.channel(owner.node, 'req'), JSON.stringify(request)).then((receivers) => {
        // nobody listens on the owner's channel: the node died and its presence has not expired yet
        if (receivers === 0) this.settle(id, moved(stationId, `node ${owner.node} is gone`));
      }, (err: unknown) => this.settle(id, new CallFailed('Offline', `cannot route the command to station ${stationId}: ${(err as Error).message}`)));
    });
  }

  private settle(id: string, outcome: Error | CommandResult): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }

  private onMessage(channel: string, message: string): void {
    // the subscriber connection is shared with the other cluster modules: their channels are theirs
    if (channel !== this.presence.controlChannel && channel !== this.channel(this.nodeId, 'req') && channel !== this.channel(this.nodeId, 'rep')) return;
    let m: unknown;
    try {
      m = JSON.parse(message);
    } catch {
      return this.log.warn({ channel }, 'cluster: unreadable message ignored');
    }
    if (channel === this.presence.controlChannel) this.onControl(m as Control);
    else if (channel === this.channel(this.nodeId, 'req')) void this.serve(m as Request);
    else if (channel === this.channel(this.nodeId, 'rep')) this.onReply(m as Reply);
  }

  private onControl(c: Control): void {
    if (c.n === this.nodeId) return;
    if (c.t === 'release') {
      if (this.remote.get(c.s)?.node === c.n) this.remote.delete(c.s);
      return;
    }
    this.remote.set(c.s, { node: c.n, epoch: c.e, profile: c.p });
    // calls waiting on the previous owner will not be answered by the station's new socket
    for (const [id, p] of this.pending) if (p.stationId === c.s && p.owner !== c.n) this.settle(id, moved(c.s, `it reconnected to node ${c.n}`));
    const h = this.held.get(c.s);
    if (!h) return;
    if (h.epoch === undefined) h.supersededBy = Math.max(h.supersededBy ?? 0, c.e);
    else if (h.epoch < c.e) this.drop(h, 'station moved to another node');
  }

  /** Closes our stale socket; its close event unregisters it, and the release script leaves the new claim alone. */
  private drop(h: Held, reason: string): void {
    this.log.info({ station: h.link.stationId, node: this.nodeId }, 'cluster: closing a stale socket, the station is on another node');
    this.held.delete(h.link.stationId);
    super.unregister(h.link);
    h.link.close?.(4000, reason);
  }

  private async serve(req: Request): Promise<void> {
    let reply: Reply;
    try {
      if (!super.isConnected(req.stationId)) throw moved(req.stationId, `not connected to node ${this.nodeId}`);
      reply = { id: req.id, ok: true, result: await super.send(req.stationId, req.command, req.timeoutMs) };
    } catch (err) {
      const e = err as Error;
      reply = e instanceof CallFailed
        ? { id: req.id, ok: false, reason: e.reason, message: e.message, ...(e.callError && { callError: e.callError }), ...(e.response && { response: e.response }) }
        : { id: req.id, ok: false, message: e.message };
    }
    await this.r.client.publish(this.channel(req.from, 'rep'), JSON.stringify(reply)).catch((err: unknown) => this.log.warn({ err: { message: (err as Error).message } }, 'cluster: reply not sent'));
  }

  private onReply(rep: Reply): void {
    if (rep.ok) return this.settle(rep.id, rep.result);
    if (!rep.reason) return this.settle(rep.id, new Error(rep.message));
    const e = new CallFailed(rep.reason, rep.message, rep.callError);
    if (rep.response) e.response = rep.response;
    this.settle(rep.id, e);
  }

  private async renew(): Promise<void> {
    const held = [...this.held.values()].filter((h) => h.epoch !== undefined).map((h) => ({ stationId: h.link.stationId, epoch: h.epoch!, profile: h.profile }));
    try {
      const lost = await this.presence.renew(held, { key: this.r.key('node', this.nodeId), value: String(Date.now()) });
      // a claim we missed the announcement of: the station is on another node
      for (const id of lost) { const h = this.held.get(id); if (h) this.drop(h, 'station moved to another node'); }
      await this.forgetDeadNodes();
    } catch (err) {
      this.log.warn({ err: { message: (err as Error).message } }, 'cluster: presence renewal failed');
    }
  }

  /** Stations of a node whose heartbeat expired are no longer reported connected (they never released: the node died). */
  private async forgetDeadNodes(): Promise<void> {
    const nodes = [...new Set([...this.remote.values()].map((o) => o.node))];
    if (nodes.length === 0) return;
    const alive = await Promise.all(nodes.map((n) => this.r.client.exists(this.r.key('node', n))));
    const dead = new Set(nodes.filter((_n, i) => alive[i] === 0));
    for (const [id, o] of this.remote) if (dead.has(o.node)) this.remote.delete(id);
  }

  /** Pending calls to a node whose request channel has no subscriber any more fail now, not at their timeout. */
  private async watchOwners(): Promise<void> {
    const owners = new Set([...this.pending.values()].map((p) => p.owner));
    for (const node of owners) {
      try {
        const [, count] = await this.r.client.pubsub('NUMSUB', this.channel(node, 'req')) as [string, number];
        if (Number(count) > 0) continue;
        for (const [id, p] of this.pending) if (p.owner === node) this.settle(id, moved(p.stationId, `node ${node} is gone`));
      } catch {
        // Redis unreachable: the calls' own timeouts apply
      }
    }
  }

  /** Stops renewing; pending remote calls fail. The transport closes the sockets (and releases their presence) before. */
  async close(): Promise<void> {
    clearInterval(this.renewTimer);
    clearInterval(this.watchTimer);
    await Promise.allSettled([...this.held.values()].map((h) => h.claimed.then((epoch) => epoch === undefined ? undefined : this.presence.release(h.link.stationId, epoch, h.profile))));
    this.closed = true;
    for (const [id, p] of this.pending) this.settle(id, moved(p.stationId, 'this node is shutting down'));
    await this.r.client.del(this.r.key('node', this.nodeId)).catch(() => undefined);
  }
}
