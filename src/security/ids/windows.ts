/**
 * A fixed window counter: counts sightings since the window opened and says once per window
 * when the threshold is reached. Two numbers and a flag, so one per station and rule is cheap.
 */
export class WindowCount {
  start = 0;
  count = 0;
  fired = false;

  /** One sighting at `now`; true exactly when this sighting reaches the threshold. */
  hit(now: number, windowMs: number, threshold: number): boolean {
    this.roll(now, windowMs);
    this.count++;
    if (!this.fired && this.count >= threshold) {
      this.fired = true;
      return true;
    }
    return false;
  }

  roll(now: number, windowMs: number): void {
    if (now - this.start >= windowMs) {
      this.start = now;
      this.count = 0;
      this.fired = false;
    }
  }
}

/**
 * Window counters per key (source address, identity, token) with a hard cap: past `max`
 * keys the oldest is forgotten, and `sweep` drops the keys whose window is over, so an
 * attacker rotating addresses costs at most `max` small entries.
 */
export class KeyedWindows {
  private readonly map = new Map<string, WindowCount>();

  constructor(private readonly max: number) {}

  hit(key: string, now: number, windowMs: number, threshold: number): { fired: boolean; count: number } {
    let w = this.map.get(key);
    if (!w) {
      if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
      w = new WindowCount();
      w.start = now;
      this.map.set(key, w);
    }
    const fired = w.hit(now, windowMs, threshold);
    return { fired, count: w.count };
  }

  sweep(now: number, windowMs: number): void {
    for (const [k, w] of this.map) if (now - w.start >= windowMs) this.map.delete(k);
  }

  get size(): number {
    return this.map.size;
  }
}
