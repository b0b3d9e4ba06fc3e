import type { StationContext } from '../../adapter.js';
import type { Req, Res } from '../types.js';

/** Functional block P — DataTransfer, routed to vendor handlers registered as data. */
export const dataTransferHandlers = {
  async DataTransfer(req: Req<'DataTransfer'>, ctx: StationContext): Promise<Res<'DataTransfer'>> {
    const r = await ctx.services.dataTransfer.handle(ctx.stationId, req.vendorId, req.messageId, req.data);
    return { status: r.status as Res<'DataTransfer'>['status'], ...(r.data !== undefined && { data: r.data as never }) };
  },
};
