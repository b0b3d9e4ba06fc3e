// Shared by the conformance suites: a real platform, simulated or raw stations over real sockets.
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/log/logger.js';
import { SimulatedStation } from '../../src/sim/station.js';
import type { Behaviour, SimProtocol } from '../../src/sim/types.js';
import type { TestPlatform } from '../helpers/platform.js';
import { RawClient } from '../helpers/raw-client.js';

export type Obj = Record<string, unknown>;
export type CallFrame = [number, string, string, Obj];

export { until } from '../helpers/until.js';

/** A registered, connected and booted simulated station. */
export async function bootedStation(p: TestPlatform, id: string, protocol: SimProtocol, behaviour: Behaviour = {}): Promise<SimulatedStation> {
  const st = new SimulatedStation({ url: p.ocppUrl, identity: id, password: await p.addStation(id), protocol, meterIntervalMs: 0, log: silentLogger, behaviour });
  await st.connect();
  assert.equal((await st.boot()).status, 'Accepted');
  return st;
}

/** A registered and connected raw client (not booted). */
export async function rawStation(p: TestPlatform, id: string, protocol: 'ocpp1.6' | 'ocpp2.0.1'): Promise<RawClient> {
  const password = await p.addStation(id);
  return RawClient.connect(`${p.ocppUrl}/${id}`, { protocols: [protocol], user: id, password });
}

/** Answers the next CALL the raw station receives, and returns that CALL. */
export async function answerNext(c: RawClient, answer: (frame: CallFrame) => Obj): Promise<CallFrame> {
  const frame = (await c.next()) as CallFrame;
  assert.equal(frame[0], 2, `expected a CALL, got ${JSON.stringify(frame)}`);
  c.send(JSON.stringify([3, frame[1], answer(frame)]));
  return frame;
}

/** Sends a CALL from the raw station and returns the payload of the CALLRESULT. */
export async function callOk(c: RawClient, action: string, payload: unknown): Promise<Obj> {
  const [type, , res] = await c.call(`m${Math.random().toString(36).slice(2)}`, action, payload);
  assert.equal(type, 3, `${action} answered with ${JSON.stringify(res)}`);
  return res as Obj;
}

export const inSeconds = (s: number): Date => new Date(Date.now() + s * 1000);
