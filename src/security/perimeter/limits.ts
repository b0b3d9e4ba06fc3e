/** The limits' answer to one connection attempt: admitted (release once it ends), or refused and why. */
export type LimitVerdict = { ok: true; release(): void } | { ok: false; reason: 'RateLimited' | 'TooManyConnections'; open: number };

/** Admission by address: this node's own limits, or (src/cluster/connection-limits.ts) those shared by a cluster. */
export interface AdmissionLimits {
  admit(ip: string): LimitVerdict | Promise<LimitVerdict>;
}

/**
 * Per-address admission limits of the OCPP endpoint (CM5): a token bucket on connection
 * attempts and a cap on concurrent connections. Memory is bounded: at most `maxSources`
 * addresses are tracked for the rate, the least recently seen forgotten first (a forgotten
 * address starts with a full bucket, which only ever errs towards admitting).
 */
export class ConnectionLimits implements AdmissionLimits {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly open = new Map<string, number>();

  constructor(
    private readonly o: { maxPerIp: number; ratePerS: number; burst: number; maxSources?: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Rate first, then the cap: one attempt taken, one connection counted if both allow. */
  admit(ip: string): LimitVerdict {
    if (!this.attempt(ip)) return { ok: false, reason: 'RateLimited', open: this.openFrom(ip) };
    const release = this.acquire(ip);
    return release ? { ok: true, release } : { ok: false, reason: 'TooManyConnections', open: this.openFrom(ip) };
  }

  /** Takes one attempt from the address's bucket; false = too fast. */
  attempt(ip: string): boolean {
    const now = this.now();
    const b = this.buckets.get(ip);
    let tokens = this.o.burst;
    if (b) {
      tokens = Math.min(this.o.burst, b.tokens + ((now - b.at) / 1000) * this.o.ratePerS);
      this.buckets.delete(ip);
    } else if (this.buckets.size >= (this.o.maxSources ?? 100_000)) {
      this.buckets.delete(this.buckets.keys().next().value!);
    }
    const ok = tokens >= 1;
    // re-inserted: the Map's order is then least recently seen first
    this.buckets.set(ip, { tokens: ok ? tokens - 1 : tokens, at: now });
    return ok;
  }

  /** Counts a connection of the address if under its cap; the returned release must be called once it ends. */
  acquire(ip: string): (() => void) | undefined {
    const n = this.open.get(ip) ?? 0;
    if (n >= this.o.maxPerIp) return undefined;
    this.open.set(ip, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(ip) ?? 1) - 1;
      if (left <= 0) this.open.delete(ip);
      else this.open.set(ip, left);
    };
  }

  openFrom(ip: string): number {
    return this.open.get(ip) ?? 0;
  }
}
