import type { StationContext } from '../../adapter.js';
import type { Actions } from '../../types/generated/v201.js';

type Req<A extends keyof Actions> = Actions[A]['request'];
type Res<A extends keyof Actions> = Actions[A]['response'];

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
