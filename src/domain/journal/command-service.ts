import type { CommandBus } from '../../bus/command-bus.js';
import { CallFailed } from '../../ocpp/rpc/call-failed.js';
import type { CommandRepo, StationCommandRow, StationCommandUpdate } from '../../store/index.js';
import { correlatedBy, journalView, type CommandKind, type StationCommand } from '../commands.js';
import type { DomainEvents } from '../events.js';

export interface CommandRecord extends StationCommandRow {
  updates: StationCommandUpdate[];
}

/**
 * Sends commands through the bus and keeps the journal: the command, the station's answer
 * (or why there was none) and every follow-up notification that reports its progress. The
 * journal row id doubles as the requestId / reservationId a command needs when the caller
 * gave none, so notifications that quote it find their command again.
 */
export class CommandService {
  constructor(
    private readonly repo: CommandRepo,
    private readonly bus: CommandBus,
    private readonly events: DomainEvents,
  ) {}

  /** Never throws for what the station did (offline, timeout, rejection): the record says it. */
  async send(stationId: string, command: StationCommand, timeoutMs?: number): Promise<CommandRecord> {
    const row = await this.repo.create(stationId, command.kind, journalView(command));
    const field = correlatedBy[command.kind];
    let sent = command;
    if (field) {
      const given = (command as unknown as Record<string, unknown>)[field];
      const requestId = typeof given === 'number' ? given : row.id % 2 ** 31;
      sent = { ...command, [field]: requestId } as StationCommand;
      await this.repo.sent(row.id, journalView(sent), requestId);
    }
    let answered: StationCommandRow;
    try {
      const r = await this.bus.send(stationId, sent, timeoutMs);
      answered = await this.repo.answered(row.id, { status: r.status, action: r.action, response: r.response });
    } catch (err) {
      if (!(err instanceof CallFailed)) throw err;
      const status = err.reason === 'Rejected' && typeof err.response?.status === 'string' ? err.response.status : 'Failed';
      answered = await this.repo.answered(row.id, { status, response: err.response, failure: `${err.reason}: ${err.message}` });
    }
    this.events.emit({ type: 'command.answered', stationId, commandId: answered.id, kind: command.kind, status: answered.status });
    return { ...answered, updates: [] };
  }

  /**
   * Attaches a follow-up notification (firmware status, log upload status, report part, ...)
   * to the newest command of `kinds` it belongs to; returns that command's id, if any.
   */
  async progress(stationId: string, kinds: readonly CommandKind[], requestId: number | undefined, status: string, details: Record<string, unknown> = {}): Promise<number | undefined> {
    const cmd = await this.repo.findLatest(stationId, kinds, requestId);
    if (!cmd) return undefined;
    await this.repo.addUpdate(cmd.id, status, details);
    this.events.emit({ type: 'command.progress', stationId, commandId: cmd.id, kind: cmd.kind, status });
    return cmd.id;
  }

  /**
   * Records one part of a multi-part report (NotifyReport, NotifyMonitoringReport, ...) as
   * progress: 'Reporting' while tbc, then 'Completed' — or 'Incomplete' with the missing
   * seqNos when earlier parts never arrived. Parts without a seqNo (NotifyDisplayMessages)
   * count by arrival.
   */
  async reportPart(stationId: string, kinds: readonly CommandKind[], requestId: number, part: { seqNo?: number; tbc?: boolean }, details: Record<string, unknown> = {}): Promise<number | undefined> {
    const cmd = await this.repo.findLatest(stationId, kinds, requestId);
    if (!cmd) return undefined;
    const earlier = await this.repo.updates(cmd.id);
    const seqNo = part.seqNo ?? earlier.length;
    let status = 'Reporting';
    const extra: Record<string, unknown> = {};
    if (!part.tbc) {
      const seen = new Set(earlier.map((u) => u.details.seqNo));
      const missing = Array.from({ length: seqNo }, (_, i) => i).filter((i) => !seen.has(i));
      status = missing.length ? 'Incomplete' : 'Completed';
      if (missing.length) extra.missing = missing;
    }
    await this.repo.addUpdate(cmd.id, status, { seqNo, ...details, ...extra });
    this.events.emit({ type: 'command.progress', stationId, commandId: cmd.id, kind: cmd.kind, status });
    return cmd.id;
  }

  async get(id: number): Promise<CommandRecord | undefined> {
    const row = await this.repo.get(id);
    return row && { ...row, updates: await this.repo.updates(id) };
  }

  list(stationId: string, opts: { kind?: CommandKind; limit?: number } = {}): Promise<StationCommandRow[]> {
    return this.repo.list({ stationId, kind: opts.kind, limit: opts.limit ?? 100 });
  }

  /** The command a notification quoting `requestId` belongs to, without recording progress (see progress). */
  find(stationId: string, kinds: readonly CommandKind[], requestId: number | undefined): Promise<StationCommandRow | undefined> {
    return this.repo.findLatest(stationId, kinds, requestId);
  }
}
