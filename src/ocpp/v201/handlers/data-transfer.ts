import type { StationContext } from '../../adapter.js';
import type { Actions } from '../../types/generated/v201.js';

type Req<A extends keyof Actions> = Actions[A]['request'];
type Res<A extends keyof Actions> = Actions[A]['response'];

/** Functional block P — DataTransfer, routed to vendor handlers registered as data. */
export const dataTransferHandlers = {
  async DataTransfer(req: Req<'DataTransfer'>, ctx: StationContext): Promise<Res<'DataTransfer'>> {
    const r = await ctx.services.dataTransfer.handle(ctx.stationId, req.vendorId, req.messageId, req.data);
    return { status: r.status as Res<'DataTransfer'>['status'], ...(r.data !== undefined && { data: r.data as never }) };
  },
};
