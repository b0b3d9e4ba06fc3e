import { AsyncLocalStorage } from 'node:async_hooks';
import type { CommandBus } from '../../bus/command-bus.js';
import { CallFailed } from '../../ocpp/rpc/call-failed.js';
import type { CommandRepo, StationCommandRow, StationCommandUpdate } from '../../store/index.js';
import { correlatedBy, journalView, type CommandKind, type StationCommand } from '../commands.js';
import type { DomainEvents } from '../events.js';

export interface CommandRecord extends StationCommandRow {
  updates: StationCommandUpdate[];
}

/** What `launch` gives back: the first command the operation journalled, or its result when it sent none. */
export type Launched<T> = { commandId: number; result?: undefined } | { commandId?: undefined; result: T };

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
    const { row, sent } = await this.journal(stationId, command);
    return this.deliver(stationId, row.id, command.kind, sent, timeoutMs);
  }

  /**
   * Journals the command and returns its row at once; the station's answer (or why there was
   * none) reaches the journal in the background, so an HTTP request never waits for a slow
   * station. Errors of the background part end in the journal too, never as an unhandled rejection.
   */
  async submit(stationId: string, command: StationCommand, timeoutMs?: number): Promise<StationCommandRow> {
    const { row, sent } = await this.journal(stationId, command);
    this.background(row.id, this.deliver(stationId, row.id, command.kind, sent, timeoutMs));
    return row;
  }

  /**
   * Runs a domain operation that sends commands and awaits them (a firmware update, a reservation,
   * a password rotation, ...) without waiting for the station: resolves as soon as the operation
   * journals its first command, with that command's id, or with the operation's result when it
   * ended without sending any. Rejects only when the operation failed before sending (input the
   * service refused); a later failure is recorded as an update of that first command.
   */
  launch<T>(operation: () => Promise<T>): Promise<Launched<T>> {
    return new Promise<Launched<T>>((resolve, reject) => {
      let first: number | undefined;
      const journalled = (id: number) => {
        if (first !== undefined) return;
        first = id;
        resolve({ commandId: id });
      };
      // the store follows the operation through every await, however deep the service nests its sends
      const running = this.journalled.run(journalled, operation);
      this.background(undefined, running.then(
        (result) => { if (first === undefined) resolve({ result }); },
        (err: unknown) => {
          if (first === undefined) reject(err);
          else throw err;
        },
      ), () => first);
    });
  }

  /** Resolves when every background send and launched operation has ended (shutdown, tests). */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  private readonly journalled = new AsyncLocalStorage<(id: number) => void>();
  private readonly inFlight = new Set<Promise<unknown>>();

  private async journal(stationId: string, command: StationCommand): Promise<{ row: StationCommandRow; sent: StationCommand }> {
    let row = await this.repo.create(stationId, command.kind, journalView(command));
    this.journalled.getStore()?.(row.id);
    const field = correlatedBy[command.kind];
    let sent = command;
    if (field) {
      const given = (command as unknown as Record<string, unknown>)[field];
      const requestId = typeof given === 'number' ? given : row.id % 2 ** 31;
      sent = { ...command, [field]: requestId } as StationCommand;
      await this.repo.sent(row.id, journalView(sent), requestId);
      row = { ...row, command: journalView(sent), requestId };
    }
    return { row, sent };
  }

  private async deliver(stationId: string, id: number, kind: CommandKind, sent: StationCommand, timeoutMs?: number): Promise<CommandRecord> {
    let answered: StationCommandRow;
    try {
      const r = await this.bus.send(stationId, sent, timeoutMs);
      answered = await this.repo.answered(id, { status: r.status, action: r.action, response: r.response });
    } catch (err) {
      if (!(err instanceof CallFailed)) throw err;
      const status = err.reason === 'Rejected' && typeof err.response?.status === 'string' ? err.response.status : 'Failed';
      answered = await this.repo.answered(id, { status, response: err.response, failure: `${err.reason}: ${err.message}` });
    }
    this.events.emit({ type: 'command.answered', stationId, commandId: answered.id, kind, status: answered.status });
    return { ...answered, updates: [] };
  }

  /**
   * Keeps a background promise from ever rejecting unhandled: its error is written to the journal
   * (as the answer of a command still pending, else as an update), and if even that fails it is dropped.
   */
  private background(id: number | undefined, work: Promise<unknown>, idLater: () => number | undefined = () => id): void {
    const tracked: Promise<unknown> = work.catch(async (err: unknown) => {
      const commandId = idLater();
      if (commandId === undefined) return;
      const failure = `Internal: ${err instanceof Error ? `${err.name}: ${err.message}` : 'error'}`.slice(0, 500);
      const row = await this.repo.get(commandId);
      if (row?.status === 'Pending') {
        const answered = await this.repo.answered(commandId, { status: 'Failed', failure });
        this.events.emit({ type: 'command.answered', stationId: answered.stationId, commandId, kind: answered.kind as CommandKind, status: 'Failed' });
      } else if (row) {
        await this.repo.addUpdate(commandId, 'Failed', { failure });
        this.events.emit({ type: 'command.progress', stationId: row.stationId, commandId, kind: row.kind as CommandKind, status: 'Failed' });
      }
    }).catch(() => undefined).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
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

  list(stationId: string, opts: { kind?: CommandKind; limit?: number; offset?: number; order?: 'asc' | 'desc' } = {}): Promise<StationCommandRow[]> {
    return this.repo.list({ stationId, kind: opts.kind, limit: opts.limit ?? 100, offset: opts.offset, order: opts.order });
  }

  /** The command a notification quoting `requestId` belongs to, without recording progress (see progress). */
  find(stationId: string, kinds: readonly CommandKind[], requestId: number | undefined): Promise<StationCommandRow | undefined> {
    return this.repo.findLatest(stationId, kinds, requestId);
  }
}
