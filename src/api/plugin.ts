import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Principal } from '../domain/identity/principal.js';
import { can, inScope } from '../domain/identity/principal.js';
import type { Permission } from '../domain/identity/roles.js';
import { authenticatorsFor } from './auth/index.js';
import { credentialOf, CSRF_HEADER } from './auth/credentials.js';
import type { ApiContext } from './context.js';
import { ApiError, ErrorBody, forbidden, notFound, unauthenticated } from './errors.js';
import { routePlugins } from './routes/index.js';
import { sameSecret } from '../domain/identity/secrets.js';
import { DependencyUnavailable } from '../domain/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** who may call: a permission of the matrix, any authenticated principal, or anyone */
    permission?: Permission | 'authenticated' | 'public';
    /** open while the caller still has onboarding steps (first password, TOTP enrolment or entry) */
    onboarding?: boolean;
    /** audit action name; default `<METHOD> <url>`. Every state-changing call is audited; false: the handler records its own. */
    audit?: string | false;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export const API_PREFIX = '/api/v1';

/** A route of the API as the authorization-matrix test and the OpenAPI document see it. */
export interface ApiRoute {
  method: string;
  url: string;
  permission: Permission | 'authenticated' | 'public';
  onboarding: boolean;
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The REST API under /api/v1: authentication (sessions, API keys, OpenID Connect), the
 * permission check of every route against the role matrix and the station-group scope, CSRF
 * for cookie sessions, the audit of every state-changing call, one error body, and the
 * OpenAPI 3.1 document generated from the route schemas.
 */
export async function registerApi(app: FastifyInstance, ctx: ApiContext): Promise<ApiRoute[]> {
  const routes: ApiRoute[] = [];
  await app.register(async (api) => {
    await api.register(cookie);
    api.addSchema(ErrorBody);
    api.decorateRequest('principal', null);
    api.addHook('onRoute', (r) => describeRoute(r, routes));
    await api.register(swagger, {
      // shared schemas appear under their own names in components.schemas
      refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
      openapi: {
        openapi: '3.1.0',
        info: { title: 'OV2X API', version: '1', description: 'The OV2X CSMS API. Every route names the permission it needs; see the role matrix in the README.' },
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', description: 'a session token (`ov2xs_…`), an API key (`ov2xk_…`) or an access token of the configured OpenID provider' },
            cookie: { type: 'apiKey', in: 'cookie', name: 'ov2x_session', description: 'the portal session; unsafe methods also need the `x-csrf-token` header' },
          },
        },
      },
    });
    await api.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
    api.get('/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, () => api.swagger());

    const authenticators = authenticatorsFor(ctx);
    api.addHook('onRequest', async (req) => {
      if (req.routeOptions.config.permission === 'public' && !req.headers.authorization) return;
      const credential = credentialOf(req);
      if (!credential) return;
      for (const a of authenticators) {
        const p = await a.authenticate(credential, req);
        if (p) { req.principal = p; break; }
      }
      if (!req.principal) throw unauthenticated('credential not recognised');
      // a cookie is sent by the browser on its own: unsafe methods must prove they come from our page
      const s = req.principal.session;
      if (s?.viaCookie && !safeMethods.has(req.method)) {
        const given = req.headers[CSRF_HEADER];
        if (typeof given !== 'string' || !sameSecret(given, s.csrfToken)) throw new ApiError(403, 'csrf_failed', `missing or wrong ${CSRF_HEADER} header`);
      }
    });
    // after parsing, before validation: a caller without the right is refused whatever it sent
    api.addHook('preValidation', async (req) => authorize(req, ctx));
    api.addHook('onResponse', async (req, reply) => audit(req, reply, ctx));
    // answers carry personal and operational data: no caching, no content sniffing
    api.addHook('onSend', async (_req, reply, payload) => {
      void reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
      return payload;
    });
    api.setErrorHandler((err, req, reply) => sendError(err, req, reply, ctx));
    api.setNotFoundHandler((req, reply) => void reply.code(404).send({ code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));
    for (const plugin of routePlugins) await api.register(plugin, ctx);
  }, { prefix: API_PREFIX });
  return routes;
}

function describeRoute(r: RouteOptions, routes: ApiRoute[]): void {
  const url = r.url;
  const config = (r.config ?? {}) as NonNullable<RouteOptions['config']> & { permission?: ApiRoute['permission'] };
  // the reference page's own assets are public; anything else must say who may call it
  if (url.startsWith(`${API_PREFIX}/docs`)) config.permission = 'public';
  if (!config.permission) throw new Error(`API route ${String(r.method)} ${url} declares no permission`);
  r.config = config;
  const schema = (r.schema ??= {}) as Record<string, unknown> & { response?: Record<string, unknown> };
  if (config.permission !== 'public') {
    schema.security = [{ bearer: [] }, { cookie: [] }];
    schema.description = [schema.description, `Permission: \`${config.permission}\`.`].filter(Boolean).join(' ');
  }
  schema.response = { ...schema.response, '4xx': { $ref: 'ErrorBody#' }, '5xx': { $ref: 'ErrorBody#' } };
  for (const method of [r.method].flat()) {
    if (method === 'HEAD' || (schema as { hide?: boolean }).hide) continue;
    routes.push({ method, url, permission: config.permission, onboarding: config.onboarding === true });
  }
}

async function authorize(req: FastifyRequest, ctx: ApiContext): Promise<void> {
  const { permission, onboarding } = req.routeOptions.config;
  // no permission: the not-found handler, which reveals nothing
  if (permission === 'public' || permission === undefined) return;
  const p = req.principal;
  if (!p) throw unauthenticated();
  if (p.pending.length && !onboarding) throw new ApiError(403, 'onboarding_required', 'finish signing in first', { pending: p.pending });
  if (permission !== 'authenticated' && !can(p, permission)) throw forbidden(`needs permission ${permission}`, { permission });
  // a station outside the caller's groups is answered as if it did not exist
  const stationId = (req.params as { stationId?: unknown } | undefined)?.stationId;
  if (typeof stationId === 'string') {
    const group = await ctx.services.identity.stationGroups.groupOf(stationId);
    if (group === undefined || !inScope(p, group)) throw notFound('station');
  }
}

async function audit(req: FastifyRequest, reply: FastifyReply, ctx: ApiContext): Promise<void> {
  const denied = reply.statusCode === 403 && req.principal !== null;
  if (safeMethods.has(req.method) && !denied) return;
  const { audit: action, permission } = req.routeOptions.config;
  if (!permission || action === false || req.routeOptions.url === undefined) return;
  const params = (req.params ?? {}) as Record<string, unknown>;
  const target = [params.stationId, params.id].filter((v) => v !== undefined).join('/') || null;
  await ctx.services.identity.audit.record({
    actor: req.principal ?? { anonymous: 'anonymous' },
    action: action ?? `${req.method} ${req.routeOptions.url}`,
    target, sourceIp: req.ip,
    result: reply.statusCode < 400 ? 'success' : reply.statusCode === 401 || reply.statusCode === 403 ? 'denied' : 'failure',
    details: { status: reply.statusCode },
  }).catch((err: unknown) => ctx.log.error({ err }, 'could not write an audit record'));
}

function sendError(err: unknown, req: FastifyRequest, reply: FastifyReply, ctx: ApiContext): void {
  if (err instanceof ApiError) {
    void reply.headers(err.headers).code(err.statusCode).send({ code: err.code, message: err.message, ...(err.details !== undefined && { details: err.details }) });
    return;
  }
  if (err instanceof DependencyUnavailable) {
    ctx.log.warn({ err, url: req.url }, 'a dependency of the request is unavailable');
    void reply.code(503).header('retry-after', String(err.retryAfterS)).send({ code: err.code, message: err.message });
    return;
  }
  const e = err as { statusCode?: number; code?: string; message?: string; validation?: Array<{ instancePath: string; message?: string; params?: unknown }>; validationContext?: string };
  if (e.validation) {
    void reply.code(400).send({
      code: 'invalid_request', message: `invalid ${e.validationContext ?? 'request'}: ${e.message ?? ''}`.trim(),
      details: e.validation.map((v) => ({ path: v.instancePath, message: v.message, params: v.params })),
    });
    return;
  }
  const status = e.statusCode ?? 500;
  if (status < 500) {
    void reply.code(status).send({ code: (e.code ?? 'bad_request').toLowerCase().replace(/^fst_err_/, ''), message: e.message ?? 'bad request' });
    return;
  }
  ctx.log.error({ err, url: req.url }, 'API request failed');
  void reply.code(500).send({ code: 'internal', message: 'internal error' });
}
