import { bootedAs, call, checkBounds } from './common.js';
import type { AttackContext, Technique } from './types.js';

/**
 * Sybil (T5): one token (a cloned card) showing up where one driver cannot be. Needs a token
 * the CSMS accepts; the two-station techniques need two stations located far apart.
 */

async function twoPlaces(ctx: AttackContext): Promise<{ stationId: string }> {
  const [a, b] = ctx.stations as [typeof ctx.stations[0], typeof ctx.stations[0]];
  const ca = await bootedAs(ctx, a!);
  const cb = await bootedAs(ctx, b!);
  for (const c of [ca, cb]) {
    const [, , res] = await call(ctx, c, 'Authorize', { idTag: ctx.token });
    const status = (res as { idTagInfo?: { status?: string } } | undefined)?.idTagInfo?.status;
    if (status !== 'Accepted') throw new Error(`token not accepted by the CSMS (${status ?? 'no answer'})`);
  }
  await ca.end();
  await cb.end();
  return { stationId: b!.id };
}

export const sybilTechniques: Technique[] = [
  { name: 'token-two-stations', detector: 'tokenTwoStations', needs: { stations: 2, token: true }, run: twoPlaces },
  // the same move, judged by distance: stations hundreds of km apart within seconds
  { name: 'impossible-travel', detector: 'impossibleTravel', needs: { stations: 2, token: true }, run: twoPlaces },
  {
    name: 'token-velocity', detector: 'tokenVelocity', needs: { stations: 1, token: true },
    // one card authorizing again and again, faster than any driver plugs in
    async run(ctx) {
      const c = await bootedAs(ctx, ctx.stations[0]!);
      for (let i = 0; i < 21; i++) {
        checkBounds(ctx);
        await call(ctx, c, 'Authorize', { idTag: ctx.token });
      }
      await c.end();
    },
  },
];
