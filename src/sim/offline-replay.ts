import { pause } from './pause.js';
import { RawClient } from './raw-client.js';
import type { SimProtocol } from './types.js';

export interface OfflineReplayOptions {
  /** CSMS endpoint without the identity */
  url: string;
  identity: string;
  password?: string;
  protocol: SimProtocol;
  /** a token the CSMS accepts */
  idTag: string;
  localAddress?: string;
  /** how long the connection stays lost during the live session (ms, default 1500) */
  outageMs?: number;
  /** the energy register before the replay (Wh, default 10 000): a later run continues above the last */
  startWh?: number;
}

const MIN = 60_000;

/**
 * A legitimate offline replay, for benign traffic an IDS must not flag: a station that was
 * offline for a whole session hours ago sends it after its boot (1.6: Start/MeterValues/Stop
 * with their original timestamps; 2.0.1: TransactionEvents with `offline: true`), then loses
 * its connection in the middle of a live session, queues its readings and the stop, and sends
 * them after reconnecting (without a new boot), one CALL per answer, in order, original
 * timestamps. Registers only increase in time order. Resolves with the CALLs sent.
 */
export async function offlineReplay(o: OfflineReplayOptions): Promise<number> {
  const v16 = o.protocol === '1.6';
  const connect = () => RawClient.connect(`${o.url.replace(/\/+$/, '')}/${encodeURIComponent(o.identity)}`, {
    protocols: [v16 ? 'ocpp1.6' : 'ocpp2.0.1'], user: o.identity, password: o.password, localAddress: o.localAddress, handshakeTimeoutMs: 10_000,
  });
  let calls = 0;
  let n = 0;
  const send = async (c: RawClient, action: string, payload: unknown): Promise<Record<string, unknown>> => {
    calls++;
    const [type, , res] = await c.call(`${++n}`, action, payload, 10_000);
    if (type !== 3) throw new Error(`${o.identity}: ${action} answered with ${JSON.stringify([type, res]).slice(0, 200)}`);
    return (res ?? {}) as Record<string, unknown>;
  };
  const iso = (t: number) => new Date(t).toISOString();
  const reading16 = (t: number, wh: number) => ({ timestamp: iso(t), sampledValue: [{ value: String(Math.round(wh)), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] });
  const reading201 = (t: number, wh: number) => ({ timestamp: iso(t), sampledValue: [{ value: Math.round(wh), measurand: 'Energy.Active.Import.Register' }] });
  let wh = o.startWh ?? 10_000;
  let seq = 0;
  const txId = (suffix: string) => `${o.identity}-${suffix}`.slice(0, 36);

  // one session per phase: start, readings, stop; `live` false = replayed from the queue
  const start = async (c: RawClient, t: number, offline: boolean, tx: string): Promise<number | string> => {
    if (v16) return (await send(c, 'StartTransaction', { connectorId: 1, idTag: o.idTag, meterStart: Math.round(wh), timestamp: iso(t) })).transactionId as number;
    seq = 0;
    await send(c, 'TransactionEvent', {
      eventType: 'Started', timestamp: iso(t), triggerReason: 'Authorized', seqNo: seq++, offline,
      transactionInfo: { transactionId: tx, chargingState: 'Charging' }, evse: { id: 1, connectorId: 1 },
      idToken: { idToken: o.idTag, type: 'ISO14443' }, meterValue: [reading201(t, wh)],
    });
    return tx;
  };
  const reading = (c: RawClient, tx: number | string, t: number, offline: boolean) => v16
    ? send(c, 'MeterValues', { connectorId: 1, transactionId: tx, meterValue: [reading16(t, wh)] })
    : send(c, 'TransactionEvent', { eventType: 'Updated', timestamp: iso(t), triggerReason: 'MeterValuePeriodic', seqNo: seq++, offline, transactionInfo: { transactionId: tx, chargingState: 'Charging' }, meterValue: [reading201(t, wh)] });
  const stop = (c: RawClient, tx: number | string, t: number, offline: boolean) => v16
    ? send(c, 'StopTransaction', { transactionId: tx, meterStop: Math.round(wh), timestamp: iso(t), reason: 'Local' })
    : send(c, 'TransactionEvent', { eventType: 'Ended', timestamp: iso(t), triggerReason: 'StopAuthorized', seqNo: seq++, offline, transactionInfo: { transactionId: tx, chargingState: 'Idle', stoppedReason: 'Local' }, meterValue: [reading201(t, wh)] });

  let c = await connect();
  try {
    await send(c, 'BootNotification', v16 ? { chargePointVendor: 'OV2X', chargePointModel: 'SimCharger' } : { reason: 'PowerUp', chargingStation: { vendorName: 'OV2X', model: 'SimCharger' } });
    await send(c, 'StatusNotification', v16 ? { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: iso(Date.now()) } : { timestamp: iso(Date.now()), connectorStatus: 'Available', evseId: 1, connectorId: 1 });
    // a whole session of three hours ago, from the queue
    const t0 = Date.now() - 180 * MIN;
    const old = await start(c, t0, true, txId(`old${Date.now() % 1e6}`));
    for (let i = 1; i <= 6; i++) {
      wh += 1000;
      await reading(c, old, t0 + i * 5 * MIN, true);
    }
    await stop(c, old, t0 + 31 * MIN, true);
    // a live session whose connection drops
    wh += 10;
    const live = await start(c, Date.now(), false, txId(`live${Date.now() % 1e6}`));
    wh += 50;
    await reading(c, live, Date.now(), false);
    c.ws.terminate();
    await c.closed;
    const queue: number[] = [];
    const until = Date.now() + (o.outageMs ?? 1500);
    while (Date.now() < until) {
      await pause(Math.min(300, Math.max(1, until - Date.now())));
      queue.push(Date.now());
    }
    const stoppedAt = Date.now();
    c = await connect();
    for (const t of queue) {
      wh += 50;
      await reading(c, live, t, true);
    }
    await stop(c, live, stoppedAt, true);
  } finally {
    await c.end();
  }
  return calls;
}
