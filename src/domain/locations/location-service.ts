// Locations within a principal's station groups: a location belongs to one group, and only
// stations of that same group stand at it, so whoever sees a location sees all of its stations.
import { randomUUID } from 'node:crypto';
import { DuplicateError, InUseError } from '../../store/errors.js';
import type { EvseInput, LocationHit, LocationInput, LocationQuery, LocationRepo } from '../../store/repos/locations.js';
import type { StationGroupRepo } from '../../store/repos/station-groups.js';
import type { EvseConnectorRow, EvseRow, LocationRow } from '../../store/schema.js';
import { boundingBox, type BBox, type Point } from './geo.js';
import { availableOcppStatuses, busyOcppStatuses, stationDownOcppStatuses } from './status.js';
import { canonicalTimeZone, locationProblems } from './validation.js';
import { evseDetails, type EvseDetail } from './views.js';

export type LocationErrorKind = 'not_found' | 'forbidden' | 'invalid' | 'unknown_group' | 'group_mismatch' | 'in_use' | 'duplicate';

/** A refusal the API answers with its own status (see routes/locations.ts). */
export class LocationError extends Error {
  constructor(readonly kind: LocationErrorKind, message: string, readonly details?: unknown) {
    super(message);
    this.name = 'LocationError';
  }
}

/** station groups of the caller; null = every group */
export type Scope = readonly string[] | null;

export interface LocationSearch {
  near?: Point;
  radiusM?: number;
  bbox?: BBox;
  available?: boolean;
  groupId?: string;
  publish?: boolean;
  sort?: LocationQuery['sort'];
  order?: 'asc' | 'desc';
  limit: number;
  offset: number;
}

const inScope = (scope: Scope, groupId: string | null): boolean => scope === null || (groupId !== null && scope.includes(groupId));

/** The intersection of two boxes that do not wrap the antimeridian; undefined when they are disjoint. */
function intersect(a: BBox, b: BBox): BBox | undefined {
  if (a.minLon > a.maxLon || b.minLon > b.maxLon) return undefined;
  const r = { minLat: Math.max(a.minLat, b.minLat), maxLat: Math.min(a.maxLat, b.maxLat), minLon: Math.max(a.minLon, b.minLon), maxLon: Math.min(a.maxLon, b.maxLon) };
  return r.minLat <= r.maxLat && r.minLon <= r.maxLon ? r : undefined;
}

export class LocationService {
  constructor(private readonly repo: LocationRepo, private readonly groups: Pick<StationGroupRepo, 'get'>) {}

  #check(l: Partial<LocationInput>): Partial<LocationInput> {
    const problems = locationProblems({ country: l.country, timeZone: l.timeZone, openingTimes: l.openingTimes });
    if (problems.length) throw new LocationError('invalid', 'the location is not valid', { problems });
    return l.timeZone === undefined ? l : { ...l, timeZone: canonicalTimeZone(l.timeZone)! };
  }

  async #group(scope: Scope, groupId: string | null): Promise<void> {
    if (!inScope(scope, groupId)) throw new LocationError('forbidden', 'a scoped account keeps locations in its own station groups');
    if (groupId !== null && !(await this.groups.get(groupId))) throw new LocationError('unknown_group', `station group ${groupId} does not exist`);
  }

  /** The location when the scope sees it; not_found otherwise, so other groups' ids do not leak. */
  async get(scope: Scope, id: string): Promise<LocationRow> {
    const l = await this.repo.get(id);
    if (!l || !inScope(scope, l.groupId)) throw new LocationError('not_found', 'location not found');
    return l;
  }

  async create(scope: Scope, input: LocationInput): Promise<LocationRow> {
    const checked = this.#check(input) as LocationInput;
    await this.#group(scope, input.groupId);
    return this.repo.create(randomUUID(), checked);
  }

  /** Moving a location to another group is refused while stations stand at it: they would be left in the old one. */
  async update(scope: Scope, id: string, patch: Partial<LocationInput>): Promise<LocationRow> {
    const current = await this.get(scope, id);
    const checked = this.#check(patch);
    if (patch.groupId !== undefined && patch.groupId !== current.groupId) {
      await this.#group(scope, patch.groupId);
      if ((await this.repo.equipment(id)).stationIds.length) throw new LocationError('in_use', 'detach the stations before moving the location to another group');
    }
    return (await this.repo.update(id, checked))!;
  }

  async remove(scope: Scope, id: string): Promise<void> {
    await this.get(scope, id);
    try {
      await this.repo.remove(id);
    } catch (err) {
      if (err instanceof InUseError) throw new LocationError('in_use', 'stations are still attached to this location; detach them first');
      throw err;
    }
  }

  async search(scope: Scope, s: LocationSearch): Promise<{ items: LocationHit[]; total: number }> {
    let bbox = s.bbox;
    if (s.near && s.radiusM !== undefined) {
      const around = boundingBox(s.near, s.radiusM);
      if (!bbox) bbox = around;
      // a caller's box narrows the radius box; a box across the antimeridian stays as given (the radius still applies)
      else if (bbox.minLon <= bbox.maxLon) {
        const both = intersect(bbox, around);
        if (!both) return { items: [], total: 0 };
        bbox = both;
      }
    }
    return this.repo.search({
      groups: scope, groupId: s.groupId, publish: s.publish, near: s.near, radiusM: s.radiusM, bbox,
      available: s.available ? { available: availableOcppStatuses, busy: busyOcppStatuses, stationDown: stationDownOcppStatuses } : undefined,
      sort: s.sort, order: s.order, limit: s.limit, offset: s.offset,
    });
  }

  async detail(scope: Scope, id: string): Promise<{ location: LocationRow; stationIds: string[]; evses: EvseDetail[] }> {
    const location = await this.get(scope, id);
    const eq = await this.repo.equipment(id);
    return { location, stationIds: eq.stationIds, evses: evseDetails(eq) };
  }

  /** Attaches a station (already checked to be in scope) to a location of the same group. */
  async attach(scope: Scope, id: string, stationId: string): Promise<void> {
    const location = await this.get(scope, id);
    const station = await this.repo.stationLocation(stationId);
    if (!station) throw new LocationError('not_found', 'station not found');
    if (station.groupId !== location.groupId) throw new LocationError('group_mismatch', 'the station and the location are in different station groups');
    await this.repo.attach(stationId, id);
  }

  /** Detaches a station from the location it is attached to; not_found when it is not attached there. */
  async detach(scope: Scope, id: string, stationId: string): Promise<void> {
    await this.get(scope, id);
    const station = await this.repo.stationLocation(stationId);
    if (!station || station.locationId !== id) throw new LocationError('not_found', 'the station is not attached to this location');
    await this.repo.attach(stationId, null);
  }

  /** Defines an EVSE of a station (in scope: the API checked the station) with its connectors. */
  async putEvse(stationId: string, evseId: number, e: Omit<EvseInput, 'uid'> & { uid?: string }): Promise<{ evse: EvseRow; connectors: EvseConnectorRow[] }> {
    const ids = e.connectors.map((c) => c.connectorId);
    if (new Set(ids).size !== ids.length) throw new LocationError('invalid', 'connector ids repeat', { problems: ['connectors: each connectorId once'] });
    // an EVSE keeps its uid across redefinitions unless one is given
    const uid = e.uid ?? (await this.repo.getEvse(stationId, evseId))?.uid ?? randomUUID();
    try {
      return await this.repo.putEvse(stationId, evseId, { ...e, uid });
    } catch (err) {
      if (err instanceof DuplicateError) throw new LocationError('duplicate', 'another EVSE has this uid');
      throw err;
    }
  }

  async removeEvse(stationId: string, evseId: number): Promise<void> {
    if (!(await this.repo.removeEvse(stationId, evseId))) throw new LocationError('not_found', 'evse not found');
  }
}
