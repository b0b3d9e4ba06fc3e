/** The answer of a limiter: taken, or refused with how long until enough of the window has passed. */
export type Take = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * Counts units per key over a sliding time window. Behind an interface because a cluster needs
 * one shared count (issue 9 adds a Redis implementation); this process-local one is exact for a
 * single node.
 */
export interface RateLimiter {
  /** Takes `n` units for `key` if the last `windowMs` then hold at most `limit`; all or nothing. */
  take(key: string, n: number, limit: number, windowMs: number): Promise<Take>;
}

/** Sliding-window log in memory: one timestamp per unit taken, pruned as the window moves. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly log = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  async take(key: string, n: number, limit: number, windowMs: number): Promise<Take> {
    const now = this.now();
    const stamps = (this.log.get(key) ?? []).filter((t) => t > now - windowMs);
    if (n > limit) return this.keep(key, stamps, { ok: false, retryAfterMs: windowMs });
    const excess = stamps.length + n - limit;
    // the oldest `excess` units must leave the window first; stamps are in taking order
    if (excess > 0) return this.keep(key, stamps, { ok: false, retryAfterMs: Math.max(1, stamps[excess - 1]! + windowMs - now) });
    for (let i = 0; i < n; i++) stamps.push(now);
    return this.keep(key, stamps, { ok: true });
  }

  private keep(key: string, stamps: number[], answer: Take): Take {
    // a key whose window has emptied is forgotten, so idle principals cost no memory
    if (stamps.length) this.log.set(key, stamps);
    else this.log.delete(key);
    return answer;
  }
}
