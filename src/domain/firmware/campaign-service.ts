import type { CampaignState, FirmwareCampaign, FirmwareCampaignRepo, FirmwareCampaignStation, NewCampaign, StationCounts } from '../../store/index.js';
import type { DomainEvents } from '../events.js';
import type { CommandRecord, CommandService } from '../journal/command-service.js';
import type { Logger } from '../../log/logger.js';
import type { FirmwareService } from './firmware-service.js';

/** How a firmware status (1.6 plain/signed, 2.0.1) ends a station's part of a campaign; absent = still on its way. */
const finalStatus: Readonly<Record<string, 'succeeded' | 'failed'>> = {
  Installed: 'succeeded',
  DownloadFailed: 'failed',
  InstallationFailed: 'failed',
  InstallVerificationFailed: 'failed',
  InvalidSignature: 'failed',
  InvalidCertificate: 'failed',
  RevokedCertificate: 'failed',
};
/** the status of an active station whose update waits for it to connect */
const OFFLINE = 'WaitingForConnection';
/** answers to (Signed)UpdateFirmware after which the station works on the update */
const accepted = new Set(['Accepted', 'AcceptedCanceled']);
/** statuses that say nothing about this update (a TriggerMessage answer) */
const ignored = new Set(['Idle']);

/** which states an operator's verb moves a campaign from, and to */
const verbs = {
  start: { from: ['draft', 'paused'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  abort: { from: ['draft', 'running', 'paused'], to: 'aborted' },
} as const satisfies Record<string, { from: readonly CampaignState[]; to: CampaignState }>;
export type CampaignVerb = keyof typeof verbs;

export interface CampaignInput extends Omit<NewCampaign, 'stationTimeoutS'> {
  stationTimeoutS?: number;
  stationIds: readonly string[];
}

export interface CampaignView extends FirmwareCampaign {
  counts: StationCounts;
  total: number;
}

export interface CampaignSchedulerOptions {
  /** ms between two scheduler passes (notifications trigger one at once too) */
  tickMs: number;
  /** default silence (s) after which an active station counts as failed */
  stationTimeoutS: number;
  /** most running campaigns one pass works on */
  maxCampaignsPerTick: number;
}

/** A campaign verb that does not apply to the campaign's state. */
export class CampaignStateError extends Error {
  constructor(readonly state: CampaignState, verb: string) {
    super(`the campaign is ${state}: it cannot ${verb}`);
    this.name = 'CampaignStateError';
  }
}

/** Failures above the threshold: `count` stations, or `percent` of all stations. */
export function exceedsThreshold(c: Pick<FirmwareCampaign, 'failureThreshold' | 'thresholdKind'>, failed: number, total: number): boolean {
  return c.thresholdKind === 'count' ? failed > c.failureThreshold : total > 0 && failed * 100 > c.failureThreshold * total;
}

/** A station's campaign status derived from its update command in the journal. */
export function stationOutcome(cmd: CommandRecord): { status: string; final?: 'succeeded' | 'failed'; at: Date } {
  const answeredAt = cmd.answeredAt ?? cmd.createdAt;
  if (cmd.status === 'Pending') return { status: 'Sent', at: cmd.createdAt };
  if (!accepted.has(cmd.status)) return { status: cmd.failure?.split(':')[0] || cmd.status, final: 'failed', at: answeredAt };
  const updates = cmd.updates.filter((u) => !ignored.has(u.status));
  const done = updates.find((u) => finalStatus[u.status]);
  if (done) return { status: done.status, final: finalStatus[done.status], at: done.at };
  const last = updates.at(-1);
  return last ? { status: last.status, at: last.at } : { status: cmd.status, at: answeredAt };
}

/**
 * Firmware campaigns (OP8/OP9): one verified image rolled out to a group or list of stations,
 * at most `concurrency` at a time, within an optional window. The scheduler is a loop over DB
 * state (crash-safe: a restart resumes from the rows), fed by the command journal: each
 * station's update command, its answer and its status notifications decide the station's
 * outcome, so notifications never race the bookkeeping. Failures above the threshold halt the
 * campaign; stations that go silent time out.
 */
export class FirmwareCampaignService {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly repo: FirmwareCampaignRepo,
    private readonly firmware: FirmwareService,
    private readonly commands: CommandService,
    private readonly events: DomainEvents,
    private readonly log: Logger,
    private readonly o: CampaignSchedulerOptions,
    /** whether this node can reach the station now (the command bus is per node) */
    private readonly isConnected: (stationId: string) => boolean,
  ) {}

  async create(c: CampaignInput): Promise<CampaignView> {
    const stations = [...new Set(c.stationIds)];
    if (!stations.length) throw new RangeError('a campaign needs at least one station');
    if (c.windowStart && c.windowEnd && c.windowEnd <= c.windowStart) throw new RangeError('the window ends before it starts');
    if (c.thresholdKind === 'percent' && c.failureThreshold > 100) throw new RangeError('a percent threshold is at most 100');
    const { stationIds: _ids, ...rest } = c;
    const row = await this.repo.create({ ...rest, stationTimeoutS: c.stationTimeoutS ?? this.o.stationTimeoutS }, stations);
    return this.view(row);
  }

  async get(id: number): Promise<(CampaignView & { stations: FirmwareCampaignStation[] }) | undefined> {
    const row = await this.repo.get(id);
    return row && { ...(await this.view(row)), stations: await this.repo.stations(id) };
  }

  async list(groups: readonly string[] | null, limit = 100): Promise<CampaignView[]> {
    return Promise.all((await this.repo.list({ groups, limit })).map((r) => this.view(r)));
  }

  /** start / pause / resume / abort; throws CampaignStateError when the state does not allow it. */
  async act(id: number, verb: CampaignVerb): Promise<CampaignView | undefined> {
    const row = await this.repo.get(id);
    if (!row) return undefined;
    const v = verbs[verb];
    if (!(await this.repo.transition(id, v.from, v.to))) throw new CampaignStateError(row.state, verb);
    // in-flight stations finish on their own; the rest never start
    if (v.to === 'aborted') await this.repo.skipPending(id, 'Aborted');
    if (v.to === 'running') this.poke();
    return this.view((await this.repo.get(id))!);
  }

  /** Runs the scheduler: a pass every tickMs and one at once after each firmware notification. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.poke(), this.o.tickMs);
    this.timer.unref();
    this.unsubscribe = this.events.subscribe((e) => {
      if ((e.type === 'command.progress' || e.type === 'command.answered') && e.kind === 'updateFirmware') this.poke();
    });
    this.poke();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    await this.running;
  }

  /** One pass now, or right after the current one: passes never overlap on this node. */
  poke(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.tick().catch((err: unknown) => this.log.error({ err }, 'firmware campaign pass failed')).finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.poke();
      }
    });
  }

  /** Resolves once no pass runs or is due (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** One scheduler pass over the running (and paused) campaigns. */
  async tick(now = new Date()): Promise<void> {
    for (const c of await this.repo.inProgress(this.o.maxCampaignsPerTick)) await this.advance(c, now);
  }

  private async advance(c: FirmwareCampaign, now: Date): Promise<void> {
    await this.followActive(c, now);
    // a paused campaign still follows the stations it started, and starts no others
    if (c.state !== 'running') return;
    const counts = await this.repo.counts(c.id);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    if (exceedsThreshold(c, counts.failed, total)) {
      const reason = `${counts.failed} of ${total} stations failed, above the threshold of ${c.failureThreshold}${c.thresholdKind === 'percent' ? '%' : ''}`;
      if (await this.repo.transition(c.id, ['running'], 'halted', { haltReason: reason })) {
        await this.repo.skipPending(c.id, 'Halted');
        this.log.warn({ campaign: c.id, failed: counts.failed, total }, 'firmware campaign halted');
      }
      return;
    }
    const windowClosed = c.windowEnd !== null && now >= c.windowEnd;
    if (windowClosed && counts.pending) await this.repo.skipPending(c.id, 'WindowClosed');
    if (counts.active === 0 && (counts.pending === 0 || windowClosed)) {
      await this.repo.transition(c.id, ['running'], 'completed');
      return;
    }
    if (windowClosed || (c.windowStart !== null && now < c.windowStart)) return;
    for (const stationId of await this.repo.claim(c.id, c.concurrency, now)) await this.send(c, stationId);
  }

  /** Brings active stations up to date from their commands; silent ones time out. */
  private async followActive(c: FirmwareCampaign, now: Date): Promise<void> {
    for (const s of await this.repo.activeStations(c.id)) {
      // its turn came while it was offline: sent once it is back, within its timeout
      if (s.commandId === null && s.status === OFFLINE && c.state === 'running' && this.isConnected(s.stationId)) {
        await this.send(c, s.stationId);
        continue;
      }
      const cmd = s.commandId === null ? undefined : await this.commands.get(s.commandId);
      const o = cmd ? stationOutcome(cmd) : undefined;
      if (o && (o.final || o.status !== s.status)) {
        await this.repo.update(c.id, s.stationId, o.status, o.final, o.final ? now : o.at);
        if (o.final) continue;
      }
      const last = Math.max(o?.at.getTime() ?? 0, (s.lastUpdateAt ?? s.startedAt ?? now).getTime());
      if (now.getTime() - last > c.stationTimeoutS * 1000) {
        await this.repo.update(c.id, s.stationId, 'Timeout', 'failed', now);
      }
    }
  }

  /** Sends the update; the journal row id is kept before the station can answer it. */
  private async send(c: FirmwareCampaign, stationId: string): Promise<void> {
    // an offline station keeps its slot and waits (a restarted node's fleet is still reconnecting)
    if (!this.isConnected(stationId)) {
      await this.repo.update(c.id, stationId, OFFLINE);
      return;
    }
    try {
      const launched = await this.commands.launch(() => this.firmware.update(stationId, c.firmwareId));
      if (launched.commandId !== undefined) await this.repo.setCommand(c.id, stationId, launched.commandId);
      else await this.repo.update(c.id, stationId, 'NotSent', 'failed');
    } catch (err) {
      this.log.warn({ err, campaign: c.id, station: stationId }, 'firmware campaign could not send an update');
      await this.repo.update(c.id, stationId, 'NotSent', 'failed');
    }
  }

  private async view(row: FirmwareCampaign): Promise<CampaignView> {
    const counts = await this.repo.counts(row.id);
    return { ...row, counts, total: Object.values(counts).reduce((a, b) => a + b, 0) };
  }
}
