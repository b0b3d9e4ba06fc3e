import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InProcessCommandBus } from './bus/command-bus.js';
import type { Config } from './config/config.js';
import { loadServerSecret } from './config/secret.js';
import { DataTransferRegistry } from './domain/data-transfer.js';
import { DeviceModelService } from './domain/device-model/device-model-service.js';
import { CommandService } from './domain/journal/command-service.js';
import { SmartChargingService } from './domain/smart-charging/smart-charging-service.js';
import { TariffService } from './domain/tariffs/tariff-service.js';
import { CdrService, tokenPseudonymizer } from './domain/cdrs/index.js';
import { cdrIssueContext } from './domain/cdrs/location.js';
import { StationOpsService } from './domain/stations/station-ops.js';
import { MonitoringService } from './domain/monitoring/monitoring-service.js';
import { CustomerInformationService } from './domain/customer-information/customer-information-service.js';
import { DisplayMessageService } from './domain/display-messages/display-message-service.js';
import { DomainEvents } from './domain/events.js';
import { SecurityLog } from './domain/security/security-log.js';
import type { DomainServices } from './domain/services.js';
import { StationService } from './domain/stations/station-service.js';
import { PasswordRotationService } from './domain/stations/password-rotation.js';
import { SecurityProfileUpgradeService } from './domain/stations/security-profile-upgrade.js';
import { sealer } from './domain/crypto/sealed.js';
import { masterKeysFrom } from './domain/crypto/key-hierarchy.js';
import { PrivacyService } from './domain/privacy/privacy-service.js';
import { DataSubjectRegistry } from './domain/privacy/data-subject.js';
import { TokenRefBackfill } from './store/repos/token-ref-backfill.js';
import { isTokenRef } from './store/repos/token-refs.js';
import { RetentionService, retentionPolicyOf } from './domain/privacy/retention.js';
import { TokenDataHolder } from './domain/privacy/token-holder.js';
import { CustomerService } from './domain/customers/customer-service.js';
import { CustomerCharging } from './domain/customers/customer-charging.js';
import { cdrsHolder, customersHolder, DataSubjectService } from './domain/customers/data-subject-service.js';
import { InvoiceService, invoiceDataHolder } from './domain/invoices/index.js';
import { TokenService } from './domain/tokens/token-service.js';
import { TransactionService } from './domain/transactions/transaction-service.js';
import { ReservationService } from './domain/reservations/reservation-service.js';
import { LocalAuthListService } from './domain/local-auth/local-auth-list-service.js';
import { CertificateService } from './domain/certificates/certificate-service.js';
import type { Logger } from './log/logger.js';
import { OcppServer } from './ocpp/transport/server.js';
import { openStore, migrateToLatest, type Store } from './store/index.js';
import { openRepositories, type Repositories } from './store/repositories.js';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from './http/server.js';
import { ocspRoutes } from './http/ocsp.js';
import { Iso15118Pki } from './domain/pki/iso15118-pki.js';
import { iso15118ProviderFor } from './domain/pki/iso15118-provider.js';
import { OcspResponder } from './domain/pki/ocsp.js';
import { TransferService } from './domain/transfers/transfer-service.js';
import { FirmwareService } from './domain/firmware/firmware-service.js';
import { FirmwareImageService } from './domain/firmware/image-service.js';
import { FirmwareCampaignService } from './domain/firmware/campaign-service.js';
import { parseTrustAnchors } from './domain/firmware/signature.js';
import { FirmwareCampaignRepo } from './store/repos/firmware-campaigns.js';
import { LogService } from './domain/logs/log-service.js';
import type { RevocationCheck } from './domain/pki/revocation.js';
import { createTlsListener, type TlsListener } from './http/tls.js';
import { trustedProxies } from './ocpp/transport/peer.js';
import { PkiService } from './domain/pki/pki-service.js';
import { registerApi, type ApiRoute } from './api/plugin.js';
import { AccountService } from './domain/identity/account-service.js';
import { SessionService } from './domain/identity/session-service.js';
import { AuditLog } from './domain/identity/audit-log.js';
import { SiemExporter } from './security/siem/exporter.js';
import { siemSinksFrom } from './security/siem/from-config.js';
import { ldapDirectoryFrom } from './domain/identity/ldap-directory.js';
import { DirectorySessions } from './domain/identity/directory-sessions.js';
import { ApiKeyService } from './domain/identity/api-keys.js';
import { TwoFactorService } from './domain/identity/totp.js';
import { UserAdmin } from './domain/identity/user-admin.js';
import { ensureFirstAdmin } from './domain/identity/first-admin.js';
import type { IdentityServices } from './domain/identity/index.js';
import { oidcService } from './domain/identity/oidc.js';
import { EventHub } from './domain/webhooks/event-hub.js';
import { defaultDeliveryOptions, WebhookDispatcher } from './domain/webhooks/dispatcher.js';
import { WebhookService } from './domain/webhooks/webhook-service.js';
import { cachedGroupOf } from './domain/webhooks/visibility.js';
import { SwitchingLimits, switchingLimitTable } from './domain/identity/switching-limits.js';
import { MemoryRateLimiter } from './domain/identity/rate-limiter.js';
import { LocationService } from './domain/locations/location-service.js';
import { PerimeterBlockList } from './security/perimeter/block-list.js';
import { PerimeterGate } from './security/perimeter/gate.js';
import { ConnectionLimits } from './security/perimeter/limits.js';
import { metricsRoutes } from './http/metrics.js';
import { AlertService } from './security/ids/alerts.js';
import { OperationsView } from './domain/operations/operations-view.js';
import { IdsEngine } from './security/ids/engine.js';
import { Responder } from './security/ids/responses.js';
import { ruleTable } from './security/ids/rules.js';
import { storedRatings } from './security/ids/ratings.js';
import { clusterRedis, type ClusterLink } from './cluster/connect.js';
import { SharedConnectionLimits } from './cluster/connection-limits.js';
import { RedisRateLimiter } from './cluster/rate-limiter.js';
import { shareBlockList } from './cluster/block-list-sync.js';
import { redisSightings } from './cluster/ids-sightings.js';
import { openClusterNode, type ClusterNode } from './cluster/node.js';
import { readyRoutes } from './http/ready.js';
import { sql } from 'kysely';
import { BackupScheduler } from './ops/backup-scheduler.js';

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
  /** the Fastify instance behind `http`: health, file transfers, later the REST API */
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:9000 */
  httpUrl: string;
  /** every route of /api/v1 with the permission it needs (the authorization-matrix test walks them) */
  apiRoutes: ApiRoute[];
  /** the TLS listener (security profiles 2/3, https API) when `OV2X_TLS_PORT` is set */
  tls?: TlsListener & { ocppUrl: string; httpUrl: string };
  /** set on the first start only (no accounts yet): the administrator created and its one-time password, to show once */
  firstAdmin?: { username: string; password: string };
  /** the intrusion detection engine (issue 7); undefined with OV2X_IDS=false */
  ids?: IdsEngine;
  /** the cluster's Redis (issue 9) when REDIS_URL is set */
  redis?: ClusterLink;
  /**
   * Graceful shutdown (SIGTERM/SIGINT): /ready turns 503, new stations are refused, each station
   * is closed with 1012 once its calls in flight are answered (bounded by OV2X_DRAIN_TIMEOUT_MS),
   * then batched writes are flushed and the store closed (close()).
   */
  shutdown(): Promise<void>;
}

export interface PlatformExtras {
  /** asked for every station client certificate; default: the CPO PKI's revocation list */
  revocation?: RevocationCheck;
}

/** Opens the store (migrating it), wires the domain and starts the OCPP endpoint. */
export async function startPlatform(config: Config, log: Logger, extras: PlatformExtras = {}): Promise<Platform> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, pgliteWorker: config.pgliteWorker });
  let tls: Platform['tls'];
  let redis: ClusterLink | undefined;
  let cluster: ClusterNode | undefined;
  try {
    const { applied } = await migrateToLatest(store.db);
    if (applied.length) log.info({ migrations: applied }, 'database migrated');
    // cluster (issue 9): one Redis connection pair for the shared limits, block-list changes and IDS sightings,
    // and for the node: commands routed to whichever node holds the station, events fanned out
    redis = await clusterRedis(config, log);
    cluster = redis ? openClusterNode(redis, config, log) : undefined;
    const services = wireServices(store, config, log, redis, cluster?.bus);
    await cluster?.start({ events: services.domain.events, hub: services.domain.eventHub, webhooks: services.domain.webhooks, dispatcher: services.webhookDispatcher, webhookRepo: services.repos.webhooks, stations: services.domain.stations });
    const { repos, bus } = services;
    await services.domain.privacy.start();
    // the OCPP server's platform only: an offline CLI command wires services without the job
    services.domain.retention.start();
    // SIEM export (M5) from the OCPP server's platform only, like retention
    services.domain.siem.start();
    // firmware campaigns advance from the OCPP server's platform only, like retention
    services.domain.firmwareCampaigns.start();
    const firstAdmin = await ensureFirstAdmin(repos.users);
    await services.webhookDispatcher.start();
    // the block lists are in force before the first connection is accepted
    await services.domain.perimeter.start();
    const stopSharingBlocks = redis && await shareBlockList(services.domain.perimeter, redis, log);
    const proxies = trustedProxies(config.trustedProxies);
    const localLimits = new ConnectionLimits({
      maxPerIp: config.maxConnectionsPerIp, ratePerS: config.connectRatePerIp, burst: config.connectBurstPerIp,
    });
    const sharedLimits = redis && new SharedConnectionLimits(redis, localLimits, {
      maxPerIp: config.maxConnectionsPerIp, ratePerS: config.connectRatePerIp, burst: config.connectBurstPerIp,
    }, log);
    const perimeter = new PerimeterGate(services.domain.perimeter, sharedLimits ?? localLimits, services.domain.security, proxies);
    // intrusion detection (issue 7): the rule table is validated here, so a bad OV2X_IDS_RULES stops the start;
    // block responses go to the perimeter block list
    const idsResponder = new Responder({ disconnect: (id: string, reason: string): boolean => ocpp.disconnect(id, reason) }, services.domain.perimeter);
    const locate = async (stationId: string) => {
      const at = await repos.locations.stationLocation(stationId);
      const l = at?.locationId ? await repos.locations.get(at.locationId) : undefined;
      return l && { lat: l.latitude, lon: l.longitude };
    };
    const ratings = storedRatings(repos.locations, repos.deviceModel);
    const ids = config.ids ? new IdsEngine(ruleTable(config.idsRules), idsResponder, services.domain.idsAlerts, services.domain.events, log, locate, ratings) : undefined;
    if (ids && redis) ids.useSightings(redisSightings(redis, log));
    const ocpp = new OcppServer({
      path: config.ocppPath, maxFrameBytes: config.maxFrameBytes, maxJsonDepth: config.maxJsonDepth,
      callTimeoutMs: config.callTimeout, handshakeTimeoutMs: config.handshakeTimeout, pingIntervalS: config.pingInterval,
      services: services.domain, bus, log,
      perimeter, maxPendingCalls: config.maxPendingCalls,
      ids,
      transportSecurity: {
        clientRoots: () => tls?.files.clientRoots ?? [],
        organization: config.cpoOrganization,
        revocation: extras.revocation ?? services.domain.pki,
        proxy: { proxies: trustedProxies(config.trustedProxies), certificateHeader: config.clientCertHeader },
      },
    });
    // a new block also ends the connections it covers (on every node, at its next re-read of the lists)
    const stopDropping = services.domain.perimeter.onChange(() => ocpp.dropBlocked((kind, value) => services.domain.perimeter.isBlocked(kind, value)));
    const app = await createHttpServer({ config, log, transfers: services.domain.transfers, pki: services.domain.pki, health: () => ({ stations: ocpp.connectionCount }) });
    await app.register(ocspRoutes, { responder: services.domain.ocsp });
    const apiRoutes = await registerApi(app, { services: services.domain, config, log });
    await app.register(metricsRoutes, { services: services.domain, config, log });
    // the listener opens only after migrateToLatest above, so a serving node is always migrated
    await app.register(readyRoutes, { draining: () => ocpp.isDraining, migrated: () => true, ping: async () => { await sql`select 1`.execute(store.db); } });
    const http = app.server;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    // the TLS listener serves the same routes and the same OCPP upgrade handler as the plain one
    if (config.tlsPort !== undefined) {
      const listener = createTlsListener(app, config, log, services.domain.security);
      perimeter.guard(listener.server);
      ocpp.attach(listener.server);
      await new Promise<void>((resolve, reject) => {
        listener.server.once('error', (err) => { listener.files.close(); reject(err); }).listen(config.tlsPort, config.host, () => resolve());
      });
      const { port } = listener.server.address() as AddressInfo;
      tls = Object.assign(listener, { ocppUrl: `wss://${host}:${port}${config.ocppPath}`, httpUrl: `https://${host}:${port}` });
    }
    const plain = config.tlsPort === undefined || config.tlsPlain;
    if (plain) {
      perimeter.guard(http);
      ocpp.attach(http);
      await app.listen({ port: config.ocppPort, host: config.host });
    } else {
      await app.ready();
    }
    const port = plain ? (http.address() as AddressInfo).port : config.ocppPort;
    if (plain) services.domain.transfers.setListenAddress(config.host, port);
    // with a CA in the store SignCertificate is Accepted from the first station on
    await services.domain.pki.refresh().catch((err: unknown) => log.error({ err }, 'the CPO CA could not be loaded; certificates are not signed'));
    services.domain.pki.start();
    // scheduled backups (OP2) from the serving platform only, like retention
    const backups = config.backupDir && config.backupInterval > 0
      ? new BackupScheduler({ store, config, log, intervalMs: config.backupInterval * 1000 })
      : undefined;
    backups?.start();
    let closing: Promise<void> | undefined;
    const close = async (): Promise<void> => {
      stopDropping();
      await backups?.stop();
      await ocpp.close();
      // after the sockets: their closes release their presence while Redis is still there
      await cluster?.close();
      ids?.close();
      await ids?.settled();
      await tls?.close();
      await app.close();
      await stopSharingBlocks?.();
      sharedLimits?.close();
      await services.close();
      await redis?.close();
      await store.close();
    };
    return {
      config, store, repos, services: services.domain, bus, ocpp, http, app, tls, apiRoutes,
      firstAdmin,
      ids, redis,
      // with the plain listener off, stations and clients have only the TLS addresses
      ocppUrl: tls && !plain ? tls.ocppUrl : `ws://${host}:${port}${config.ocppPath}`,
      httpUrl: tls && !plain ? tls.httpUrl : `http://${host}:${port}`,
      close: () => (closing ??= close()),
      async shutdown() {
        const drained = await ocpp.drain(config.drainTimeout);
        log.info(drained, 'stations asked to reconnect (1012)');
        // services.close() flushes the batch writers before the store closes
        await (closing ??= close());
      },
    };
  } catch (err) {
    await tls?.close();
    await cluster?.close().catch(() => undefined);
    await redis?.close();
    await store.close().catch(() => undefined);
    throw err;
  }
}

/** The domain services over a store; also used by the CLI's offline commands. */
export function wireServices(store: Store, config: Config, log: Logger, redis?: ClusterLink, clusterBus?: InProcessCommandBus): { domain: DomainServices; repos: Repositories; bus: InProcessCommandBus; webhookDispatcher: WebhookDispatcher; close(): Promise<void> } {
  // PostgreSQL serves several connections, so a commit waiting on the server need not idle us.
  const repos = openRepositories(store.db, { maxBatch: config.writeBatch, flushMs: config.writeFlushMs, maxInFlight: store.kind === 'postgres' ? 3 : 1 });
  const events = new DomainEvents();
  const bus = clusterBus ?? new InProcessCommandBus();
  const security = new SecurityLog(repos.securityEvents, events, log);
  const tokens = new TokenService(repos.tokens);
  const serverSecret = loadServerSecret(config);
  // token UIDs are stored encrypted and looked up by blind index from the first write on (G1/G2)
  const privacy = new PrivacyService(repos.dataKeys, repos.tokens, masterKeysFrom(config, serverSecret), log);
  repos.tokens.protect(privacy);
  // no table but id_tokens holds a UID: the others store the token's pseudonym (migration 0024)
  repos.transactions.referTokens(privacy);
  repos.reservations.referTokens(privacy);
  repos.commands.referTokens(privacy);
  repos.localAuthLists.referTokens(privacy);
  privacy.backfillReferences(new TokenRefBackfill(store.db));
  const stations = new StationService(repos.stations, repos.connectors, events, {
    serverSecret, autoRegister: config.autoRegister, heartbeatIntervalS: config.heartbeatInterval,
  }, repos.passwordRotations);
  const transactions = new TransactionService(repos.transactions, repos.meterValues, repos.transactionProgress, tokens, security, events, log, { zombieGraceMs: config.zombieGrace * 1000 });
  const commands = new CommandService(repos.commands, bus, events);
  const deviceModel = new DeviceModelService(repos.deviceModel, commands);
  const transfers = new TransferService(repos.files, security, {
    dataDir: config.dataDir, ttlS: config.transferTtl, maxUploadBytes: config.maxUploadBytes, publicUrl: config.publicUrl,
  });
  // keys of the ISO 15118 test PKI are sealed under their own label, apart from every other key
  const iso15118Pki = new Iso15118Pki(repos.iso15118Pki, sealer(serverSecret, 'iso15118-test-pki-keys'));
  const ocsp = new OcspResponder([iso15118Pki], { log });
  const certificates = new CertificateService(repos.certificates, commands, security, log, { organization: config.cpoOrganization });
  // LDAP (M2): set OV2X_LDAP_URL and unknown users log in against the directory, whose groups give roles
  const ldap = ldapDirectoryFrom(config, log);
  const sessionPolicy = { idleMs: config.sessionIdle * 1000, absoluteMs: config.sessionMax * 1000 };
  const identity = {
    accounts: new AccountService(repos.users, { maxFailures: config.loginMaxFailures, lockMs: config.loginLockout * 1000, maxLockMs: 3_600_000 }, Date.now, ldap),
    sessions: ldap
      ? new DirectorySessions(repos.apiSessions, repos.users, sessionPolicy, ldap, config.ldapRefresh * 1000, log)
      : new SessionService(repos.apiSessions, repos.users, sessionPolicy),
    audit: new AuditLog(repos.audit, log),
    stationGroups: repos.stationGroups,
    apiKeys: new ApiKeyService(repos.apiKeys, repos.stationGroups, { maxDays: config.apiKeyMaxDays }),
    oidc: oidcService(config),
    // one count per principal across the nodes of a cluster (issue 9)
    switchingLimits: new SwitchingLimits(switchingLimitTable(config.switchingLimits), redis ? new RedisRateLimiter(redis, new MemoryRateLimiter(), log) : new MemoryRateLimiter()),
  };
  // TOTP secrets are sealed under their own label; both services build on the accounts and sessions above
  const twoFactor = new TwoFactorService(repos.users, identity.accounts, sealer(serverSecret, 'totp-secrets'));
  const identityServices: IdentityServices = { ...identity, twoFactor, userAdmin: new UserAdmin(repos.users, identity.sessions, repos.stationGroups, twoFactor) };
  // auth failures, lockouts, role changes, key rotations and account administration also land in the one security log (issue 7)
  identity.audit.forwardTo(security);
  // SSE and webhooks: events numbered on this node; deliveries only of what each owner may see
  const eventHub = new EventHub(events, config.sseReplayEvents);
  const webhookSecrets = sealer(serverSecret, 'webhook-secrets');
  const webhookDispatcher = new WebhookDispatcher(repos.webhooks, repos.users, webhookSecrets, eventHub, cachedGroupOf((id) => repos.stationGroups.groupOf(id)), log, {
    ...defaultDeliveryOptions, allowPrivate: config.webhookAllowPrivate, timeoutMs: config.webhookTimeout, maxAttempts: config.webhookMaxAttempts, retryBaseMs: config.webhookRetryBase,
  });
  const webhooks = new WebhookService(repos.webhooks, webhookSecrets, webhookDispatcher, { allowPrivate: config.webhookAllowPrivate, maxPerOwner: 20 });
  // a bad trust bundle stops the start: an operator who set one expects it in force
  const firmwareAnchors = config.firmwareTrustPem ? parseTrustAnchors(readFileSync(config.firmwareTrustPem, 'utf8')) : [];
  const domain: DomainServices = {
    identity: identityServices, stations, tokens, transactions, security, events,
    eventHub, webhooks,
    locations: new LocationService(repos.locations, repos.stationGroups),
    privacy,
    // IP / identity block and allow lists (issue 7): read by the perimeter, written by operators and the IDS
    perimeter: new PerimeterBlockList(repos.blockLists, log, { refreshMs: config.blockListRefresh * 1000 }),
    // modules holding personal data about customers register here for export and erasure
    dataSubjects: new DataSubjectRegistry(),
    securityChain: repos.securityEvents,
    siem: new SiemExporter(repos.securityEvents, siemSinksFrom(config, log), { intervalMs: config.siemInterval, maxLag: config.siemQueue }, log),
    retention: new RetentionService(repos.retention, {
      policy: retentionPolicyOf(config), batch: config.retentionBatch, maxBatches: config.retentionMaxBatches, intervalS: config.retentionInterval,
    }, () => privacy.backfill(new Date(Date.now() - 2 * config.retentionInterval * 1000)), log),
    customers: new CustomerService(repos.customers, privacy.fields, privacy.keys),
    // a customer's tokens and charging history, found through the UIDs of their own tokens
    customerCharging: new CustomerCharging(repos.customers, privacy, tokenPseudonymizer(serverSecret)),
    // export and erasure over every holder registered below and by other modules
    dataSubjectRequests: new DataSubjectService(repos.customers, () => domain.dataSubjects),
    // invoices from CDRs; the billing snapshot is sealed with the customers' field encryption
    invoices: new InvoiceService(repos.invoices, (id) => domain.customers.billingDetails(id), privacy.fields, undefined, config.invoiceSeller?.split('|').map((l) => l.trim()).filter(Boolean)),
    idsAlerts: new AlertService(repos.idsAlerts, security, log),
    operations: new OperationsView({ repo: repos.operations, isConnected: (id) => stations.isConnected(id) }),
    stationOps: new StationOpsService({
      repo: repos.stationOps, stations, securityEvents: repos.securityEvents, events, serverSecret,
      revokeCertificate: (serial, reason) => domain.pki.revoke(serial, reason),
    }),
    dataTransfer: new DataTransferRegistry(), deviceModel,
    commands,
    reservations: new ReservationService(repos.reservations, commands, tokens, security),
    localAuthList: new LocalAuthListService(repos.localAuthLists, repos.tokens, commands),
    certificates,
    transfers, firmware: new FirmwareService(commands, transfers), logs: new LogService(commands, transfers),
    firmwareImages: new FirmwareImageService(transfers, security, () => firmwareAnchors),
    firmwareCampaigns: new FirmwareCampaignService(new FirmwareCampaignRepo(store.db), new FirmwareService(commands, transfers), commands, events, log, {
      tickMs: config.firmwareCampaignTick, stationTimeoutS: config.firmwareStationTimeout, maxCampaignsPerTick: 50,
    }, (id) => stations.isConnected(id)),
    monitoring: new MonitoringService(repos.monitors, repos.deviceEvents, commands, deviceModel),
    customerInformation: new CustomerInformationService(repos.customerInformation, commands),
    displayMessages: new DisplayMessageService(repos.displayMessages, commands),
    smartCharging: new SmartChargingService(repos.smartCharging, repos.stations, repos.transactions, commands),
    tariffs: new TariffService(repos.tariffs, repos.transactions, commands, events, repos.cdrs),
    // the tariff is looked up through the tariff service (its cache is cleared on every change)
    cdrs: new CdrService(repos.cdrs, repos.transactions, repos.meterValues, (id) => domain.tariffs.forStation(id), tokenPseudonymizer(serverSecret), events, log),
    securityProfileUpgrade: new SecurityProfileUpgradeService(repos.stations, commands, certificates, security, events),
    passwordRotation: new PasswordRotationService(repos.passwordRotations, repos.stations, commands, bus, sealer(serverSecret, 'station-password-escrow'), security, serverSecret, events),
    iso15118Pki, ocsp,
    pki: new PkiService(repos.pki, repos.stations, commands, security, sealer(serverSecret, 'cpo-ca-keys'), log, {
      stationCertDays: config.stationCertDays, renewDays: config.certRenewDays, crlUrl: config.publicUrl && `${config.publicUrl.replace(/\/$/, '')}/pki/crl`,
    }, (signer) => domain.certificates.useSigner(signer)),
  };
  domain.certificates.useIso15118Provider(iso15118ProviderFor(config, ocsp));
  // the CRM's own personal data, and the CDRs (export only: they hold pseudonyms and stay for accounting)
  domain.dataSubjects.register(customersHolder(domain.customers, repos.customers));
  domain.dataSubjects.register(cdrsHolder(domain.customerCharging));
  domain.dataSubjects.register(invoiceDataHolder(domain.invoices));
  // a running transaction's cost is priced over the timeline of its stored meter values, as its CDR will be
  domain.tariffs.useMeterValues(repos.meterValues);
  // a CDR records where it was charged (OCPI CdrLocation), the token's OCPP type and its customer, as they are at issue
  domain.cdrs.describeWith(cdrIssueContext(repos.stationOps, (ref) => (isTokenRef(ref) ? repos.tokens.byPseudonym(ref) : repos.tokens.get(ref))));
  // a customer's token UIDs and sessions: exported and erased with the customer (issue 6)
  domain.dataSubjects.register(new TokenDataHolder(repos.tokens, repos.transactions, repos.localAuthLists, domain.localAuthList, domain.customerInformation, commands, repos.customerInformation, log));
  // an accepted boot is a restart: transactions the station does not resume are closed after the grace period
  events.subscribe((e) => {
    if (e.type === 'station.booted' && e.registrationStatus === 'Accepted') transactions.stationRebooted(e.stationId);
  });
  // one sweep a minute marks lapsed reservations Expired (reading them expires them too)
  const reservationSweep = setInterval(() => {
    domain.reservations.sweep().catch((err: unknown) => log.error({ err }, 'reservation expiry sweep failed'));
  }, 60_000);
  reservationSweep.unref();
  return {
    domain, repos, bus, webhookDispatcher,
    async close() {
      clearInterval(reservationSweep);
      domain.perimeter.stop();
      await domain.firmwareCampaigns.stop();
      await domain.retention.stop();
      await domain.siem.stop();
      await webhookDispatcher.close();
      eventHub.close();
      domain.pki.stop();
      await stations.close();
      await transactions.close();
      // CDRs of transactions that just ended are written before the store closes
      await domain.cdrs.settled();
      await domain.certificates.settled();
      domain.passwordRotation.close();
      await repos.close();
    },
  };
}
