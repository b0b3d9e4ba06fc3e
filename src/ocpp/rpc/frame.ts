import { RpcError, type RpcErrorKind } from './errors.js';

export const CALL = 2;
export const CALLRESULT = 3;
export const CALLERROR = 4;

export type Frame =
  | { type: typeof CALL; id: string; action: string; payload: Record<string, unknown> }
  | { type: typeof CALLRESULT; id: string; payload: Record<string, unknown> }
  | { type: typeof CALLERROR; id: string; code: string; description: string; details: Record<string, unknown> };

/** messageId of a CALLERROR answering a frame whose own id could not be read (OCPP-J 2.0.1 §4.2.3). */
export const UNREADABLE_ID = '-1';
const MAX_ID_LENGTH = 36;

/** A frame that could not be decoded; `id` is the message id when it could be read. */
export class FrameError extends RpcError {
  constructor(kind: RpcErrorKind, message: string, readonly id: string, readonly isCall: boolean) {
    super(kind, message);
  }
}

/**
 * Deepest nesting of arrays/objects in a JSON text, scanned iteratively before parsing so a
 * hostile frame cannot make any recursive code overflow the stack. Stops early past `limit`.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // jump over the string: most of a frame is string content
      let end = text.indexOf('"', i + 1);
      while (end > 0 && escaped(text, end)) end = text.indexOf('"', end + 1);
      if (end < 0) return false; // unterminated: JSON.parse rejects it
      i = end;
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > limit) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

/** Whether the quote at `at` is preceded by an odd number of backslashes. */
function escaped(text: string, at: number): boolean {
  let n = 0;
  while (text.charCodeAt(at - 1 - n) === 92) n++;
  return n % 2 === 1;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function decodeFrame(text: string, maxDepth: number): Frame {
  if (jsonDepthExceeds(text, maxDepth)) {
    throw new FrameError('RpcFrameworkError', `JSON nesting deeper than ${maxDepth}`, UNREADABLE_ID, false);
  }
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    throw new FrameError('RpcFrameworkError', 'frame is not valid JSON', UNREADABLE_ID, false);
  }
  if (!Array.isArray(msg) || msg.length < 3) {
    throw new FrameError('RpcFrameworkError', 'frame is not an OCPP-J message array', UNREADABLE_ID, false);
  }
  const [type, id] = msg as [unknown, unknown];
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
    throw new FrameError('RpcFrameworkError', 'messageId must be a string of 1..36 characters', UNREADABLE_ID, type === CALL);
  }
  switch (type) {
    case CALL: {
      const [, , action, payload] = msg as unknown[];
      if (msg.length !== 4 || typeof action !== 'string') throw new FrameError('RpcFrameworkError', 'CALL must be [2, id, action, payload]', id, true);
      if (!isObject(payload)) throw new FrameError('FormatViolation', 'CALL payload must be a JSON object', id, true);
      return { type: CALL, id, action, payload };
    }
    case CALLRESULT: {
      const payload = msg[2] as unknown;
      if (msg.length !== 3 || !isObject(payload)) throw new FrameError('RpcFrameworkError', 'CALLRESULT must be [3, id, payload]', id, false);
      return { type: CALLRESULT, id, payload };
    }
    case CALLERROR: {
      const [, , code, description, details] = msg as unknown[];
      if (msg.length !== 5 || typeof code !== 'string' || typeof description !== 'string' || !isObject(details)) {
        throw new FrameError('RpcFrameworkError', 'CALLERROR must be [4, id, code, description, details]', id, false);
      }
      return { type: CALLERROR, id, code, description, details };
    }
    default:
      throw new FrameError('MessageTypeNotSupported', `message type ${JSON.stringify(type)} is not supported`, id, false);
  }
}

export const encodeCall = (id: string, action: string, payload: unknown): string => JSON.stringify([CALL, id, action, payload]);
export const encodeResult = (id: string, payload: unknown): string => JSON.stringify([CALLRESULT, id, payload]);
export const encodeError = (id: string, code: string, description: string, details: Record<string, unknown> = {}): string =>
  JSON.stringify([CALLERROR, id, code, description.slice(0, 255), details]);
