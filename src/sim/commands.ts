import type { CallHandler } from '../ocpp/rpc/endpoint.js';
import { RpcError } from '../ocpp/rpc/errors.js';
import type { SimulatedStation } from './station.js';

/** How a station answers one CSMS action: normally, and when told to refuse it. */
export interface Command<Req, Res> {
  /** the answer; follow-up messages go through `st.after` so they follow the answer on the wire */
  answer(req: Req, st: SimulatedStation): Res;
  /** the negative answer used when the action is in `behaviour.reject` */
  refuse(req: Req, st: SimulatedStation): Res;
}

type ActionTypes<A> = { [K in keyof A]: { request: unknown; response: unknown } };
export type CommandTable<A extends ActionTypes<A>> = { [K in keyof A]?: Command<A[K]['request'], A[K]['response']> };

/** Endpoint handlers from a command table, honouring the station's behaviour switches. */
export function handlersOf<A extends ActionTypes<A>>(table: CommandTable<A>): ReadonlyMap<string, CallHandler<SimulatedStation>> {
  const map = new Map<string, CallHandler<SimulatedStation>>();
  for (const [action, cmd] of Object.entries(table) as [string, Command<never, unknown>][]) {
    map.set(action, (payload: never, st: SimulatedStation) => {
      // A promise that never settles keeps the CALL unanswered, as a hung station would. A fresh
      // one per call: a shared one would collect every waiting handler for good.
      if (st.behaviour.silent) return new Promise<never>(() => undefined);
      if (st.behaviour.unsupported?.has(action)) throw new RpcError('NotSupported', `${action} is not supported by this station`);
      return st.behaviour.reject?.has(action) ? cmd.refuse(payload, st) : cmd.answer(payload, st);
    });
  }
  return map;
}
