import { randomBytes } from 'node:crypto';
import type { RateLimiter, Take } from '../domain/identity/rate-limiter.js';
import type { Logger } from '../log/logger.js';
import type { ClusterLink } from './connect.js';
import { luaScript, oncePer, REDIS_NOW_MS } from './script.js';

/**
 * The sliding-window log of MemoryRateLimiter in a sorted set (score = ms taken), atomically:
 * {1} taken, {0, retryAfterMs} refused. Members are a per-call nonce and the unit's number.
 */
const TAKE = `${REDIS_NOW_MS}
local n, limit, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if n > limit then return {0, window} end
local excess = redis.call('ZCARD', KEYS[1]) + n - limit
if excess > 0 then
  local oldest = redis.call('ZRANGE', KEYS[1], excess - 1, excess - 1, 'WITHSCORES')
  return {0, math.max(1, tonumber(oldest[2]) + window - now)}
end
for i = 1, n do redis.call('ZADD', KEYS[1], now, ARGV[4] .. ':' .. i) end
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}`;

/**
 * One count per key for every node of a cluster (AC2 switching limits: the same count whichever
 * node takes the command). On a Redis error the take is judged by this node's own limiter
 * (fail open, logged): a Redis outage must not stop grid operators switching, and each node
 * still holds a principal to the limit (at most nodes × the limit in the outage).
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly run: ReturnType<typeof luaScript>;
  /** a Redis outage must not repeat its log line at the rate of connection attempts or commands */
  private readonly warnNow = oncePer(30_000);

  constructor(
    private readonly redis: ClusterLink,
    private readonly local: RateLimiter,
    private readonly log: Logger,
  ) {
    this.run = luaScript(redis.client, TAKE);
  }

  async take(key: string, n: number, limit: number, windowMs: number): Promise<Take> {
    try {
      if (this.redis.client.status !== 'ready') throw new Error(`redis connection ${this.redis.client.status}`);
      const [ok, retryAfterMs] = (await this.run([this.redis.key('rate', key)], [n, limit, windowMs, randomBytes(6).toString('hex')])) as [number, number];
      return ok === 1 ? { ok: true } : { ok: false, retryAfterMs };
    } catch (err) {
      if (this.warnNow()) {
        this.log.warn({ err: { message: (err as Error).message } }, 'cluster: shared rate limits unavailable, judging by this node\'s own (fail open)');
      }
      return this.local.take(key, n, limit, windowMs);
    }
  }
}
