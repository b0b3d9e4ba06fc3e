import type { DomainEvent } from '../events.js';
import { can, inScope, type Principal } from '../identity/principal.js';
import type { Permission } from '../identity/roles.js';

export type EventType = DomainEvent['type'];

/**
 * What a caller needs to see each kind of event, as data (SSE and webhooks read this one
 * table). An event naming a station is further limited to callers with that station in scope;
 * one naming none (a platform-level security event) only to unscoped callers.
 */
export const eventPermission: { readonly [T in EventType]: Permission } = {
  'station.connected': 'stations:read',
  'station.disconnected': 'stations:read',
  'station.booted': 'stations:read',
  'station.decommissioned': 'stations:read',
  'connector.status': 'stations:read',
  'command.answered': 'stations:read',
  'command.progress': 'stations:read',
  'token.authorized': 'transactions:read',
  'transaction.started': 'transactions:read',
  'transaction.ended': 'transactions:read',
  'meter.values': 'transactions:read',
  'security.event': 'security:read',
};

export const eventTypes = Object.keys(eventPermission) as EventType[];

export const isEventType = (t: string): t is EventType => Object.hasOwn(eventPermission, t);

/** Who an event is checked against: a principal, or the owner recorded with a webhook subscription. */
export type Viewer = Pick<Principal, 'roles' | 'groups'>;

/** Resolves a station's group: undefined when the station is unknown, null when it is in none. */
export type GroupOf = (stationId: string) => Promise<string | null | undefined>;

/** Whether `viewer` may see `e` at all (before redaction). */
export async function maySee(viewer: Viewer, e: DomainEvent, groupOf: GroupOf): Promise<boolean> {
  if (!can(viewer as Principal, eventPermission[e.type])) return false;
  const stationId = 'stationId' in e ? e.stationId : undefined;
  if (stationId === undefined) return viewer.groups === null;
  if (viewer.groups === null) return true;
  const group = await groupOf(stationId);
  return group !== undefined && inScope(viewer as Principal, group);
}

/** Field names that carry an EV driver's identifier (personal data). */
const personalKeys = new Set(['idToken', 'idTag', 'groupIdToken', 'parentIdTag']);

/**
 * The event without driver identifiers, at any depth: the default for every listener; only a
 * caller with 'tokens:reveal' who asked for them (and was audited) gets them in clear.
 */
export function redact<T>(value: T, depth = 0): T {
  if (depth > 8 || value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!personalKeys.has(k)) out[k] = redact(v, depth + 1);
  return out as T;
}

/** A station group cache with a short life: a stream or dispatcher asks once per station per few seconds, not per event. */
export function cachedGroupOf(groupOf: GroupOf, ttlMs = 5000, maxEntries = 2000): GroupOf {
  const cache = new Map<string, { group: string | null | undefined; at: number }>();
  return async (stationId) => {
    const hit = cache.get(stationId);
    if (hit && Date.now() - hit.at < ttlMs) return hit.group;
    const group = await groupOf(stationId);
    // bounded: a stream watching many stations starts over instead of growing
    if (cache.size >= maxEntries) cache.clear();
    cache.set(stationId, { group, at: Date.now() });
    return group;
  };
}
