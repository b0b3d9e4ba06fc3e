// The queueing half of the batch writers: gathers items, hands at most
// maxBatch of them to one write at a time, and settles each caller's promise
// with the outcome of the write that carried its item. Hand-written: the
// generic batching libraries do not give per-item durability promises.

export interface GroupCommitOptions {
  /** Most items in one write (default 500), which keeps each write short. */
  maxBatch?: number;
  /** How long the first item of a batch waits for company (default 5 ms). */
  flushMs?: number;
  /**
   * Writes in flight at once (default 1). A server database with a connection pool gains
   * from 2–3 (the server's CPU no longer idles while one commit waits); an embedded one
   * executes one statement at a time anyway.
   */
  maxInFlight?: number;
}

export interface GroupCommitStats {
  flushes: number;
  failedFlushes: number;
  rows: number;
}

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Up to maxInFlight writes run at once; items that arrive meanwhile form the
 * next batch, which starts as soon as a write is done (group commit).
 */
export class GroupCommit<T> {
  readonly #write: (items: T[]) => Promise<void>;
  readonly #name: string;
  readonly #maxBatch: number;
  readonly #flushMs: number;
  readonly #maxInFlight: number;
  #waiting: Waiting<T>[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #stats: GroupCommitStats = { flushes: 0, failedFlushes: 0, rows: 0 };

  /** `write` must be atomic: it either stores every item or throws. */
  constructor(name: string, write: (items: T[]) => Promise<void>, options: GroupCommitOptions = {}) {
    this.#name = name;
    this.#write = write;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#flushMs = options.flushMs ?? 5;
    this.#maxInFlight = options.maxInFlight ?? 1;
    if (!(this.#maxBatch >= 1)) throw new Error(`${name}: maxBatch must be at least 1`);
    if (!(this.#maxInFlight >= 1)) throw new Error(`${name}: maxInFlight must be at least 1`);
  }

  /** Resolves once the item's write succeeded; rejects with its error otherwise. */
  add(item: T): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`${this.#name} is closed`));
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Writes everything added so far (and anything added while it runs). */
  async flush(): Promise<void> {
    while (this.#waiting.length > 0 || this.#inFlight.size > 0) {
      this.#start();
      await Promise.all(this.#inFlight);
    }
  }

  /** Refuses new items and drains the rest. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  get stats(): Readonly<GroupCommitStats> {
    return { ...this.#stats };
  }

  get pending(): number {
    return this.#waiting.length;
  }

  #schedule(): void {
    // A write finishing picks up the waiting items when no slot is free.
    if (this.#inFlight.size >= this.#maxInFlight) return;
    if (this.#waiting.length >= this.#maxBatch) this.#start();
    else this.#timer ??= setTimeout(() => this.#start(), this.#flushMs);
  }

  #start(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#inFlight.size >= this.#maxInFlight || this.#waiting.length === 0) return;
    const batch = this.#waiting.splice(0, this.#maxBatch);
    const write: Promise<void> = this.#run(batch).finally(() => {
      this.#inFlight.delete(write);
      if (this.#waiting.length > 0) this.#start();
    });
    this.#inFlight.add(write);
  }

  async #run(batch: Waiting<T>[]): Promise<void> {
    try {
      await this.#write(batch.map((w) => w.item));
      this.#stats.flushes++;
      this.#stats.rows += batch.length;
      for (const w of batch) w.resolve();
    } catch (err) {
      // The write is atomic, so no item of this batch was stored.
      this.#stats.failedFlushes++;
      for (const w of batch) w.reject(err);
    }
  }
}
