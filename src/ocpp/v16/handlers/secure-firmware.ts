import type { StationContext } from '../../adapter.js';
import type { Req, Res } from '../types.js';

/**
 * OCPP 1.6 security whitepaper (edition 3): signed firmware update and security log,
 * charge point → central system. Both quote the requestId of the command they report on.
 */
export const secureFirmwareHandlers = {
  async SignedFirmwareStatusNotification(req: Req<'SignedFirmwareStatusNotification'>, ctx: StationContext): Promise<Res<'SignedFirmwareStatusNotification'>> {
    await ctx.services.firmware.status(ctx.stationId, req.requestId, req.status);
    return {};
  },

  async LogStatusNotification(req: Req<'LogStatusNotification'>, ctx: StationContext): Promise<Res<'LogStatusNotification'>> {
    await ctx.services.logs.status(ctx.stationId, req.requestId, req.status);
    return {};
  },
};
