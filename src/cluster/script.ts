import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run by its SHA (EVALSHA), loaded on first use and again after the server
 * forgets it (NOSCRIPT after a restart or SCRIPT FLUSH): one round trip in the usual case.
 */
export function luaScript(client: Redis, lua: string): (keys: string[], args: Array<string | number>) => Promise<unknown> {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (keys, args) => {
    try {
      return await client.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return client.eval(lua, keys.length, ...keys, ...args);
    }
  };
}

/** Redis's own clock in ms: every node judges windows by one clock, whatever its own says. */
export const REDIS_NOW_MS = "local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";
