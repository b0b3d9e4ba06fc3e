import type { StationContext } from '../../adapter.js';
import type { Req, Res } from '../types.js';

/**
 * Functional block N — Diagnostics: monitoring, events and customer information (GetLog and
 * LogStatusNotification live with the log-upload handlers).
 */
export const monitoringHandlers = {
  async NotifyMonitoringReport(req: Req<'NotifyMonitoringReport'>, ctx: StationContext): Promise<Res<'NotifyMonitoringReport'>> {
    await ctx.services.monitoring.storeReport(ctx.stationId, req.monitor ?? []);
    await ctx.services.commands.reportPart(ctx.stationId, ['getMonitoringReport'], req.requestId, req, { monitors: req.monitor?.length ?? 0 });
    return {};
  },

  // events are not answers to a command: each part is stored as it comes
  async NotifyEvent(req: Req<'NotifyEvent'>, ctx: StationContext): Promise<Res<'NotifyEvent'>> {
    await ctx.services.monitoring.recordEvents(ctx.stationId, req, req.eventData);
    return {};
  },

  // the data is personal: the journal gets its size, never its content
  async NotifyCustomerInformation(req: Req<'NotifyCustomerInformation'>, ctx: StationContext): Promise<Res<'NotifyCustomerInformation'>> {
    await ctx.services.customerInformation.storePart(ctx.stationId, req);
    await ctx.services.commands.reportPart(ctx.stationId, ['customerInformation'], req.requestId, req, { bytes: Buffer.byteLength(req.data) });
    return {};
  },
};
