import type { StationContext } from '../../adapter.js';
import type { Actions } from '../../types/generated/v201.js';
import { readingsOf } from '../meter.js';

type Req<A extends keyof Actions> = Actions[A]['request'];
type Res<A extends keyof Actions> = Actions[A]['response'];

/** Functional block J — Meter values outside transactions. */
export const meterValueHandlers = {
  async MeterValues(req: Req<'MeterValues'>, ctx: StationContext): Promise<Res<'MeterValues'>> {
    await ctx.services.transactions.meterValues({ stationId: ctx.stationId, evseId: req.evseId, readings: readingsOf(req.meterValue) });
    return {};
  },
};
