import type { StationContext } from '../../adapter.js';
import type { Req, Res } from '../types.js';

/**
 * OCPP 1.6 Firmware Management profile, charge point → central system. Neither notification
 * carries a requestId: each belongs to the station's newest update / log request.
 */
export const firmwareManagementHandlers = {
  async FirmwareStatusNotification(req: Req<'FirmwareStatusNotification'>, ctx: StationContext): Promise<Res<'FirmwareStatusNotification'>> {
    await ctx.services.firmware.status(ctx.stationId, undefined, req.status);
    return {};
  },

  async DiagnosticsStatusNotification(req: Req<'DiagnosticsStatusNotification'>, ctx: StationContext): Promise<Res<'DiagnosticsStatusNotification'>> {
    await ctx.services.logs.status(ctx.stationId, undefined, req.status);
    return {};
  },
};
