import type { StationContext } from '../../adapter.js';
import type { Req, Res } from '../types.js';

/** Functional block O — Display Message. */
export const displayMessageHandlers = {
  // no seqNo in this message: parts count by arrival
  async NotifyDisplayMessages(req: Req<'NotifyDisplayMessages'>, ctx: StationContext): Promise<Res<'NotifyDisplayMessages'>> {
    await ctx.services.displayMessages.storeReported(ctx.stationId, req.messageInfo ?? []);
    await ctx.services.commands.reportPart(ctx.stationId, ['getDisplayMessages'], req.requestId, { tbc: req.tbc }, { messages: req.messageInfo?.length ?? 0 });
    return {};
  },
};
