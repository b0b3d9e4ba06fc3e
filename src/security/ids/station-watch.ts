import { WindowCount } from './windows.js';

/** Recent CALL ids remembered per station for replay detection (T3). */
export const ID_RING = 64;
/** Recent frames kept per station as evidence (action, id, size). */
const EVIDENCE_RING = 8;
/** Recent TransactionEvent seqNos and meter readings remembered per station (T3). */
export const SEQ_RING = 32;

/**
 * What the engine keeps per connected station: fixed-size rings and one window counter per
 * station rule. Created on connect, dropped on disconnect, so memory is bounded by the fleet.
 */
export class StationWatch {
  readonly windows: WindowCount[];
  /** frames seen in each badFrames rule's window, for its ratio */
  readonly framesInWindow: number[];
  readonly ids: string[] = new Array<string>(ID_RING).fill('');
  idCursor = 0;
  readonly evActions: string[] = new Array<string>(EVIDENCE_RING).fill('');
  readonly evIds: string[] = new Array<string>(EVIDENCE_RING).fill('');
  readonly evBytes: number[] = new Array<number>(EVIDENCE_RING).fill(0);
  evCursor = 0;
  lastBytes = 0;
  throttleMs = 0;
  throttleUntil = 0;
  /** recent (transaction, seqNo) of TransactionEvents and (EVSE, timestamp, register) of readings (T3), fixed rings */
  readonly seqs: string[] = new Array<string>(SEQ_RING).fill('');
  seqCursor = 0;
  readonly readings: string[] = new Array<string>(SEQ_RING).fill('');
  readingCursor = 0;
  /** per EVSE: the latest-stamped energy register reading (T2); a station has a handful of EVSEs */
  readonly registers = new Map<number, { at: number; wh: number }>();

  /** when the socket opened, and whether a frame came since (T1 half-open upgrade) */
  readonly since = Date.now();
  heard = false;
  /** slowHandshake rules (by index) that already counted this connection as half-open */
  halfOpen: Set<number> | undefined;
  /** CALLs received, and CALLs the endpoint started on: the difference is the station's queue (T1 boot burst) */
  callsIn = 0;
  callsStarted = 0;
  /** when the station last sent a BootNotification in this session (0: not yet) */
  bootAt = 0;

  constructor(readonly ip: string, ruleCount: number) {
    this.windows = Array.from({ length: ruleCount }, () => new WindowCount());
    this.framesInWindow = new Array<number>(ruleCount).fill(0);
  }

  note(action: string, id: string, bytes: number): void {
    this.evActions[this.evCursor] = action;
    this.evIds[this.evCursor] = id;
    this.evBytes[this.evCursor] = bytes;
    this.evCursor = (this.evCursor + 1) % EVIDENCE_RING;
  }

  /** The recent frames, oldest first: metadata only, never payloads (they may hold personal data). */
  recentFrames(): Array<{ action: string; messageId: string; bytes: number }> {
    const out = [];
    for (let i = 0; i < EVIDENCE_RING; i++) {
      const j = (this.evCursor + i) % EVIDENCE_RING;
      if (this.evActions[j]) out.push({ action: this.evActions[j]!, messageId: this.evIds[j]!.slice(0, 64), bytes: this.evBytes[j]! });
    }
    return out;
  }
}
