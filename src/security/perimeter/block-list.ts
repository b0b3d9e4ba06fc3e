import { BlockList, isIP } from 'node:net';
import { isStationIdentity } from '../../domain/stations/identity.js';
import type { Logger } from '../../log/logger.js';
import type { BlockListRepo } from '../../store/repos/block-lists.js';
import type { BlockListEntry } from '../../store/schema.js';
import { familyOf, listed, unmapped } from '../../net/address.js';

/** A block-list entry the caller got wrong (bad address, range or identity). */
export class BlockListInputError extends Error {
  override name = 'BlockListInputError';
}

export interface BlockListEntryInput {
  list: 'block' | 'allow';
  kind: 'ip' | 'cidr' | 'identity';
  value: string;
  /** seconds until the entry lapses; null = until removed */
  ttlS: number | null;
  reason: string;
  /** `user:<id>`, `apikey:<id>`, `ids:<rule>` */
  by: string;
}

/** The entries as matched: rebuilt from the cached rows whenever one of them lapses. */
interface Matcher {
  blocked: BlockList;
  allowed: BlockList;
  identities: Set<string>;
  /** ms epoch of the next expiry among the rows; the matcher is rebuilt then */
  nextExpiry: number;
}


/** Checks and normalises the target of an entry; throws BlockListInputError. */
export function normaliseTarget(kind: BlockListEntryInput['kind'], raw: string): { kind: BlockListEntryInput['kind']; value: string } {
  const value = raw.trim();
  if (kind === 'identity') {
    if (!isStationIdentity(value)) throw new BlockListInputError(`${JSON.stringify(value.slice(0, 60))} is not a station identity`);
    return { kind, value };
  }
  // an address with a prefix length is a range whatever the caller called it
  const [addr = '', bits, extra] = value.split('/');
  const family = isIP(unmapped(addr));
  if (!family || extra !== undefined) throw new BlockListInputError(`${JSON.stringify(value.slice(0, 60))} is not an IP address or CIDR range`);
  if (bits === undefined) return { kind: 'ip', value: unmapped(addr) };
  const max = family === 4 ? 32 : 128;
  if (!/^\d+$/.test(bits) || Number(bits) > max) throw new BlockListInputError(`${JSON.stringify(value)}: prefix length must be 0–${max}`);
  return { kind: 'cidr', value: `${unmapped(addr)}/${Number(bits)}` };
}

/**
 * IP, CIDR and station-identity block lists with an allow list that wins over blocks (the
 * operator's own networks), persisted (migration 0028) and cached in memory: `isBlocked` is a
 * synchronous lookup, cheap enough for every TCP connection. Every node re-reads the table every
 * `refreshMs`, so a block made on one node (by an operator or the IDS) reaches the others within
 * that time; on the node that made it, at once — and with a cluster's Redis, on every node at once
 * (src/cluster/block-list-sync.ts announces each write).
 */
export class PerimeterBlockList {
  private rows: BlockListEntry[] = [];
  private matcher: Matcher = build([], 0);
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly writeListeners = new Set<() => void>();

  constructor(
    private readonly repo: BlockListRepo,
    private readonly log: Logger,
    private readonly o: { refreshMs: number; now?: () => number },
  ) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** Loads the lists and re-reads them every `refreshMs` (0 = never: a single node). */
  async start(): Promise<void> {
    await this.refresh();
    if (this.o.refreshMs > 0 && !this.timer) {
      this.timer = setInterval(() => {
        this.refresh().catch((err: unknown) => this.log.error({ err }, 'block lists could not be refreshed; the cached ones stay in force'));
      }, this.o.refreshMs);
      this.timer.unref();
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Re-reads the table (lapsed rows are purged on the way). Concurrent calls share one read. */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const now = new Date(this.now());
        await this.repo.purgeExpired(now);
        this.install(await this.repo.active(now));
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /**
   * Blocks an IP address (or, given `addr/bits`, a range) or a station identity, for `ttlS`
   * seconds or until removed. Blocking a target again renews its entry. Used by operators
   * (API) and by the IDS.
   */
  async block(target: { kind: 'ip' | 'identity'; value: string }, opts: { ttlS: number | null; reason: string; by: string }): Promise<void> {
    await this.add({ list: 'block', kind: target.kind, value: target.value, ...opts });
  }

  /** Adds (or renews) an entry of either list and applies it on this node at once. */
  async add(e: BlockListEntryInput): Promise<BlockListEntry> {
    const target = normaliseTarget(e.kind, e.value);
    if (e.list === 'allow' && target.kind === 'identity') throw new BlockListInputError('the allow list holds addresses and ranges, not identities');
    if (e.ttlS !== null && (!Number.isInteger(e.ttlS) || e.ttlS <= 0)) throw new BlockListInputError('ttlS must be a positive number of seconds, or null');
    const row = await this.repo.put({
      list: e.list, ...target, reason: e.reason.slice(0, 500), createdBy: e.by,
      expiresAt: e.ttlS === null ? null : new Date(this.now() + e.ttlS * 1000),
    });
    this.install([...this.rows.filter((r) => r.id !== row.id), row]);
    this.log.info({ list: e.list, kind: target.kind, value: target.value, ttlS: e.ttlS, by: e.by }, `${e.list} list entry added`);
    this.wrote();
    return row;
  }

  /** Removes an entry (operator unblock); undefined when there was none. */
  async remove(id: number): Promise<BlockListEntry | undefined> {
    const row = await this.repo.remove(id);
    this.install(this.rows.filter((r) => r.id !== id));
    this.wrote();
    return row;
  }

  /** The entries in force, read from the store (what every node converges to). */
  async entries(): Promise<BlockListEntry[]> {
    return this.repo.active(new Date(this.now()));
  }

  /** Whether an IP address (allow list first) or a station identity is blocked now. Synchronous: from the cache. */
  isBlocked(kind: 'ip' | 'identity', value: string): boolean {
    const m = this.current();
    if (kind === 'identity') return m.identities.has(value);
    const ip = unmapped(value);
    if (!isIP(ip)) return false;
    const family = familyOf(ip);
    return !m.allowed.check(ip, family) && m.blocked.check(ip, family);
  }

  /** Whether an address is on the allow list. */
  isAllowed(ip: string): boolean {
    const a = unmapped(ip);
    return listed(this.current().allowed, a);
  }

  private current(): Matcher {
    const now = this.now();
    if (now >= this.matcher.nextExpiry) this.install(this.rows.filter((r) => r.expiresAt === null || r.expiresAt.getTime() > now), false);
    return this.matcher;
  }

  /** Calls `fn` whenever the lists in force may have changed (added, removed, re-read); returns an unsubscribe. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Calls `fn` after this node wrote an entry (a cluster tells the other nodes to re-read); returns an unsubscribe. */
  onWrite(fn: () => void): () => void {
    this.writeListeners.add(fn);
    return () => this.writeListeners.delete(fn);
  }

  private wrote(): void {
    for (const fn of this.writeListeners) fn();
  }

  /** `notify`: tell listeners if the rows differ (not when lapsed rows are only dropped: that blocks nobody new). */
  private install(rows: BlockListEntry[], notify = true): void {
    const before = signature(this.rows);
    this.rows = rows;
    this.matcher = build(rows, this.now());
    if (notify && signature(rows) !== before) for (const fn of this.listeners) fn();
  }
}

const signature = (rows: readonly BlockListEntry[]): string => rows.map((r) => `${r.id}:${r.list}:${r.expiresAt?.getTime() ?? ''}`).sort().join(',');

function build(rows: readonly BlockListEntry[], now: number): Matcher {
  const m: Matcher = { blocked: new BlockList(), allowed: new BlockList(), identities: new Set(), nextExpiry: Infinity };
  for (const r of rows) {
    const expiry = r.expiresAt?.getTime() ?? Infinity;
    if (expiry <= now) continue;
    m.nextExpiry = Math.min(m.nextExpiry, expiry);
    if (r.kind === 'identity') {
      if (r.list === 'block') m.identities.add(r.value);
      continue;
    }
    const list = r.list === 'allow' ? m.allowed : m.blocked;
    const [addr = '', bits] = r.value.split('/');
    if (bits === undefined) list.addAddress(addr, familyOf(addr));
    else list.addSubnet(addr, Number(bits), familyOf(addr));
  }
  return m;
}
