import type { Logger } from '../log/logger.js';
import type { Sightings } from '../security/ids/engine.js';
import type { ClusterLink } from './connect.js';
import { luaScript } from './script.js';

/**
 * A connection of an identity is held for at most this long without a new sighting: a node that
 * crashed (and so never said `gone`) stops counting then. Long enough that a station connected
 * for days on one node is rarely missed; when it is, a second node sees nothing (errs silent).
 */
const SIGHTING_TTL_MS = 24 * 3_600_000;

/** Deletes the sighting only if it is still this node's (another node may have taken the identity since). */
const GONE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** Fixed window: the first hit opens it (and its expiry), the key lapsing closes it. */
const COUNT = `local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n`;

/** The IDS's cross-node view: who holds which identity (T4; one key per identity, value `node|ip`) and shared window counts. */
export function redisSightings(redis: ClusterLink, log: Logger): Sightings {
  const gone = luaScript(redis.client, GONE);
  const count = luaScript(redis.client, COUNT);
  const key = (stationId: string) => redis.key('ids', 'seen', stationId);
  return {
    async seen(stationId, ip) {
      // Redis away: judged by this node alone, quietly (the limits already log the outage, once per 30 s)
      if (redis.client.status !== 'ready') return undefined;
      // SET … GET: the previous holder and the new one in one atomic step, so of two nodes racing, the second sees the first
      const before = await redis.client.set(key(stationId), `${redis.nodeId}|${ip}`, 'PX', SIGHTING_TTL_MS, 'GET');
      if (before === null) return undefined;
      const cut = before.indexOf('|');
      const node = before.slice(0, cut);
      return node === redis.nodeId ? undefined : { node, ip: before.slice(cut + 1) };
    },
    gone(stationId, ip) {
      if (redis.client.status !== 'ready') return;
      gone([key(stationId)], [`${redis.nodeId}|${ip}`]).catch((err: unknown) => log.warn({ err: { message: (err as Error).message } }, 'ids: cross-node sighting not cleared; it lapses by itself'));
    },
    async count(k, windowMs) {
      // the engine counts on this node instead
      if (redis.client.status !== 'ready') throw new Error(`redis connection ${redis.client.status}`);
      return Number(await count([redis.key('ids', 'count', k)], [windowMs]));
    },
  };
}
