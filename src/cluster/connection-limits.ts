import { randomBytes } from 'node:crypto';
import type { Logger } from '../log/logger.js';
import type { AdmissionLimits, ConnectionLimits, LimitVerdict } from '../security/perimeter/limits.js';
import type { ClusterLink } from './connect.js';
import { luaScript, oncePer, REDIS_NOW_MS } from './script.js';

/** How long a connection counts without its node saying it is still open: a crashed node's connections stop counting then. */
const CONNECTION_LEASE_MS = 120_000;

/**
 * Token bucket (hash t = tokens, a = ms of the last take) and, if a token was taken, the cap:
 * the open connections of the address are a sorted set of `node:connection` members scored by
 * their lease's end. Returns {0} too fast, {2, open} at the cap, {1, open} admitted.
 */
const ADMIT = `${REDIS_NOW_MS}
local rate, burst, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 't', 'a')
local tokens = burst
if b[1] then tokens = math.min(burst, tonumber(b[1]) + math.max(0, now - tonumber(b[2])) / 1000 * rate) end
if tokens < 1 then
  redis.call('HSET', KEYS[1], 't', tostring(tokens), 'a', now)
  redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
  return {0, 0}
end
redis.call('HSET', KEYS[1], 't', tostring(tokens - 1), 'a', now)
-- a full bucket is the same as no bucket: the key lives as long as refilling takes
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local open = redis.call('ZCARD', KEYS[2])
if open >= cap then return {2, open} end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[5]), ARGV[4])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[5]))
return {1, open + 1}`;

/** Renews the leases of this node's open connections: KEYS[i] holds member ARGV[i + 1]. */
const RENEW = `${REDIS_NOW_MS}
local lease = tonumber(ARGV[1])
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', now + lease, ARGV[i + 1])
  redis.call('PEXPIRE', KEYS[i], lease)
end
return 0`;

/**
 * The per-address limits of the perimeter (CM5) shared by the nodes of a cluster: one token
 * bucket and one connection count per address, whichever node the attempts reach, judged in one
 * Redis script (one round trip per upgrade, none per frame).
 *
 * On a Redis error the attempt is judged by this node's own limits instead (fail open), and
 * that is logged: these limits guard against floods, they are not authentication. Refusing every
 * station while Redis is away would turn a Redis outage into a charging outage for the whole
 * fleet, while the local bucket still bounds what each node takes (at most nodes × the limit).
 */
export class SharedConnectionLimits implements AdmissionLimits {
  private readonly run: ReturnType<typeof luaScript>;
  private readonly renew: ReturnType<typeof luaScript>;
  /** this node's connections counted in Redis: member → key */
  private readonly mine = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;
  private readonly lease: number;
  private seq = 0;
  /** a Redis outage must not repeat its log line at the rate of connection attempts or commands */
  private readonly warnNow = oncePer(30_000);

  constructor(
    private readonly redis: ClusterLink,
    private readonly local: ConnectionLimits,
    private readonly o: { maxPerIp: number; ratePerS: number; burst: number; timeoutMs?: number; leaseMs?: number },
    private readonly log: Logger,
  ) {
    this.run = luaScript(redis.client, ADMIT);
    this.renew = luaScript(redis.client, RENEW);
    this.lease = o.leaseMs ?? CONNECTION_LEASE_MS;
    this.timer = setInterval(() => void this.renewLeases(), this.lease / 3);
    this.timer.unref();
  }

  async admit(ip: string): Promise<LimitVerdict> {
    // not connected (down, reconnecting): no point queueing behind ioredis's retries
    if (this.redis.client.status !== 'ready') return this.fallback(ip, new Error(`redis connection ${this.redis.client.status}`));
    const member = `${this.redis.nodeId}:${(this.seq++).toString(36)}:${randomBytes(3).toString('hex')}`;
    const connKey = this.redis.key('limits', 'conn', ip);
    let answer: unknown;
    try {
      answer = await withTimeout(this.run([this.redis.key('limits', 'rate', ip), connKey], [this.o.ratePerS, this.o.burst, this.o.maxPerIp, member, this.lease]), this.o.timeoutMs ?? 1000);
    } catch (err) {
      // after a timeout the script may still have counted the connection: its lease, never renewed, runs out
      return this.fallback(ip, err as Error);
    }
    const [code, open] = answer as [number, number];
    if (code === 0) return { ok: false, reason: 'RateLimited', open };
    if (code === 2) return { ok: false, reason: 'TooManyConnections', open };
    this.mine.set(member, connKey);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.mine.delete(member);
        // lost on a Redis error: the lease then runs out by itself
        this.redis.client.zrem(connKey, member).catch(() => undefined);
      },
    };
  }

  close(): void {
    clearInterval(this.timer);
  }

  private fallback(ip: string, err: Error): LimitVerdict {
    if (this.warnNow()) {
      this.log.warn({ err: { message: err.message } }, 'cluster: shared connection limits unavailable, judging by this node\'s own limits (fail open)');
    }
    return this.local.admit(ip);
  }

  private async renewLeases(): Promise<void> {
    if (this.mine.size === 0 || this.redis.client.status !== 'ready') return;
    const held = [...this.mine];
    try {
      // in slices, so one script call never holds Redis for long
      for (let i = 0; i < held.length; i += 1000) {
        const slice = held.slice(i, i + 1000);
        await this.renew(slice.map(([, key]) => key), [this.lease, ...slice.map(([member]) => member)]);
      }
    } catch (err) {
      this.log.warn({ err: { message: (err as Error).message } }, 'cluster: connection leases could not be renewed');
    }
  }
}

/** Rejects after `ms`; the command itself goes on, its answer is dropped. */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`redis answered not within ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e instanceof Error ? e : new Error(String(e))); });
  });
}
