import type { ClusterRedis } from './redis.js';

/**
 * Which node holds which station's socket, in Redis: `presence:<station>` = `<node>:<epoch>:<profile>`
 * with a TTL. The epoch (one INCR counter per station) orders connections across nodes, so a
 * stale node can recognise that it lost the station and never deletes or renews the newer claim.
 */
export interface Owner {
  node: string;
  epoch: number;
  profile: number;
}

/** Claims the station: a fresh epoch, the presence key overwritten and the takeover announced, in one atomic step. */
const CLAIM = `
local epoch = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
local value = ARGV[1] .. ':' .. epoch .. ':' .. ARGV[2]
redis.call('SET', KEYS[1], value, 'PX', ARGV[3])
redis.call('PUBLISH', KEYS[3], cjson.encode({ t = 'claim', s = ARGV[5], n = ARGV[1], e = epoch, p = tonumber(ARGV[2]) }))
return epoch`;

/** Deletes the presence only while it is still ours (a newer claim elsewhere must survive our socket's close). */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', KEYS[2], cjson.encode({ t = 'release', s = ARGV[2], n = ARGV[3] }))
  return 1
end
return 0`;

/** 1: renewed (or re-asserted after a lapse: we do hold the socket); 0: another node owns it now. */
const RENEW = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
elseif not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

export function parseOwner(value: string | null): Owner | undefined {
  const m = value && /^([0-9a-f]+):(\d+):(\d+)$/.exec(value);
  return m ? { node: m[1]!, epoch: Number(m[2]), profile: Number(m[3]) } : undefined;
}

export class Presence {
  constructor(private readonly r: ClusterRedis, private readonly node: string, private readonly ttlMs: number) {
    r.client.defineCommand('ov2xClaim', { numberOfKeys: 3, lua: CLAIM });
    r.client.defineCommand('ov2xRelease', { numberOfKeys: 2, lua: RELEASE });
    r.client.defineCommand('ov2xRenew', { numberOfKeys: 1, lua: RENEW });
  }

  /** the channel every node hears claims and releases on */
  get controlChannel(): string {
    return this.r.key('ctl');
  }

  private presenceKey(stationId: string): string {
    return this.r.key('presence', stationId);
  }

  value(epoch: number, profile: number): string {
    return `${this.node}:${epoch}:${profile}`;
  }

  async claim(stationId: string, profile: number): Promise<number> {
    // the epoch counter outlives the presence by far, so an epoch never repeats for a station in practice
    const epoch = await (this.r.client as unknown as Scripts).ov2xClaim(
      this.presenceKey(stationId), this.r.key('epoch', stationId), this.controlChannel,
      this.node, String(profile), String(this.ttlMs), String(7 * 24 * 3_600_000), stationId,
    );
    return Number(epoch);
  }

  async release(stationId: string, epoch: number, profile: number): Promise<boolean> {
    const n = await (this.r.client as unknown as Scripts).ov2xRelease(this.presenceKey(stationId), this.controlChannel, this.value(epoch, profile), stationId, this.node);
    return Number(n) === 1;
  }

  /** One pipeline for every local station (thousands per node: never a timer or round trip each). Returns the ids we lost. */
  async renew(held: ReadonlyArray<{ stationId: string; epoch: number; profile: number }>, heartbeat: { key: string; value: string }): Promise<string[]> {
    const p = this.r.client.pipeline();
    p.set(heartbeat.key, heartbeat.value, 'PX', this.ttlMs);
    for (const h of held) (p as unknown as Scripts).ov2xRenew(this.presenceKey(h.stationId), this.value(h.epoch, h.profile), String(this.ttlMs));
    const answers = (await p.exec()) ?? [];
    return held.filter((_h, i) => { const [err, n] = answers[i + 1] ?? [null, 1]; return !err && Number(n) === 0; }).map((h) => h.stationId);
  }

  async owner(stationId: string): Promise<Owner | undefined> {
    return parseOwner(await this.r.client.get(this.presenceKey(stationId)));
  }

  /** Every claimed station (a node that starts learns who is where once; claims and releases keep it current). */
  async all(): Promise<Map<string, Owner>> {
    const out = new Map<string, Owner>();
    const prefix = this.presenceKey('');
    let cursor = '0';
    do {
      const [next, keys] = await this.r.client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length === 0) continue;
      const values = await this.r.client.mget(...keys);
      keys.forEach((k, i) => { const o = parseOwner(values[i] ?? null); if (o) out.set(k.slice(prefix.length), o); });
    } while (cursor !== '0');
    return out;
  }
}

interface Scripts {
  ov2xClaim(...args: string[]): Promise<unknown>;
  ov2xRelease(...args: string[]): Promise<unknown>;
  ov2xRenew(...args: string[]): Promise<unknown>;
}
