import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { can, type Principal } from '../../domain/identity/principal.js';
import { eventTypes, type EventType } from '../../domain/webhooks/visibility.js';
import { WebhookRefused } from '../../domain/webhooks/webhook-service.js';
import type { WebhookSubscriptionRow } from '../../store/schema.js';
import type { ApiContext } from '../context.js';
import { ApiError, notFound } from '../errors.js';
import { DateTime, listQuery, NullableDateTime, page, isoOrNull as iso } from '../schemas.js';

const EventTypeSchema = Type.Union(eventTypes.map((t) => Type.Literal(t)));

const WebhookView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  types: Type.Array(Type.String()),
  owner: Type.String({ description: 'the principal that subscribed; deliveries carry only what it may see' }),
  createdAt: DateTime,
  delivery: Type.Object({
    lastAttemptAt: NullableDateTime,
    lastSuccessAt: NullableDateTime,
    lastStatus: Type.Union([Type.Integer(), Type.Null()], { description: 'HTTP status of the last attempt; null: no answer' }),
    lastError: Type.Union([Type.String(), Type.Null()]),
    consecutiveFailures: Type.Integer(),
    delivered: Type.Integer(),
    failed: Type.Integer({ description: 'events given up after the last attempt' }),
    dropped: Type.Integer({ description: 'events dropped because the queue was full' }),
  }),
});

const NewWebhook = Type.Object({
  url: Type.String({ minLength: 8, maxLength: 2048, description: 'http(s), no credentials; private and loopback targets only when OV2X_WEBHOOK_ALLOW_PRIVATE is set' }),
  types: Type.Array(EventTypeSchema, { minItems: 1, maxItems: eventTypes.length, uniqueItems: true }),
  secret: Type.Optional(Type.String({ minLength: 24, maxLength: 256, description: 'HMAC key; generated (and shown once) when absent' })),
}, { additionalProperties: false });

const IdParam = Type.Object({ id: Type.String({ format: 'uuid' }) });


const view = (w: WebhookSubscriptionRow): Static<typeof WebhookView> => ({
  id: w.id, url: w.url, types: w.types, owner: w.owner, createdAt: w.createdAt.toISOString(),
  delivery: {
    lastAttemptAt: iso(w.lastAttemptAt), lastSuccessAt: iso(w.lastSuccessAt), lastStatus: w.lastStatus, lastError: w.lastError,
    consecutiveFailures: w.consecutiveFailures, delivered: Number(w.delivered), failed: Number(w.failed), dropped: Number(w.dropped),
  },
});

/** Administrators ('users:manage') see and remove every subscription; anyone else only its own. */
const mayManage = (p: Principal, w: WebhookSubscriptionRow): boolean => w.owner === p.id || can(p, 'users:manage');

/**
 * Webhook subscriptions. Any signed-in principal may subscribe (market parties' machine roles
 * hold no command right, and are the main users): a subscription receives only what its owner
 * could see on GET /events, so subscribing grants nothing new; outbound requests are bounded by
 * the SSRF guard, a per-account cap and the delivery limits.
 */
export async function webhookRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { webhooks } = ctx.services;

  api.post('/webhooks', {
    config: { permission: 'authenticated', audit: 'webhook.create' },
    schema: {
      tags: ['webhooks'], summary: 'Subscribe a URL to events; deliveries are signed (x-ov2x-signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>)',
      body: NewWebhook,
      response: { 201: Type.Object({ webhook: WebhookView, secret: Type.Optional(Type.String({ description: 'the generated HMAC key, in this answer only' })) }) },
    },
  }, async (req, reply) => {
    try {
      const { subscription, secret } = await webhooks.create(req.principal!, { url: req.body.url, types: req.body.types as EventType[], secret: req.body.secret });
      return reply.code(201).send({ webhook: view(subscription), ...(secret && { secret }) });
    } catch (err) {
      if (err instanceof WebhookRefused) throw new ApiError(err.code === 'forbidden_types' ? 403 : 422, err.code, err.message, err.details);
      throw err;
    }
  });

  api.get('/webhooks', {
    config: { permission: 'authenticated' },
    schema: {
      tags: ['webhooks'], summary: 'Your webhook subscriptions (all=true: everyone\'s, needs users:manage)',
      querystring: listQuery(['createdAt'], { all: Type.Boolean({ default: false }) }),
      response: { 200: page(WebhookView) },
    },
  }, async (req) => {
    const { limit, offset, all, order } = req.query;
    if (all && !can(req.principal!, 'users:manage')) throw new ApiError(403, 'forbidden', 'needs permission users:manage', { permission: 'users:manage' });
    const rows = await webhooks.list({ owner: all ? undefined : req.principal!.id, limit, offset, order });
    return { items: rows.map(view), limit, offset };
  });

  api.get('/webhooks/:id', {
    config: { permission: 'authenticated' },
    schema: { tags: ['webhooks'], summary: 'One subscription with its delivery state', params: IdParam, response: { 200: WebhookView } },
  }, async (req) => {
    const w = await webhooks.get(req.params.id);
    // someone else's subscription is answered as if it did not exist
    if (!w || !mayManage(req.principal!, w)) throw notFound('webhook');
    return view(w);
  });

  api.delete('/webhooks/:id', {
    config: { permission: 'authenticated', audit: 'webhook.delete' },
    schema: { tags: ['webhooks'], summary: 'Unsubscribe (pending deliveries are dropped)', params: IdParam, response: { 204: Type.Null() } },
  }, async (req, reply) => {
    const w = await webhooks.get(req.params.id);
    if (!w || !mayManage(req.principal!, w)) throw notFound('webhook');
    await webhooks.delete(w.id);
    return reply.code(204).send(null);
  });
}
