import type { StationContext } from '../../adapter.js';
import type { Req, Res } from '../types.js';

/** Functional block N — Diagnostics: log retrieval (N01). */
export const logHandlers = {
  async LogStatusNotification(req: Req<'LogStatusNotification'>, ctx: StationContext): Promise<Res<'LogStatusNotification'>> {
    await ctx.services.logs.status(ctx.stationId, req.requestId, req.status);
    return {};
  },
};
