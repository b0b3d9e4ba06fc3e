import type { CustomerInformationRepo } from '../../store/index.js';
import type { CustomerRef } from '../commands.js';
import type { CommandRecord, CommandService } from '../journal/command-service.js';

export interface CustomerReport {
  requestId: number;
  /** the parts' data joined in seqNo order */
  data: string;
  parts: number;
  /** the last part (tbc false) arrived and no seqNo before it is missing */
  complete: boolean;
  missing: number[];
}

/**
 * 2.0.1 customer information (N09/N10): asks a station to report and/or clear what it holds
 * about one customer, and assembles the NotifyCustomerInformation parts into one report.
 * The data is personal: it is stored apart and never logged.
 */
export class CustomerInformationService {
  constructor(
    private readonly repo: CustomerInformationRepo,
    private readonly commands: CommandService,
  ) {}

  /** The journal row's requestId is the key of the report the station sends back. */
  request(stationId: string, q: { customer: CustomerRef; report: boolean; clear: boolean }): Promise<CommandRecord> {
    return this.commands.send(stationId, { kind: 'customerInformation', ...q });
  }

  async storePart(stationId: string, part: { requestId: number; seqNo: number; tbc?: boolean; data: string; generatedAt: string }): Promise<void> {
    await this.repo.addPart({ stationId, requestId: part.requestId, seqNo: part.seqNo, tbc: part.tbc ?? false, data: part.data, generatedAt: part.generatedAt });
  }

  async report(stationId: string, requestId: number): Promise<CustomerReport | undefined> {
    const parts = await this.repo.parts(stationId, requestId);
    if (parts.length === 0) return undefined;
    const last = parts.at(-1)!;
    const seen = new Set(parts.map((p) => p.seqNo));
    const missing = Array.from({ length: last.seqNo }, (_, i) => i).filter((i) => !seen.has(i));
    return { requestId, data: parts.map((p) => p.data).join(''), parts: parts.length, complete: !last.tbc && missing.length === 0, missing };
  }
}
