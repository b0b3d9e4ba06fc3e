import { randomUUID } from 'node:crypto';
import type { WebSocket, RawData } from 'ws';
import type { Logger } from '../../log/logger.js';
import type { Protocol } from '../protocols.js';
import { firstViolation } from '../schemas/validators.js';
import { CallFailed } from './call-failed.js';
import { kindOfSchemaKeyword, RpcError, wireErrorCode, type RpcErrorKind } from './errors.js';
import { CALL, CALLERROR, CALLRESULT, decodeFrame, encodeCall, encodeError, encodeResult, FrameError, UNREADABLE_ID, type Frame } from './frame.js';

/**
 * The refusal of a CALL beyond the inbound queue, made once: a flooding peer gets it tens of
 * thousands of times a second, and building an Error (its stack trace) for each was most of the
 * cost of the flood (bench:ids --cpu-prof).
 */
const QUEUE_FULL = new RpcError('GenericError', 'too many outstanding CALLs from this station');

/** Handles one incoming CALL; returns the response payload or throws an RpcError. */
export type CallHandler<C> = (payload: never, ctx: C, action: string) => unknown;

/**
 * What the endpoint reports about the peer's behaviour (the IDS listens here). It gets the
 * endpoint's context, so one observer serves every connection.
 */
export interface RpcObserver<C> {
  frameIn?(bytes: number, ctx: C): void;
  /** a frame or call the peer should not have sent */
  violation?(kind: RpcErrorKind | 'UnexpectedResult' | 'InvalidResponse' | 'InboundQueueFull', detail: string, ctx: C): void;
  /**
   * Every OCPP-J message sent or received (metrics). `action` is a known action of the protocol
   * or 'unknown' (never a peer's free text); `code` is the CALLERROR's error code as on the wire.
   */
  message?(direction: 'in' | 'out', type: 'CALL' | 'CALLRESULT' | 'CALLERROR', action: string, code: string | undefined, ctx: C): void;
  /** a decoded CALL from the peer (message id and action), before it is queued */
  callIn?(messageId: string, action: string, payload: Record<string, unknown>, ctx: C): void;
  /** ms to wait before handling the peer's next CALL (the IDS throttle response); 0 = none */
  delayMs?(ctx: C): number;
}

export interface EndpointOptions<C> {
  protocol: Protocol;
  /** which side of the connection we are: decides which actions we answer and may send */
  role: 'csms' | 'station';
  handlers: ReadonlyMap<string, CallHandler<C>>;
  context: C;
  callTimeoutMs: number;
  maxJsonDepth: number;
  /** CALLs from the peer waiting behind the one being processed before we refuse more */
  maxInboundQueue?: number;
  /** our CALLs waiting for the line before call() refuses more */
  maxOutboundQueue?: number;
  observer?: RpcObserver<C>;
  log: Logger;
}

interface InboundCall { id: string; action: string; payload: Record<string, unknown> }
interface OutboundCall {
  action: string;
  payload: unknown;
  timeoutMs: number;
  resolve(result: Record<string, unknown>): void;
  reject(err: CallFailed): void;
}
interface InFlight extends OutboundCall { id: string; timer: NodeJS.Timeout }

const RECENT_TIMEOUTS = 8;

/**
 * One side of an OCPP-J connection over a `ws` socket: decodes frames, validates every payload
 * in both directions against the version's official schemas, answers the peer's CALLs one at a
 * time in arrival order, and keeps at most one CALL of ours outstanding with a queue behind it.
 *
 * Hand-written rather than taken from `ocpp-rpc`: that library reaches about half of bare `ws`
 * throughput without any persistence (see ../shared/NOTES.md), below our whole-pipeline target.
 */
export class RpcEndpoint<C> {
  private readonly inbox: InboundCall[] = [];
  private processing = false;
  private readonly outbox: OutboundCall[] = [];
  private inFlight: InFlight | undefined;
  private recentTimeouts: string[] | undefined;
  private closed = false;
  private readonly answerable: ReadonlySet<string>;
  private readonly sendable: ReadonlySet<string>;
  private readonly maxInbound: number;
  private readonly maxOutbound: number;
  /** graceful shutdown waits here for the calls in flight (see idle()) */
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly ws: WebSocket,
    private readonly o: EndpointOptions<C>,
  ) {
    const p = o.protocol;
    this.answerable = o.role === 'csms' ? p.fromStation : p.toStation;
    this.sendable = o.role === 'csms' ? p.toStation : p.fromStation;
    this.maxInbound = o.maxInboundQueue ?? 8;
    this.maxOutbound = o.maxOutboundQueue ?? 100;
    ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    ws.on('close', () => this.shutdown());
  }

  get version(): Protocol['version'] {
    return this.o.protocol.version;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Sends a CALL and resolves with the peer's validated CALLRESULT payload. */
  call(action: string, payload: unknown, timeoutMs = this.o.callTimeoutMs): Promise<Record<string, unknown>> {
    if (this.closed) return Promise.reject(new CallFailed('Offline', 'the station is not connected'));
    if (!this.sendable.has(action)) {
      return Promise.reject(new CallFailed('NotSupported', `${action} cannot be sent over ${this.version}`));
    }
    const validate = this.o.protocol.schemas.actions.get(action)!.request;
    if (!validate(payload)) {
      return Promise.reject(new CallFailed('InvalidRequest', `${action}: ${firstViolation(validate.errors).message}`));
    }
    if (this.outbox.length >= this.maxOutbound) {
      return Promise.reject(new CallFailed('QueueFull', `${this.outbox.length} calls already wait for this station`));
    }
    return new Promise((resolve, reject) => {
      this.outbox.push({ action, payload, timeoutMs, resolve, reject });
      this.pump();
    });
  }

  /**
   * Resolves once no CALL of the peer waits for its answer and no call of ours for its result
   * (or the connection closed): a graceful shutdown closes the socket only then.
   */
  idle(): Promise<void> {
    if (this.quiet) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private get quiet(): boolean {
    return this.closed || (!this.processing && this.inbox.length === 0 && !this.inFlight && this.outbox.length === 0);
  }

  private wake(): void {
    if (this.idleWaiters.length > 0 && this.quiet) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Fails every pending call; the socket is closed by the caller. */
  shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.idleWaiters.splice(0)) w();
    const offline = new CallFailed('Offline', 'the connection closed');
    if (this.inFlight) {
      clearTimeout(this.inFlight.timer);
      this.inFlight.reject(offline);
      this.inFlight = undefined;
    }
    for (const c of this.outbox.splice(0)) c.reject(offline);
    this.inbox.length = 0;
  }

  private receive(data: RawData, isBinary: boolean): void {
    const bytes = data as Buffer;
    this.o.observer?.frameIn?.(bytes.length, this.o.context);
    if (isBinary) {
      this.refuse(UNREADABLE_ID, new RpcError('RpcFrameworkError', 'OCPP-J uses text frames only'));
      return;
    }
    let frame: Frame;
    try {
      frame = decodeFrame(bytes.toString('utf8'), this.o.maxJsonDepth);
    } catch (err) {
      const e = err as FrameError;
      this.o.observer?.violation?.(e.kind, e.message, this.o.context);
      // A broken CALLRESULT/CALLERROR is never answered (that could ping-pong); if it
      // belongs to our pending call, that call fails.
      if (e.isCall || e.id === UNREADABLE_ID || e.kind === 'MessageTypeNotSupported') this.refuse(e.id, e, false);
      else if (this.inFlight?.id === e.id) this.settle(new CallFailed('InvalidResponse', e.message));
      return;
    }
    if (frame.type === CALL) {
      this.o.observer?.message?.('in', 'CALL', this.known(frame.action), undefined, this.o.context);
      this.o.observer?.callIn?.(frame.id, frame.action, frame.payload, this.o.context);
      if (this.inbox.length >= this.maxInbound) {
        this.refuse(frame.id, QUEUE_FULL);
        this.o.observer?.violation?.('InboundQueueFull', frame.action, this.o.context);
        return;
      }
      this.inbox.push(frame);
      // a full queue stops reading the socket: what the peer sends meanwhile waits in TCP buffers
      // (flow control) instead of costing a decode and a refusal each; reading resumes as the queue drains
      if (this.inbox.length >= this.maxInbound) this.ws.pause();
      if (!this.processing) void this.drain();
    } else {
      this.answer(frame);
    }
  }

  private async drain(): Promise<void> {
    this.processing = true;
    let next: InboundCall | undefined;
    while ((next = this.inbox.shift()) !== undefined) {
      if (this.ws.isPaused && !this.closed) this.ws.resume();
      // a throttled peer waits before each of its CALLs; as we answer one at a time, it slows the whole station
      const delay = this.o.observer?.delayMs?.(this.o.context) ?? 0;
      if (delay > 0) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (this.closed) break;
      }
      try {
        await this.handle(next);
      } catch (err) {
        // handle() answers every failure itself; anything escaping it is our bug, never the peer's
        this.o.log.error({ err }, 'unexpected failure while answering a CALL');
      }
    }
    this.processing = false;
    this.wake();
  }

  private async handle({ id, action, payload }: InboundCall): Promise<void> {
    const validators = this.o.protocol.schemas.actions.get(action);
    if (!validators) return this.refuse(id, new RpcError('NotImplemented', `unknown action ${action.slice(0, 60)}`));
    const handler = this.o.handlers.get(action);
    if (!this.answerable.has(action) || !handler) {
      return this.refuse(id, new RpcError('NotSupported', `${action} is not supported by this receiver`), true, action);
    }
    if (!validators.request(payload)) {
      const v = firstViolation(validators.request.errors);
      return this.refuse(id, new RpcError(kindOfSchemaKeyword(v.keyword), `${action}: ${v.message}`, { path: v.path }), true, action);
    }
    let result: unknown;
    try {
      result = await handler(payload as never, this.o.context, action);
    } catch (err) {
      if (err instanceof RpcError) return this.refuse(id, err, false, action);
      this.o.log.error({ err, action }, 'handler failed');
      return this.refuse(id, new RpcError('InternalError', 'internal error while processing the request'), false, action);
    }
    if (!validators.response(result)) {
      this.o.log.error({ action, violation: firstViolation(validators.response.errors) }, 'handler produced a schema-invalid response');
      return this.refuse(id, new RpcError('InternalError', 'internal error while processing the request'), false, action);
    }
    this.o.observer?.message?.('out', 'CALLRESULT', action, undefined, this.o.context);
    this.send(encodeResult(id, result));
  }

  private answer(frame: Extract<Frame, { type: typeof CALLRESULT | typeof CALLERROR }>): void {
    const call = this.inFlight;
    this.o.observer?.message?.('in', frame.type === CALLERROR ? 'CALLERROR' : 'CALLRESULT', call?.id === frame.id ? call.action : 'unknown', frame.type === CALLERROR ? frame.code : undefined, this.o.context);
    if (!call || call.id !== frame.id) {
      if (!this.recentTimeouts?.includes(frame.id)) this.o.observer?.violation?.('UnexpectedResult', `no pending call ${frame.id}`, this.o.context);
      return;
    }
    if (frame.type === CALLERROR) {
      const { code, description, details } = frame;
      return this.settle(new CallFailed('CallError', `${call.action} failed: ${code} ${description}`, { code, description, details }));
    }
    const validate = this.o.protocol.schemas.actions.get(call.action)!.response;
    if (!validate(frame.payload)) {
      const msg = `${call.action} response: ${firstViolation(validate.errors).message}`;
      this.o.observer?.violation?.('InvalidResponse', msg, this.o.context);
      return this.settle(new CallFailed('InvalidResponse', msg));
    }
    this.settle(frame.payload);
  }

  private settle(outcome: Record<string, unknown> | CallFailed): void {
    const call = this.inFlight!;
    clearTimeout(call.timer);
    this.inFlight = undefined;
    if (outcome instanceof CallFailed) call.reject(outcome);
    else call.resolve(outcome);
    this.pump();
    this.wake();
  }

  private pump(): void {
    if (this.inFlight || this.closed) return;
    const next = this.outbox.shift();
    if (!next) return;
    const id = randomUUID();
    const timer = setTimeout(() => this.expire(id), next.timeoutMs);
    this.inFlight = { ...next, id, timer };
    this.o.observer?.message?.('out', 'CALL', next.action, undefined, this.o.context);
    this.send(encodeCall(id, next.action, next.payload));
  }

  private expire(id: string): void {
    if (this.inFlight?.id !== id) return;
    (this.recentTimeouts ??= []).push(id);
    if (this.recentTimeouts.length > RECENT_TIMEOUTS) this.recentTimeouts.shift();
    this.settle(new CallFailed('Timeout', `${this.inFlight.action}: no answer within ${this.inFlight.timeoutMs} ms`));
  }

  /** Answers a CALL with a CALLERROR; `report` tells the observer (unless it already knows). */
  private refuse(id: string, err: RpcError, report = true, action = 'unknown'): void {
    if (report) this.o.observer?.violation?.(err.kind, err.message, this.o.context);
    const code = wireErrorCode(this.version, err.kind);
    this.o.observer?.message?.('out', 'CALLERROR', this.known(action), code, this.o.context);
    this.send(encodeError(id, code, err.message, err.details));
  }

  /** An action of this protocol as given, anything else as 'unknown' (bounded metric labels). */
  private known(action: string): string {
    return this.o.protocol.schemas.actions.has(action) ? action : 'unknown';
  }

  private send(text: string): void {
    if (this.ws.readyState === 1) this.ws.send(text);
  }
}
