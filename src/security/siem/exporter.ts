import type { Logger } from '../../log/logger.js';
import type { SecurityEventRepo } from '../../store/repos/security-events.js';
import { toEcs } from './ecs.js';
import type { SiemSink } from './sink.js';

export interface ExporterOptions {
  /** ms between two looks for new events */
  intervalMs: number;
  /** most events a sink may fall behind the head before the oldest are skipped */
  maxLag: number;
}

/**
 * Ships the security log to its sinks. It reads the table in chain order after each sink's
 * cursor, so the OCPP path only ever writes the record (never waits on a SIEM) and a restart
 * resumes where delivery stopped. Back-pressure: a sink that cannot keep up falls behind up to
 * `maxLag` events; past that the oldest are skipped — counted in the cursor row and logged as a
 * loss of the export (the security log keeps them; `ov2x audit verify` and the API still show them).
 * On several nodes each runs its exporter; the cursor only moves forward and the sinks are
 * idempotent per chain position (Elasticsearch `_id`) or tolerate a duplicate (syslog, file).
 */
export class SiemExporter {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly repo: SecurityEventRepo,
    private readonly sinks: readonly SiemSink[],
    private readonly opts: ExporterOptions,
    private readonly log?: Logger,
  ) {}

  start(): void {
    if (!this.sinks.length || this.timer) return;
    this.timer = setInterval(() => void this.pump(), this.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    await Promise.all(this.sinks.map((s) => s.close().catch(() => undefined)));
  }

  /** One round over every sink (a round already running is joined). */
  pump(): Promise<void> {
    this.running ??= (async () => {
      for (const sink of this.sinks) {
        if (this.stopped) break;
        await this.drain(sink).catch((err: unknown) => this.log?.warn({ siem: sink.name, err }, 'security log export failed: retrying on the next round'));
      }
    })().finally(() => { this.running = undefined; });
    return this.running;
  }

  /** Delivers what the sink has not got, batch by batch, moving its cursor after each. */
  private async drain(sink: SiemSink): Promise<void> {
    let { seq, dropped } = await this.repo.cursor(sink.name);
    const head = (await this.repo.head()).seq;
    if (head - seq > this.opts.maxLag) {
      const skip = head - seq - this.opts.maxLag;
      seq += skip;
      dropped += skip;
      await this.repo.advance(sink.name, seq, dropped);
      this.log?.error({ siem: sink.name, skipped: skip, droppedTotal: dropped }, 'security log export fell behind: oldest undelivered events skipped for this sink');
    }
    while (!this.stopped) {
      const rows = await this.repo.after(seq, sink.batch);
      if (!rows.length) return;
      await sink.deliver(rows.map(toEcs));
      seq = Number(rows[rows.length - 1]!.chainSeq);
      await this.repo.advance(sink.name, seq, dropped);
      if (rows.length < sink.batch) return;
    }
  }
}
