import type { Config } from '../config/config.js';
import type { DomainEvents } from '../domain/events.js';
import type { WebhookDispatcher } from '../domain/webhooks/dispatcher.js';
import type { EventHub } from '../domain/webhooks/event-hub.js';
import type { WebhookService } from '../domain/webhooks/webhook-service.js';
import type { StationService } from '../domain/stations/station-service.js';
import type { WebhookRepo } from '../store/repos/webhooks.js';
import type { Logger } from '../log/logger.js';
import { ClusterCommandBus } from './cluster-bus.js';
import { startEventFanout } from './event-fanout.js';
import type { ClusterLink } from './connect.js';
import { startWebhookSync } from './webhook-sync.js';

/** What of this node's domain the cluster ties to the other nodes. */
export interface ClusterWiring {
  events: DomainEvents;
  hub: EventHub;
  webhooks: WebhookService;
  dispatcher: WebhookDispatcher;
  webhookRepo: WebhookRepo;
  stations: StationService;
}

/** This process as a cluster node (REDIS_URL set): the command bus over Redis and the event fan-out. */
export interface ClusterNode {
  bus: ClusterCommandBus;
  start(w: ClusterWiring): Promise<void>;
  close(): Promise<void>;
}

/** `redis` is the platform's one connection pair (closed by the platform, after the node). */
export function openClusterNode(redis: ClusterLink, config: Config, log: Logger): ClusterNode {
  // not refused: a single node may use Redis alone (tests, the shared limits); several nodes on PGlite share nothing
  if (!config.databaseUrl) log.warn('cluster mode (REDIS_URL) without DATABASE_URL: nodes share only Redis; run every node on one PostgreSQL');
  const bus = new ClusterCommandBus(redis, log, { callTimeoutMs: config.callTimeout });
  const stops: Array<() => void> = [];
  return {
    bus,
    async start(w) {
      await bus.start();
      // the API's "connected" of a station is cluster-wide
      w.stations.connectedElsewhere((id) => bus.isRemote(id));
      stops.push(await startEventFanout(redis, bus.nodeId, w.events, w.hub, log, {
        // decommissioned on another node: the holder of the socket closes it, as the transport does for its own events
        'station.decommissioned': (e) => bus.closeLocal(e.stationId, 1008, 'station decommissioned'),
      }));
      stops.push(await startWebhookSync(redis, bus.nodeId, w.webhooks, w.dispatcher, w.webhookRepo, log));
    },
    async close() {
      for (const stop of stops) stop();
      await bus.close();
    },
  };
}
