import type { StationContext } from '../../adapter.js';
import type { Req, Res } from '../types.js';

/** Functional block G — Availability. */
export const availabilityHandlers = {
  Heartbeat(_req: Req<'Heartbeat'>): Res<'Heartbeat'> {
    return { currentTime: new Date().toISOString() };
  },

  async StatusNotification(req: Req<'StatusNotification'>, ctx: StationContext): Promise<Res<'StatusNotification'>> {
    await ctx.services.stations.statusChanged({
      stationId: ctx.stationId, evseId: req.evseId, connectorId: req.connectorId, status: req.connectorStatus, at: new Date(req.timestamp),
    });
    return {};
  },
};
