import { bootedAs, call, energy, nonce } from './common.js';
import type { Technique } from './types.js';

/** Injection (T2): well-formed frames whose content no honest station sends. */

const power = (ts: number, w: number) => ({
  timestamp: new Date(ts).toISOString(),
  sampledValue: [{ value: String(Math.round(w)), measurand: 'Power.Active.Import', unit: 'W' }],
});

export const injectionTechniques: Technique[] = [
  {
    name: 'unsolicited-results', detector: 'unsolicitedResult', needs: { stations: 1 },
    // answers to calls the CSMS never made: a probe for a confused request/response matcher
    async run(ctx) {
      const c = await bootedAs(ctx, ctx.stations[0]!);
      for (let i = 0; i < 5; i++) c.send(JSON.stringify([3, `never-${nonce()}`, { status: 'Accepted' }]));
      ctx.sent(5);
      await call(ctx, c, 'Heartbeat', {});
      await c.end();
    },
  },
  {
    name: 'energy-decrease', detector: 'energyDecrease', needs: { stations: 1 },
    // a register going backwards in its own time order: a forged reading lowering the bill
    async run(ctx) {
      const c = await bootedAs(ctx, ctx.stations[0]!);
      const now = Date.now();
      await call(ctx, c, 'MeterValues', { connectorId: 1, meterValue: [energy(now - 120_000, 50_000)] });
      await call(ctx, c, 'MeterValues', { connectorId: 1, meterValue: [energy(now - 60_000, 40_000)] });
      await c.end();
    },
  },
  {
    name: 'future-timestamps', detector: 'futureTimestamp', needs: { stations: 1 },
    async run(ctx) {
      const c = await bootedAs(ctx, ctx.stations[0]!);
      for (let i = 0; i < 4; i++) await call(ctx, c, 'MeterValues', { connectorId: 1, meterValue: [energy(Date.now() + 3_600_000 + i * 1000, 100 + i)] });
      await c.end();
    },
  },
  {
    name: 'unknown-transaction', detector: 'unknownTransaction', needs: { stations: 1 },
    // readings for a transaction id the CSMS never handed out
    async run(ctx) {
      const c = await bootedAs(ctx, ctx.stations[0]!);
      const tx = 1_900_000_000 + Math.floor(Math.random() * 100_000_000);
      for (let i = 0; i < 3; i++) await call(ctx, c, 'MeterValues', { connectorId: 1, transactionId: tx, meterValue: [energy(Date.now() - (3 - i) * 1000, 1000 + i * 10)] });
      await c.end();
    },
  },
  {
    name: 'stop-twice', detector: 'repeatedStop', needs: { stations: 1 },
    // the second stop has its own message id: not a re-send of a lost answer but a second bill
    async run(ctx) {
      const c = await bootedAs(ctx, ctx.stations[0]!);
      const idTag = ctx.token ?? `ATK${nonce(4)}`.toUpperCase();
      const [, , started] = await call(ctx, c, 'StartTransaction', { connectorId: 1, idTag, meterStart: 0, timestamp: new Date(Date.now() - 60_000).toISOString() });
      const tx = (started as { transactionId?: number } | undefined)?.transactionId;
      if (typeof tx !== 'number') throw new Error('StartTransaction was not answered with a transaction id');
      for (let i = 0; i < 2; i++) await call(ctx, c, 'StopTransaction', { transactionId: tx, meterStop: 5000 + i, timestamp: new Date().toISOString(), reason: 'Local' });
      await c.end();
    },
  },
  {
    name: 'over-power', detector: 'overPower', needs: { stations: 1 },
    // 2 MW through one connector: above any rating
    async run(ctx) {
      const c = await bootedAs(ctx, ctx.stations[0]!);
      for (let i = 0; i < 3; i++) await call(ctx, c, 'MeterValues', { connectorId: 1, meterValue: [power(Date.now() - (3 - i) * 1000, 2_000_000)] });
      await c.end();
    },
  },
];
