import type { DeviceModelRepo } from '../../store/repos/device-model.js';
import type { LocationRepo } from '../../store/repos/locations.js';

/** What an EVSE can deliver (W) and who says so. */
export interface Rating { w: number; from: 'locations' | 'deviceModel' }
/** The ratings of a station's EVSEs by EVSE id; empty if neither the operator nor the station described them. */
export type Ratings = (stationId: string) => Promise<Map<number, Rating>>;

const scale: Record<string, number> = { W: 1, kW: 1000 };

/**
 * The operator's locations model first (its connectors' max power), else the 2.0.1 device model
 * the station reported (EVSE.Power maxLimit): the station's own word only fills a gap, since a
 * station forging readings could as well report a larger limit.
 */
export function storedRatings(locations: Pick<LocationRepo, 'evseRatings'>, deviceModel: Pick<DeviceModelRepo, 'list'>): Ratings {
  return async (stationId) => {
    const [operator, reported] = await Promise.all([
      locations.evseRatings(stationId),
      deviceModel.list(stationId, { component: 'EVSE', variable: 'Power' }),
    ]);
    const out = new Map<number, Rating>();
    for (const v of reported) {
      const c = v.characteristics as { maxLimit?: unknown; unit?: unknown } | null;
      const factor = scale[typeof c?.unit === 'string' ? c.unit : 'W'];
      if (v.evseId === null || typeof c?.maxLimit !== 'number' || c.maxLimit <= 0 || factor === undefined) continue;
      out.set(v.evseId, { w: c.maxLimit * factor, from: 'deviceModel' });
    }
    for (const [evseId, w] of operator) out.set(evseId, { w, from: 'locations' });
    return out;
  };
}
