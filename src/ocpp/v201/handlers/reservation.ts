import type { StationContext } from '../../adapter.js';
import type { Req, Res } from '../types.js';

/** Functional block H — Reservation: the station ended a reservation (H04). */
export const reservationHandlers = {
  async ReservationStatusUpdate(req: Req<'ReservationStatusUpdate'>, ctx: StationContext): Promise<Res<'ReservationStatusUpdate'>> {
    await ctx.services.reservations.statusUpdate(ctx.stationId, req.reservationId, req.reservationUpdateStatus);
    return {};
  },
};
