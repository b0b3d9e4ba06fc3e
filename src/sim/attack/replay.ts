import { bootedAs, call, energy, nonce } from './common.js';
import type { Technique } from './types.js';

/** Replay (T3): captured messages sent again within one session, and a clock set off to make old messages look new. */

const txEvent = (tx: string, seqNo: number, eventType: 'Started' | 'Updated') => ({
  eventType, timestamp: new Date().toISOString(), triggerReason: eventType === 'Started' ? 'CablePluggedIn' : 'MeterValuePeriodic', seqNo,
  transactionInfo: { transactionId: tx, chargingState: 'Charging' }, ...(eventType === 'Started' && { evse: { id: 1, connectorId: 1 } }),
});

export const replayTechniques: Technique[] = [
  {
    name: 'repeated-message-id', detector: 'repeatedMessageId', needs: { stations: 1 },
    async run(ctx) {
      const c = await bootedAs(ctx, ctx.stations[0]!);
      const id = `rp-${nonce()}`;
      for (let i = 0; i < 4; i++) await call(ctx, c, 'Heartbeat', {}, id);
      await c.end();
    },
  },
  {
    name: 'repeated-seqno', detector: 'repeatedSeqNo', needs: { stations: 1 },
    // 2.0.1: the same (transaction, seqNo) under fresh message ids
    async run(ctx) {
      const c = await bootedAs(ctx, ctx.stations[0]!, '2.0.1');
      const tx = `ATK-${nonce(6)}`;
      await call(ctx, c, 'TransactionEvent', txEvent(tx, 0, 'Started'));
      for (let i = 0; i < 4; i++) await call(ctx, c, 'TransactionEvent', txEvent(tx, 1, 'Updated'));
      await c.end();
    },
  },
  {
    name: 'repeated-reading', detector: 'repeatedReading', needs: { stations: 1 },
    async run(ctx) {
      const c = await bootedAs(ctx, ctx.stations[0]!);
      const reading = energy(Date.now() - 30_000, 7000);
      for (let i = 0; i < 4; i++) await call(ctx, c, 'MeterValues', { connectorId: 1, meterValue: [reading] });
      await c.end();
    },
  },
  {
    name: 'clock-skew', detector: 'clockSkew', needs: { stations: 1 },
    // live (not queued) messages stamped two hours ahead: a clock moved to make replays pass freshness checks
    async run(ctx) {
      const c = await bootedAs(ctx, ctx.stations[0]!);
      for (let i = 0; i < 5; i++) {
        await call(ctx, c, 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: i % 2 ? 'Available' : 'Preparing', timestamp: new Date(Date.now() + 7_200_000).toISOString() });
      }
      await c.end();
    },
  },
];
