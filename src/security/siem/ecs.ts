import type { SecurityEvent } from '../../store/schema.js';

/** ECS 8 severity levels: event.severity is numeric, log.level the name. */
const severityNumber: Record<string, number> = { info: 1, warning: 3, high: 5, critical: 7 };

/** One security event as an Elastic Common Schema document (M5). */
export type EcsDocument = Record<string, unknown> & { '@timestamp': string; event: { id: string; sequence: number } };

/**
 * The ECS form of a record of the security log: the same for the file, Elasticsearch and syslog.
 * event.sequence and the hash fields let a SIEM check the chain it received; the origin label is
 * observer (station or node), the actor is user.*, and ov2x.* keeps what ECS has no field for.
 */
export function toEcs(e: SecurityEvent): EcsDocument {
  const station = e.origin === 'station';
  return {
    '@timestamp': e.occurredAt.toISOString(),
    message: e.description ?? e.type,
    'ecs.version': '8.11.0',
    log: { level: e.severity, logger: 'ov2x.security' },
    event: {
      id: `ov2x-sec-${Number(e.chainSeq)}`, sequence: Number(e.chainSeq), kind: e.severity === 'info' ? 'event' : 'alert',
      category: ['intrusion_detection'], action: e.type, severity: severityNumber[e.severity] ?? 3,
      created: e.recordedAt.toISOString(), dataset: 'ov2x.security', module: 'ov2x',
      ...(e.hash && { hash: e.hash }),
    },
    observer: station ? { type: 'charging-station', name: e.stationId } : { type: 'csms', hostname: e.node },
    ...(e.stationId && { ov2x_station: { id: e.stationId } }),
    ...(e.sourceIp && { source: { ip: e.sourceIp } }),
    ...(e.actor && { user: { name: e.actor, roles: e.actorRole ? e.actorRole.split(',') : [] } }),
    ov2x: { origin: e.origin, node: e.node, chain: { seq: Number(e.chainSeq), prev_hash: e.prevHash, hash: e.hash }, details: e.details },
  } as EcsDocument;
}
