import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InProcessCommandBus } from './bus/command-bus.js';
import type { Config } from './config/config.js';
import { loadServerSecret } from './config/secret.js';
import { DataTransferRegistry } from './domain/data-transfer.js';
import { DeviceModelService } from './domain/device-model/device-model-service.js';
import { CommandService } from './domain/journal/command-service.js';
import { SmartChargingService } from './domain/smart-charging/smart-charging-service.js';
import { TariffService } from './domain/tariffs/tariff-service.js';
import { DomainEvents } from './domain/events.js';
import { SecurityLog } from './domain/security/security-log.js';
import type { DomainServices } from './domain/services.js';
import { StationService } from './domain/stations/station-service.js';
import { TokenService } from './domain/tokens/token-service.js';
import { TransactionService } from './domain/transactions/transaction-service.js';
import type { Logger } from './log/logger.js';
import { OcppServer } from './ocpp/transport/server.js';
import { openStore, migrateToLatest, type Store } from './store/index.js';
import { openRepositories, type Repositories } from './store/repositories.js';

export interface Platform {
  config: Config;
  store: Store;
  repos: Repositories;
  services: DomainServices;
  bus: InProcessCommandBus;
  ocpp: OcppServer;
  http: Server;
  /** e.g. ws://127.0.0.1:9000/ocpp — stations append `/<stationId>` */
  ocppUrl: string;
  close(): Promise<void>;
}

/** Opens the store (migrating it), wires the domain and starts the OCPP endpoint. */
export async function startPlatform(config: Config, log: Logger): Promise<Platform> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const { applied } = await migrateToLatest(store.db);
    if (applied.length) log.info({ migrations: applied }, 'database migrated');
    const services = wireServices(store, config, log);
    const { repos, bus } = services;
    const ocpp = new OcppServer({
      path: config.ocppPath, maxFrameBytes: config.maxFrameBytes, maxJsonDepth: config.maxJsonDepth,
      callTimeoutMs: config.callTimeout, handshakeTimeoutMs: config.handshakeTimeout, pingIntervalS: config.pingInterval,
      services: services.domain, bus, log,
    });
    const http = createServer((req, res) => {
      if (req.url === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', stations: ocpp.connectionCount }));
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    });
    // Slow or incomplete request heads (slowloris) cannot hold a socket longer than the handshake timeout.
    http.headersTimeout = config.handshakeTimeout;
    http.requestTimeout = config.handshakeTimeout;
    ocpp.attach(http);
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.ocppPort, config.host, () => resolve());
    });
    const { port } = http.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return {
      config, store, repos, services: services.domain, bus, ocpp, http,
      ocppUrl: `ws://${host}:${port}${config.ocppPath}`,
      async close() {
        await ocpp.close();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        await services.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
}

/** The domain services over a store; also used by the CLI's offline commands. */
export function wireServices(store: Store, config: Config, log: Logger): { domain: DomainServices; repos: Repositories; bus: InProcessCommandBus; close(): Promise<void> } {
  // PostgreSQL serves several connections, so a commit waiting on the server need not idle us.
  const repos = openRepositories(store.db, { maxBatch: config.writeBatch, flushMs: config.writeFlushMs, maxInFlight: store.kind === 'postgres' ? 3 : 1 });
  const events = new DomainEvents();
  const bus = new InProcessCommandBus();
  const security = new SecurityLog(repos.securityEvents, events, log);
  const tokens = new TokenService(repos.tokens);
  const stations = new StationService(repos.stations, repos.connectors, events, {
    serverSecret: loadServerSecret(config), autoRegister: config.autoRegister, heartbeatIntervalS: config.heartbeatInterval,
  });
  const transactions = new TransactionService(repos.transactions, repos.meterValues, repos.transactionProgress, tokens, security, events, log);
  // CommandService holds no state, so the services that send commands may share their own instance
  const journal = new CommandService(repos.commands, bus, events);
  const domain: DomainServices = {
    stations, tokens, transactions, security, events,
    dataTransfer: new DataTransferRegistry(), deviceModel: new DeviceModelService(repos.deviceModel),
    commands: new CommandService(repos.commands, bus, events),
    smartCharging: new SmartChargingService(repos.smartCharging, repos.stations, repos.transactions, journal),
    tariffs: new TariffService(repos.tariffs, repos.transactions, journal),
  };
  return {
    domain, repos, bus,
    async close() {
      await stations.close();
      await repos.close();
    },
  };
}
