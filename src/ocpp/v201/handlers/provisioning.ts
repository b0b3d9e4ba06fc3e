import type { StationContext } from '../../adapter.js';
import type { Req, Res } from '../types.js';

/** Functional block B — Provisioning. */
export const provisioningHandlers = {
  async BootNotification(req: Req<'BootNotification'>, ctx: StationContext): Promise<Res<'BootNotification'>> {
    const cs = req.chargingStation;
    const r = await ctx.services.stations.boot(ctx.stationId, {
      protocol: 'ocpp2.0.1', vendor: cs.vendorName, model: cs.model, serialNumber: cs.serialNumber,
      firmwareVersion: cs.firmwareVersion, iccid: cs.modem?.iccid, imsi: cs.modem?.imsi, reason: req.reason,
    });
    ctx.registration = r.status;
    return { status: r.status, currentTime: r.currentTime.toISOString(), interval: r.intervalS };
  },

  async NotifyReport(req: Req<'NotifyReport'>, ctx: StationContext): Promise<Res<'NotifyReport'>> {
    await ctx.services.deviceModel.storeReport(ctx.stationId, req.reportData ?? []);
    await ctx.services.commands.reportPart(ctx.stationId, ['getBaseReport', 'getReport'], req.requestId, req, { variables: req.reportData?.length ?? 0 });
    return {};
  },
};
