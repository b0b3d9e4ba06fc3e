import type { StationContext } from '../../adapter.js';
import type { Req, Res } from '../types.js';
import { readingsOf } from '../meter.js';

/** Functional block J — Meter values outside transactions. */
export const meterValueHandlers = {
  async MeterValues(req: Req<'MeterValues'>, ctx: StationContext): Promise<Res<'MeterValues'>> {
    await ctx.services.transactions.meterValues({ stationId: ctx.stationId, evseId: req.evseId, readings: readingsOf(req.meterValue) });
    return {};
  },
};
