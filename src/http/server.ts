import type { TLSSocket } from 'node:tls';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config/config.js';
import type { TransferService } from '../domain/transfers/transfer-service.js';
import type { Logger } from '../log/logger.js';
import { healthRoutes, type HealthOptions } from './health.js';
import { HSTS } from './tls.js';
import { transferRoutes } from './transfers.js';
import { pkiRoutes } from './pki.js';
import { registerPortal } from './portal.js';
import type { PkiService } from '../domain/pki/pki-service.js';

export interface HttpServerOptions {
  config: Config;
  log: Logger;
  health: HealthOptions['facts'];
  transfers: TransferService;
  pki: PkiService;
}

/**
 * The platform's one HTTP server: every HTTP feature is a Fastify plugin registered here (the
 * REST API joins as another), and the OCPP WebSocket endpoint attaches to `app.server`'s
 * upgrade event. Call `listen` after attaching.
 */
export async function createHttpServer(o: HttpServerOptions): Promise<FastifyInstance> {
  const { config, log } = o;
  const app = Fastify({
    logger: false,
    // a whole request, an upload body included; node wants it no shorter than the head timeout
    requestTimeout: Math.max(config.transferTimeout, config.handshakeTimeout),
    forceCloseConnections: true,
    // client address and scheme (HSTS, audit, lockout) come from X-Forwarded-* only when a trusted proxy sent them
    trustProxy: config.trustedProxies ?? false,
    // unknown properties are refused with a reason rather than silently dropped
    ajv: { customOptions: { removeAdditional: false } },
  });
  // Slow or incomplete request heads (slowloris) cannot hold a socket longer than the handshake timeout.
  app.server.headersTimeout = config.handshakeTimeout;
  app.setErrorHandler((err: { statusCode?: number; message?: string }, _req, reply) => {
    const code = err.statusCode ?? 500;
    if (code >= 500) log.error({ err }, 'http request failed');
    // client errors keep Fastify's own short message; server errors say nothing more
    void reply.code(code).type('text/plain').send(code >= 500 ? 'internal error' : (err.message ?? 'bad request'));
  });
  // the same routes serve the plain and the TLS listener: browsers are told to stay on TLS
  app.addHook('onRequest', (req, reply, done) => {
    if ((req.raw.socket as Partial<TLSSocket>).encrypted || req.protocol === 'https') void reply.header('strict-transport-security', HSTS);
    done();
  });
  // the portal's client-side routes (bookmarks, reloads) get its page; anything else a plain 404
  const portal = await registerPortal(app, { ocppPath: config.ocppPath, warn: (msg) => log.warn(msg) });
  app.setNotFoundHandler((req, reply) => {
    if (!portal.fallback(req, reply)) void reply.code(404).type('text/plain').send('not found');
  });
  await app.register(healthRoutes, { facts: o.health });
  await app.register(transferRoutes, { transfers: o.transfers });
  await app.register(pkiRoutes, { pki: o.pki });
  return app;
}
