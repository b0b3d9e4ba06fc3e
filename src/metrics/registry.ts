import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's one Prometheus registry (served at /metrics). Every module that counts
 * something imports its metric from here, so names and labels are defined in one place and a
 * scrape sees them all. Label values are bounded by their producers (known OCPP actions and
 * error codes, fixed reasons), never taken verbatim from a peer.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'ov2x_' });

/** Connected stations per OCPP version, read at scrape time from every running OCPP server. */
const connectedSources = new Set<() => Iterable<[string, number]>>();
export function countConnectedStations(source: () => Iterable<[string, number]>): () => void {
  connectedSources.add(source);
  return () => connectedSources.delete(source);
}
export const stationsConnected = new Gauge({
  name: 'ov2x_stations_connected', help: 'Stations connected now, by OCPP version', labelNames: ['protocol'] as const, registers: [registry],
  collect() {
    this.reset();
    for (const source of connectedSources) for (const [protocol, n] of source()) this.inc({ protocol }, n);
  },
});

export const connectionsTotal = new Counter({
  name: 'ov2x_connections_total', help: 'OCPP WebSocket connection attempts, by result (accepted/refused) and reason of refusal',
  labelNames: ['result', 'reason'] as const, registers: [registry],
});

export const blockedConnectionsTotal = new Counter({
  name: 'ov2x_blocked_connections_total', help: 'Connections refused by the block lists: stage tcp (before TLS/HTTP) or upgrade, kind ip or identity',
  labelNames: ['stage', 'kind'] as const, registers: [registry],
});

export const framesTotal = new Counter({
  name: 'ov2x_frames_total', help: 'OCPP-J messages by direction (in/out), message type and action',
  labelNames: ['direction', 'type', 'action'] as const, registers: [registry],
});

export const callErrorsTotal = new Counter({
  name: 'ov2x_call_errors_total', help: 'CALLERRORs by direction (in: sent by stations, out: sent by us) and error code',
  labelNames: ['direction', 'code'] as const, registers: [registry],
});

/** Incremented by the IDS for every alert it raises. */
export const idsAlertsTotal = new Counter({
  name: 'ov2x_ids_alerts_total', help: 'IDS alerts raised, by class and severity',
  labelNames: ['class', 'severity'] as const, registers: [registry],
});
