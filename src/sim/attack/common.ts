import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { pause } from '../pause.js';
import { RawClient } from '../raw-client.js';
import type { AttackContext, StationCredential } from './types.js';

export type Version = '1.6' | '2.0.1';
const subprotocol: Record<Version, string> = { '1.6': 'ocpp1.6', '2.0.1': 'ocpp2.0.1' };

export const stationUrl = (base: string, id: string): string => `${base.replace(/\/+$/, '')}/${encodeURIComponent(id)}`;

/** A fresh message id or label suffix: an attack never reuses one by accident. */
export const nonce = (bytes = 4): string => randomBytes(bytes).toString('hex');

/** Loopback host names and addresses (127/8, ::1, localhost). */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/**
 * A second loopback address in another /16 than `source` (second octet flipped): one identity
 * seen from two networks. Undefined off loopback, where the attacker cannot invent addresses.
 */
export function altAddress(source: string | undefined): string | undefined {
  const ip = source ?? '127.0.0.1';
  const m = /^127\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (!m) return undefined;
  return `127.${(Number(m[1]) + 128) % 256}.${m[2]}.${m[3]}`;
}

export function remainingMs(ctx: AttackContext): number {
  return Math.max(0, ctx.deadline - Date.now());
}

/** Stops the technique when its time is up or the run was aborted. */
export function checkBounds(ctx: AttackContext): void {
  if (ctx.signal.aborted) throw new Error('aborted');
  if (Date.now() >= ctx.deadline) throw new Error('time limit reached');
}

/** Connects as a station with its credentials (or `password` instead), from `from` (default the instance's source). */
export async function connectAs(ctx: AttackContext, st: StationCredential, o: { version?: Version; from?: string; password?: string } = {}): Promise<RawClient> {
  checkBounds(ctx);
  ctx.sent();
  const password = o.password ?? st.password;
  const c = await RawClient.connect(stationUrl(ctx.url, st.id), {
    protocols: [subprotocol[o.version ?? '1.6']], ...(password !== undefined && { user: st.id, password }),
    localAddress: o.from ?? ctx.source, handshakeTimeoutMs: Math.max(1000, Math.min(10_000, remainingMs(ctx))),
  });
  return ctx.track(c);
}

/** One upgrade attempt that is expected to be refused: the HTTP status, or 101 when it was let in (then closed). */
export async function tryUpgrade(ctx: AttackContext, id: string, o: { password?: string; from?: string } = {}): Promise<number> {
  ctx.sent();
  try {
    const c = await RawClient.connect(stationUrl(ctx.url, id), {
      protocols: ['ocpp1.6'], ...(o.password !== undefined && { user: id, password: o.password }),
      localAddress: o.from ?? ctx.source, handshakeTimeoutMs: 5000,
    });
    await c.end();
    return 101;
  } catch (err) {
    return (err as { status?: number }).status ?? 0;
  }
}

/** Fails the instance when the target never answered an upgrade (nothing listening, network down). */
export function answered(statuses: readonly number[]): void {
  if (statuses.length > 0 && statuses.every((s) => s === 0)) throw new Error('the target answered none of the upgrade attempts');
}

/** A CALL counted and bounded by the call timeout. */
export async function call(ctx: AttackContext, c: RawClient, action: string, payload: unknown, id = nonce()): Promise<unknown[]> {
  checkBounds(ctx);
  ctx.sent();
  return c.call(id, action, payload, Math.max(500, Math.min(10_000, remainingMs(ctx))));
}

export interface BootIdentity { vendor: string; model: string; serial?: string }
const defaultBoot: BootIdentity = { vendor: 'OV2X', model: 'SimCharger' };

/** BootNotification in the station's version; the answer's status. */
export async function boot(ctx: AttackContext, c: RawClient, version: Version = '1.6', who: BootIdentity = defaultBoot): Promise<string> {
  const payload = version === '1.6'
    ? { chargePointVendor: who.vendor, chargePointModel: who.model, ...(who.serial !== undefined && { chargePointSerialNumber: who.serial }) }
    : { reason: 'PowerUp', chargingStation: { vendorName: who.vendor, model: who.model, ...(who.serial !== undefined && { serialNumber: who.serial }) } };
  const [, , res] = await call(ctx, c, 'BootNotification', payload);
  return String((res as { status?: unknown } | undefined)?.status ?? 'no answer');
}

/** Connects and boots; throws when the station is not accepted (its credentials are wrong). */
export async function bootedAs(ctx: AttackContext, st: StationCredential, version: Version = '1.6', o: { from?: string; who?: BootIdentity } = {}): Promise<RawClient> {
  const c = await connectAs(ctx, st, { version, from: o.from });
  const status = await boot(ctx, c, version, o.who);
  if (status !== 'Accepted') throw new Error(`boot of ${st.id}: ${status}`);
  return c;
}

/** Reads up to `n` answers, stopping at the first silence of `quietMs`. */
export async function drain(c: RawClient, n: number, quietMs = 1500): Promise<number> {
  let got = 0;
  for (; got < n; got++) {
    try {
      await c.next(quietMs);
    } catch {
      break;
    }
  }
  return got;
}

/** Waits until the socket has handed its queued frames to the kernel (at most `ms`). */
export async function flushed(c: RawClient, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (c.ws.bufferedAmount > 0 && Date.now() < until) await pause(10);
}

export const energy = (ts: number, wh: number): Record<string, unknown> => ({
  timestamp: new Date(ts).toISOString(),
  sampledValue: [{ value: String(Math.round(wh)), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }],
});
