/**
 * Caps how many security events one source may cause per window, so a flood of refused
 * handshakes cannot turn into a flood of database writes (the refusal itself is cheap; the
 * record is not). What is held back is counted and reported with the source's next record.
 * Memory is bounded: at most `maxSources` sources are tracked, the oldest window forgotten first.
 */
export class EventThrottle {
  private readonly windows = new Map<string, { start: number; count: number; suppressed: number }>();

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
    private readonly maxSources = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** undefined: hold this one back; otherwise record it, with how many were held back before it. */
  admit(source: string): { suppressed: number } | undefined {
    const now = this.now();
    const w = this.windows.get(source);
    if (!w || now - w.start >= this.windowMs) {
      const suppressed = w?.suppressed ?? 0;
      this.windows.delete(source);
      if (this.windows.size >= this.maxSources) this.windows.delete(this.windows.keys().next().value!);
      this.windows.set(source, { start: now, count: 1, suppressed: 0 });
      return { suppressed };
    }
    if (w.count < this.perWindow) {
      w.count++;
      return { suppressed: 0 };
    }
    w.suppressed++;
    return undefined;
  }
}
