import type { StationContext } from '../../adapter.js';
import type { Req, Res } from '../types.js';
import { neutralProfile, neutralSchedule } from '../charging-profile.js';

/** The station's parameter objects without OCPP's customData extension point. */
function plain<T extends object>(o: T | undefined): Record<string, unknown> | undefined {
  if (!o) return undefined;
  const { customData: _ignored, ...rest } = o as T & { customData?: unknown };
  return rest;
}

/** Functional block K — Smart charging, station → CSMS. */
export const smartChargingHandlers = {
  async NotifyChargingLimit(req: Req<'NotifyChargingLimit'>, ctx: StationContext): Promise<Res<'NotifyChargingLimit'>> {
    await ctx.services.smartCharging.limitNotified(ctx.stationId, {
      evseId: req.evseId, source: req.chargingLimit.chargingLimitSource, isGridCritical: req.chargingLimit.isGridCritical,
      schedules: (req.chargingSchedule ?? []).map(neutralSchedule),
    });
    return {};
  },

  async ClearedChargingLimit(req: Req<'ClearedChargingLimit'>, ctx: StationContext): Promise<Res<'ClearedChargingLimit'>> {
    await ctx.services.smartCharging.limitCleared(ctx.stationId, req.chargingLimitSource, req.evseId);
    return {};
  },

  async NotifyEVChargingNeeds(req: Req<'NotifyEVChargingNeeds'>, ctx: StationContext): Promise<Res<'NotifyEVChargingNeeds'>> {
    const needs = req.chargingNeeds;
    await ctx.services.smartCharging.evNeeds(ctx.stationId, {
      evseId: req.evseId, requestedEnergyTransfer: needs.requestedEnergyTransfer,
      energyAmountWh: needs.acChargingParameters?.energyAmount ?? needs.dcChargingParameters?.energyAmount,
      departureTime: needs.departureTime ? new Date(needs.departureTime) : undefined, maxScheduleTuples: req.maxScheduleTuples,
      ac: plain(needs.acChargingParameters), dc: plain(needs.dcChargingParameters),
    });
    return { status: 'Accepted' };
  },

  async NotifyEVChargingSchedule(req: Req<'NotifyEVChargingSchedule'>, ctx: StationContext): Promise<Res<'NotifyEVChargingSchedule'>> {
    await ctx.services.smartCharging.evSchedule(ctx.stationId, req.evseId, new Date(req.timeBase), neutralSchedule(req.chargingSchedule));
    return { status: 'Accepted' };
  },

  async ReportChargingProfiles(req: Req<'ReportChargingProfiles'>, ctx: StationContext): Promise<Res<'ReportChargingProfiles'>> {
    await ctx.services.smartCharging.reported(ctx.stationId, {
      requestId: req.requestId, evseId: req.evseId, source: req.chargingLimitSource, tbc: req.tbc ?? false,
      profiles: req.chargingProfile.map(neutralProfile),
    });
    return {};
  },
};
