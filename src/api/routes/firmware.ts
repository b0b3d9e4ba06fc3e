import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { CampaignStateError, type CampaignVerb, type CampaignView } from '../../domain/firmware/campaign-service.js';
import { FirmwareRefused } from '../../domain/firmware/image-service.js';
import { inScope } from '../../domain/identity/principal.js';
import type { FirmwareCampaignStation, FirmwareImage } from '../../store/index.js';
import type { ApiContext } from '../context.js';
import { ApiError, conflict, forbidden, notFound } from '../errors.js';
import { DateTime, isoOrNull, NullableDateTime, StationId } from '../schemas.js';

/** Largest image the JSON upload takes (the base64 body is a third larger); bigger images need a streamed upload. */
export const MAX_FIRMWARE_BYTES = 64 * 1024 * 1024;
const closed = { additionalProperties: false } as const;
const tags = ['firmware'];
const IdParam = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const Image = Type.Object({
  id: Type.Integer(), name: Type.String(), version: Type.Union([Type.String(), Type.Null()]), size: Type.Integer(),
  sha256: Type.String(), signed: Type.Boolean(), createdAt: DateTime,
});
const Counts = Type.Object({ pending: Type.Integer(), active: Type.Integer(), succeeded: Type.Integer(), failed: Type.Integer(), skipped: Type.Integer() });
const Campaign = Type.Object({
  id: Type.Integer(), name: Type.String(), firmwareId: Type.Integer(), groupId: Type.Union([Type.String(), Type.Null()]),
  state: Type.String(), concurrency: Type.Integer(), failureThreshold: Type.Integer(), thresholdKind: Type.String(),
  stationTimeoutS: Type.Integer(), windowStart: NullableDateTime, windowEnd: NullableDateTime, haltReason: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.String(), createdAt: DateTime, startedAt: NullableDateTime, finishedAt: NullableDateTime, counts: Counts, total: Type.Integer(),
});
const CampaignStation = Type.Object({
  stationId: Type.String(), state: Type.String(), status: Type.Union([Type.String(), Type.Null()]), commandId: Type.Union([Type.Integer(), Type.Null()]),
  startedAt: NullableDateTime, lastUpdateAt: NullableDateTime, finishedAt: NullableDateTime,
});

const imageView = (i: FirmwareImage) => ({
  id: i.id, name: i.name, version: i.version, size: Number(i.size), sha256: i.sha256, signed: i.signature !== null, createdAt: i.createdAt.toISOString(),
});
const campaignView = (c: CampaignView) => ({
  ...c, windowStart: isoOrNull(c.windowStart), windowEnd: isoOrNull(c.windowEnd), createdAt: c.createdAt.toISOString(),
  startedAt: isoOrNull(c.startedAt), finishedAt: isoOrNull(c.finishedAt),
});
const stationView = (s: FirmwareCampaignStation) => ({
  stationId: s.stationId, state: s.state, status: s.status, commandId: s.commandId === null ? null : Number(s.commandId),
  startedAt: isoOrNull(s.startedAt), lastUpdateAt: isoOrNull(s.lastUpdateAt), finishedAt: isoOrNull(s.finishedAt),
});

/**
 * Signed firmware images and campaigns (issue 9, OP8/OP9). Images are verified at upload and
 * refused with 422 and a reason; a campaign is steered by start/pause/resume/abort and
 * advanced by the scheduler. A group-scoped caller sees and targets only its own groups.
 */
export async function firmwareRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const s = ctx.services;

  api.get('/firmware-images', {
    config: { permission: 'firmware:read' },
    schema: { tags, summary: 'Registered firmware images, newest first', response: { 200: Type.Object({ items: Type.Array(Image) }) } },
  }, async () => ({ items: (await s.firmwareImages.list()).map(imageView) }));

  api.post('/firmware-images', {
    config: { permission: 'firmware:manage', audit: 'firmware.upload' },
    // base64 grows the image by a third; the envelope and certificate fit in the rest
    bodyLimit: Math.ceil(MAX_FIRMWARE_BYTES / 3) * 4 + 64 * 1024,
    schema: {
      tags, summary: 'Upload a vendor-signed firmware image; stored only if signature and certificate verify',
      description: 'The signature (base64, RSA or ECDSA with SHA-256 over the image, as OCPP carries it) must verify with the signing certificate, which must chain to OV2X_FIRMWARE_TRUST_PEM. Refusals answer 422 with `details.reason` and are recorded as security events.',
      body: Type.Object({
        name: Type.String({ minLength: 1, maxLength: 200 }),
        version: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        image: Type.String({ minLength: 4, maxLength: Math.ceil(MAX_FIRMWARE_BYTES / 3) * 4, contentEncoding: 'base64', description: `the image, base64 (at most ${MAX_FIRMWARE_BYTES} bytes)` }),
        signature: Type.String({ minLength: 4, maxLength: 800 }),
        signingCertificate: Type.String({ minLength: 50, maxLength: 5500 }),
      }, closed),
      response: { 201: Image },
    },
  }, async (req, reply) => {
    const data = Buffer.from(req.body.image, 'base64');
    if (data.toString('base64') !== req.body.image.replace(/\s+/g, '')) throw new ApiError(400, 'invalid_request', 'image is not base64');
    try {
      const image = await s.firmwareImages.upload({
        ...req.body, data, actor: req.principal!.id, actorRole: req.principal!.roles.join(','), sourceIp: req.ip,
      });
      return reply.code(201).send(imageView(image));
    } catch (err) {
      if (err instanceof FirmwareRefused) throw new ApiError(422, 'firmware_refused', err.message, { reason: err.reason });
      throw err;
    }
  });

  api.get('/firmware-campaigns', {
    config: { permission: 'firmware:read' },
    schema: { tags, summary: 'Firmware campaigns, newest first', response: { 200: Type.Object({ items: Type.Array(Campaign) }) } },
  }, async (req) => ({ items: (await s.firmwareCampaigns.list(req.principal!.groups)).map(campaignView) }));

  api.post('/firmware-campaigns', {
    config: { permission: 'firmware:manage', audit: 'firmware.campaign.create' },
    schema: {
      tags, summary: 'Create a campaign (draft) rolling a signed image out to a station group or a list of stations',
      body: Type.Object({
        name: Type.String({ minLength: 1, maxLength: 200 }),
        firmwareId: Type.Integer({ minimum: 1 }),
        groupId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        stationIds: Type.Optional(Type.Array(StationId, { minItems: 1, maxItems: 10000 })),
        concurrency: Type.Integer({ minimum: 1, maximum: 1000, description: 'most stations updating at once' }),
        failureThreshold: Type.Union([
          Type.Object({ count: Type.Integer({ minimum: 0, maximum: 100000 }) }, closed),
          Type.Object({ percent: Type.Integer({ minimum: 0, maximum: 100 }) }, closed),
        ], { description: 'halt when more stations than this fail' }),
        windowStart: Type.Optional(DateTime),
        windowEnd: Type.Optional(DateTime),
        stationTimeoutS: Type.Optional(Type.Integer({ minimum: 10, maximum: 604800, description: 'silence after which a station counts as failed' })),
      }, closed),
      response: { 201: Campaign },
    },
  }, async (req, reply) => {
    const b = req.body;
    const p = req.principal!;
    if ((b.groupId === undefined) === (b.stationIds === undefined)) throw new ApiError(422, 'invalid_target', 'give either groupId or stationIds');
    const image = await s.firmwareImages.get(b.firmwareId);
    if (!image) throw notFound(`firmware image ${b.firmwareId}`);
    // a campaign installs what the platform verified: only signed images roll out to a fleet
    if (image.signature === null) throw new ApiError(422, 'unsigned_image', `firmware image ${b.firmwareId} carries no verified signature; upload it through POST /firmware-images`);
    let stationIds: string[];
    if (b.groupId !== undefined) {
      if (!inScope(p, b.groupId)) throw forbidden('station group out of scope');
      if (!(await s.identity.stationGroups.get(b.groupId))) throw notFound(`station group ${b.groupId}`);
      stationIds = [];
      for (let offset = 0; ; offset += 1000) {
        const { items } = await s.stations.search({ limit: 1000, offset, groups: null, groupId: b.groupId, decommissioned: false });
        stationIds.push(...items.map((st) => st.id));
        if (items.length < 1000) break;
      }
      if (!stationIds.length) throw new ApiError(422, 'empty_target', `station group ${b.groupId} holds no station`);
    } else {
      stationIds = [...new Set(b.stationIds)];
      for (const id of stationIds) {
        const group = await s.identity.stationGroups.groupOf(id);
        if (group === undefined) throw notFound(`station ${id}`);
        if (!inScope(p, group)) throw forbidden(`station ${id} out of scope`);
      }
    }
    const threshold = 'count' in b.failureThreshold ? { failureThreshold: b.failureThreshold.count, thresholdKind: 'count' as const } : { failureThreshold: b.failureThreshold.percent, thresholdKind: 'percent' as const };
    try {
      const c = await s.firmwareCampaigns.create({
        name: b.name, firmwareId: b.firmwareId, groupId: b.groupId, concurrency: b.concurrency, ...threshold, stationIds,
        windowStart: b.windowStart ? new Date(b.windowStart) : undefined, windowEnd: b.windowEnd ? new Date(b.windowEnd) : undefined,
        stationTimeoutS: b.stationTimeoutS, createdBy: p.id,
      });
      return reply.code(201).send(campaignView(c));
    } catch (err) {
      if (err instanceof RangeError) throw new ApiError(422, 'invalid_campaign', err.message);
      throw err;
    }
  });

  const visible = async (id: number, groups: readonly string[] | null) => {
    const c = await s.firmwareCampaigns.get(id);
    // out of scope looks like absent: a scoped caller learns nothing about other sites' campaigns
    if (!c || (groups !== null && (c.groupId === null || !groups.includes(c.groupId)))) throw notFound(`firmware campaign ${id}`);
    return c;
  };

  api.get('/firmware-campaigns/:id', {
    config: { permission: 'firmware:read' },
    schema: {
      tags, summary: 'A campaign with its counts and every station\'s status', params: IdParam,
      response: { 200: Type.Composite([Campaign, Type.Object({ stations: Type.Array(CampaignStation) })]) },
    },
  }, async (req) => {
    const c = await visible(req.params.id, req.principal!.groups);
    return { ...campaignView(c), stations: c.stations.map(stationView) };
  });

  for (const verb of ['start', 'pause', 'resume', 'abort'] as const satisfies readonly CampaignVerb[]) {
    api.post(`/firmware-campaigns/:id/${verb}`, {
      config: { permission: 'firmware:manage', audit: `firmware.campaign.${verb}` },
      schema: { tags, summary: `${verb[0]!.toUpperCase()}${verb.slice(1)} a campaign`, params: IdParam, response: { 200: Campaign } },
    }, async (req) => {
      await visible(req.params.id, req.principal!.groups);
      try {
        const c = await s.firmwareCampaigns.act(req.params.id, verb);
        if (!c) throw notFound(`firmware campaign ${req.params.id}`);
        return campaignView(c);
      } catch (err) {
        if (err instanceof CampaignStateError) throw conflict(err.message);
        throw err;
      }
    });
  }
}
