import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script as an ioredis command (`defineCommand`): EVALSHA, and EVAL once the server has
 * forgotten the script (a restart, SCRIPT FLUSH) — the library's mechanism, as presence.ts uses.
 */
export function luaScript(client: Redis, lua: string): (keys: string[], args: Array<string | number>) => Promise<unknown> {
  const name = `ov2x${createHash('sha1').update(lua).digest('hex').slice(0, 16)}`;
  // without numberOfKeys the key count is the first argument of each call
  client.defineCommand(name, { lua });
  const command = (client as unknown as Record<string, (...a: Array<string | number>) => Promise<unknown>>)[name]!.bind(client);
  return (keys, args) => command(keys.length, ...keys, ...args);
}

/** A gate that opens at most once per `ms`: for log lines a Redis outage would otherwise repeat at traffic rate. */
export function oncePer(ms: number): () => boolean {
  let last = 0;
  return () => {
    const now = Date.now();
    if (now - last <= ms) return false;
    last = now;
    return true;
  };
}

/** Redis's own clock in ms: every node judges windows by one clock, whatever its own says. */
export const REDIS_NOW_MS = "local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";
