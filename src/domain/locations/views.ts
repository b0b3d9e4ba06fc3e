// A location with what stands at it: EVSEs grouped under their stations, each EVSE with its
// connector definitions and the live status mapped to OCPI.
import type { LocationEquipment } from '../../store/repos/locations.js';
import type { EvseConnectorRow, EvseRow } from '../../store/schema.js';
import type { EvseStatus } from './ocpi-enums.js';
import { evseStatusAt, ocpiStatusOf } from './status.js';

export interface ConnectorDetail extends Omit<EvseConnectorRow, 'stationId' | 'evseId'> {
  /** the connector's own live status (OCPI connectors carry none; kept for operators) */
  status: EvseStatus;
  ocppStatus: string | null;
}

export interface EvseDetail extends Omit<EvseRow, 'stationId'> {
  stationId: string;
  status: EvseStatus;
  /** when the last status report of any of its connectors was stamped */
  statusAt: Date | null;
  connectors: ConnectorDetail[];
}

function groupBy<T>(items: readonly T[], keyOf: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) {
    const k = keyOf(t);
    const list = m.get(k);
    if (list) list.push(t);
    else m.set(k, [t]);
  }
  return m;
}

export function evseDetails(eq: LocationEquipment): EvseDetail[] {
  const key = (s: string, e: number): string => `${s}\u0000${e}`;
  const live = new Map(eq.live.map((c) => [`${key(c.stationId, c.evseId)}\u0000${c.connectorId}`, c]));
  const liveByEvse = groupBy(eq.live, (c) => key(c.stationId, c.evseId));
  const defsByEvse = groupBy(eq.connectors, (c) => key(c.stationId, c.evseId));
  const removed = new Set(eq.decommissioned ?? []);
  return eq.evses.map((e) => {
    const reports = liveByEvse.get(key(e.stationId, e.evseId)) ?? [];
    const statusAt = reports.reduce<Date | null>((t, r) => (!t || r.statusAt > t ? r.statusAt : t), null);
    const connectors = (defsByEvse.get(key(e.stationId, e.evseId)) ?? []).map(({ stationId, evseId, ...c }) => {
      const l = live.get(`${key(stationId, evseId)}\u0000${c.connectorId}`);
      return { ...c, status: ocpiStatusOf(l?.status), ocppStatus: l?.status ?? null };
    });
    const station = live.get(`${key(e.stationId, 0)}\u00000`);
    // a decommissioned station's EVSEs stay listed (OCPI keeps REMOVED EVSEs for history) but cannot charge
    if (removed.has(e.stationId)) return { ...e, status: 'REMOVED' as const, statusAt, connectors: connectors.map((c) => ({ ...c, status: 'REMOVED' as const })) };
    return { ...e, status: evseStatusAt(reports.map((r) => r.status), station?.status), statusAt, connectors };
  });
}
