import type { StationContext } from '../../adapter.js';
import type { Req, Res } from '../types.js';

/** Functional block L — Firmware Management. */
export const firmwareHandlers = {
  async FirmwareStatusNotification(req: Req<'FirmwareStatusNotification'>, ctx: StationContext): Promise<Res<'FirmwareStatusNotification'>> {
    await ctx.services.firmware.status(ctx.stationId, req.requestId, req.status);
    return {};
  },

  async PublishFirmwareStatusNotification(req: Req<'PublishFirmwareStatusNotification'>, ctx: StationContext): Promise<Res<'PublishFirmwareStatusNotification'>> {
    await ctx.services.firmware.publishStatus(ctx.stationId, req.requestId, req.status, req.location);
    return {};
  },
};
