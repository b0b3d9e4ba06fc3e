import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticatorsFor } from '../api/auth/index.js';
import type { ApiContext } from '../api/context.js';
import { can } from '../domain/identity/principal.js';
import { sameSecret, tokenHash } from '../domain/identity/secrets.js';
import { registry } from '../metrics/registry.js';

/**
 * Who may scrape: the bearer `OV2X_METRICS_TOKEN` (compared as fixed-length hashes, in constant
 * time) or an API principal (session token, API key, OpenID token) holding `security:read`.
 * Metrics reveal the fleet's size and the attacks under way, so they are never public.
 */
async function scrapeAllowed(req: FastifyRequest, ctx: ApiContext): Promise<401 | 403 | true> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return 401;
  const token = m[1]!;
  if (ctx.config.metricsToken !== undefined && sameSecret(tokenHash(token), tokenHash(ctx.config.metricsToken))) return true;
  for (const a of authenticatorsFor(ctx)) {
    // an authenticator throws on a credential of its kind that is not valid: refused like an unknown one
    const p = await a.authenticate({ kind: 'bearer', value: token }, req).catch(() => undefined);
    if (p) return p.pending.length === 0 && can(p, 'security:read') ? true : 403;
  }
  return 401;
}

/** `GET /metrics`: the Prometheus text exposition of the process's registry (src/metrics/registry.ts). */
export async function metricsRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  app.get('/metrics', async (req, reply) => {
    const verdict = await scrapeAllowed(req, ctx);
    if (verdict !== true) {
      if (verdict === 401) void reply.header('www-authenticate', 'Bearer realm="ov2x-metrics"');
      return reply.code(verdict).header('cache-control', 'no-store').type('text/plain').send(verdict === 401 ? 'authentication required' : 'forbidden');
    }
    return reply.header('cache-control', 'no-store').type(registry.contentType).send(await registry.metrics());
  });
}
