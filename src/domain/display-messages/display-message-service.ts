import type { DisplayMessageInput, DisplayMessageRepo } from '../../store/index.js';
import type { MessageInfoType } from '../../ocpp/types/generated/v201.js';
import type { DisplayMessage } from '../commands.js';
import type { CommandRecord, CommandService } from '../journal/command-service.js';

function inputOf(stationId: string, m: DisplayMessage): DisplayMessageInput {
  return {
    stationId, messageId: m.id, priority: m.priority, state: m.state ?? null, startAt: m.startAt ?? null, endAt: m.endAt ?? null,
    transactionId: m.transactionRef ?? null, content: m.content, format: m.format, language: m.language ?? null,
    display: m.display ? { ...m.display } : null,
  };
}

function reportedOf(stationId: string, m: MessageInfoType): DisplayMessageInput {
  const d = m.display;
  return inputOf(stationId, {
    id: m.id, priority: m.priority, state: m.state, startAt: m.startDateTime, endAt: m.endDateTime, transactionRef: m.transactionId,
    content: m.message.content, format: m.message.format, language: m.message.language,
    display: d && { name: d.name, ...(d.instance !== undefined && { instance: d.instance }), ...(d.evse && { evseId: d.evse.id, ...(d.evse.connectorId !== undefined && { connectorId: d.evse.connectorId }) }) },
  });
}

/** 2.0.1 display messages (block O): what we asked each station to show, its answers, and what it reports. */
export class DisplayMessageService {
  constructor(
    private readonly repo: DisplayMessageRepo,
    private readonly commands: CommandService,
  ) {}

  /** Sends the message and stores it with the station's answer (not when the station could not be reached). */
  async set(stationId: string, message: DisplayMessage): Promise<CommandRecord> {
    const rec = await this.commands.send(stationId, { kind: 'setDisplayMessage', message });
    if (rec.response) await this.repo.recordSet(inputOf(stationId, message), rec.status);
    return rec;
  }

  /** Clears a message; Accepted or Unknown both mean the station no longer has it. */
  async clear(stationId: string, id: number): Promise<CommandRecord> {
    const rec = await this.commands.send(stationId, { kind: 'clearDisplayMessage', id });
    if (rec.status === 'Accepted' || rec.status === 'Unknown') await this.repo.remove(stationId, id);
    return rec;
  }

  storeReported(stationId: string, messages: MessageInfoType[]): Promise<void> {
    return this.repo.recordReported(messages.map((m) => reportedOf(stationId, m)));
  }

  list(stationId: string) {
    return this.repo.list(stationId);
  }

  get(stationId: string, id: number) {
    return this.repo.get(stationId, id);
  }
}
