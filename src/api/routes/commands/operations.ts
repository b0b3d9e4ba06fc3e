import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { commandPermission } from '../../../domain/identity/command-permissions.js';
import type { ApiContext } from '../../context.js';
import { StationIdParam } from '../../schemas.js';
import { launch } from './dispatch.js';
import { enforceSwitchingLimits } from './guard.js';
import { ChargingProfile, ProfileCriteria } from './schemas.js';
import { Accepted } from './send.js';

const closed = { additionalProperties: false } as const;
const DateTime = Type.String({ format: 'date-time' });
const Retries = { retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })), retryInterval: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400 })) };
const date = (s: string | undefined): Date | undefined => (s === undefined ? undefined : new Date(s));
const tags = ['commands'];

/**
 * The operations a domain service drives (minted transfer URLs, reservation rows, sealed
 * passwords, multi-step upgrades, stored profiles): each answers 202 with the id of the first
 * command it journalled as soon as it is sent, never waiting for the station. A refusal the
 * service makes before sending is a 4xx.
 */
export async function commandOperationRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const s = ctx.services;
  const answer = (commandId: number | null, outcome: string) => (commandId === null ? { commandId, outcome } : { commandId });

  api.post('/stations/:stationId/password-rotation', {
    config: { permission: 'stations:configure', audit: 'station.password-rotation' },
    schema: {
      tags, summary: 'Rotate the station\'s Basic-auth password (CR2; profile 2 or 3 only)',
      description: 'Sent now when the station is connected over TLS, else at its next TLS boot (commandId null). The password itself is never shown.',
      params: StationIdParam, response: { 202: Accepted },
    },
  }, async (req, reply) => {
    const commandId = await launch(s, () => s.passwordRotation.request(req.params.stationId, req.principal!.id));
    return reply.code(202).send(answer(commandId, 'waiting for the station\'s next TLS connection'));
  });

  api.post('/stations/:stationId/security-profile-upgrade', {
    config: { permission: 'stations:configure', audit: 'station.security-profile-upgrade' },
    schema: {
      tags, summary: 'Move the station to security profile 2 or 3; its later steps appear in its command list',
      params: StationIdParam,
      body: Type.Object({
        to: Type.Union([Type.Literal(2), Type.Literal(3)]),
        csmsUrl: Type.String({ pattern: '^wss://', maxLength: 512, description: 'the wss:// OCPP URL the station reconnects to' }),
        slot: Type.Optional(Type.Integer({ minimum: 0, maximum: 9, description: '2.0.1 network-connection slot (default 1)' })),
      }, closed),
      response: { 202: Accepted },
    },
  }, async (req, reply) => {
    const commandId = await launch(s, () => s.securityProfileUpgrade.upgrade(req.params.stationId, req.body));
    return reply.code(202).send(answer(commandId, 'nothing sent'));
  });

  api.post('/stations/:stationId/firmware-update', {
    config: { permission: commandPermission.updateFirmware, audit: 'station.firmware-update' },
    schema: {
      tags, summary: 'Install a registered firmware image (signed update when the image carries a signature)',
      params: StationIdParam,
      body: Type.Object({ firmwareId: Type.Integer({ minimum: 1 }), retrieveAt: Type.Optional(DateTime), installAt: Type.Optional(DateTime), ...Retries }, closed),
      response: { 202: Accepted },
    },
  }, async (req, reply) => {
    const { firmwareId, retrieveAt, installAt, ...o } = req.body;
    const commandId = await launch(s, () => s.firmware.update(req.params.stationId, firmwareId, { ...o, retrieveAt: date(retrieveAt), installAt: date(installAt) }));
    return reply.code(202).send(answer(commandId, 'nothing sent'));
  });

  api.post('/stations/:stationId/firmware-publish', {
    config: { permission: commandPermission.publishFirmware, audit: 'station.firmware-publish' },
    schema: {
      tags, summary: 'Have a local controller serve a registered firmware image to its stations (2.0.1 L03)',
      params: StationIdParam,
      body: Type.Object({ firmwareId: Type.Integer({ minimum: 1 }), ...Retries }, closed),
      response: { 202: Accepted },
    },
  }, async (req, reply) => {
    const { firmwareId, ...o } = req.body;
    const commandId = await launch(s, () => s.firmware.publish(req.params.stationId, firmwareId, o));
    return reply.code(202).send(answer(commandId, 'nothing sent'));
  });

  api.delete('/stations/:stationId/firmware-publish/:firmwareId', {
    config: { permission: commandPermission.unpublishFirmware, audit: 'station.firmware-unpublish' },
    schema: {
      tags, summary: 'Stop a local controller serving a firmware image (2.0.1 L04)',
      params: Type.Composite([StationIdParam, Type.Object({ firmwareId: Type.Integer({ minimum: 1 }) })]),
      response: { 202: Accepted },
    },
  }, async (req, reply) => {
    const commandId = await launch(s, () => s.firmware.unpublish(req.params.stationId, req.params.firmwareId));
    return reply.code(202).send(answer(commandId, 'nothing sent'));
  });

  api.post('/stations/:stationId/log-upload', {
    config: { permission: commandPermission.getLog, audit: 'station.log-upload' },
    schema: {
      tags, summary: 'Ask the station to upload a diagnostics or security log to the platform',
      params: StationIdParam,
      body: Type.Object({ logType: Type.Union([Type.Literal('diagnostics'), Type.Literal('security')]), from: Type.Optional(DateTime), to: Type.Optional(DateTime), ...Retries }, closed),
      response: { 202: Accepted },
    },
  }, async (req, reply) => {
    const { from, to, ...r } = req.body;
    const commandId = await launch(s, () => s.logs.request(req.params.stationId, { ...r, from: date(from), to: date(to) }));
    return reply.code(202).send(answer(commandId, 'nothing sent'));
  });

  api.post('/stations/:stationId/local-list-sync', {
    config: { permission: commandPermission.sendLocalList, audit: 'station.local-list-sync' },
    schema: {
      tags, summary: 'Bring the station\'s local authorization list up to date with the token store',
      params: StationIdParam,
      body: Type.Object({ full: Type.Optional(Type.Boolean({ description: 'send the whole list even when a differential update would do' })) }, closed),
      response: { 202: Accepted },
    },
  }, async (req, reply) => {
    const commandId = await launch(s, () => s.localAuthList.sync(req.params.stationId, req.body));
    return reply.code(202).send(answer(commandId, 'UpToDate'));
  });

  api.post('/stations/:stationId/reservations', {
    config: { permission: commandPermission.reserveNow, audit: 'station.reserve' },
    schema: {
      tags, summary: 'Reserve an EVSE (or any EVSE) of the station for a token',
      description: 'The reservation id the station quotes is the command\'s `command.reservationId`.',
      params: StationIdParam,
      body: Type.Object({
        idToken: Type.String({ minLength: 1, maxLength: 36 }), tokenType: Type.Optional(Type.String({ maxLength: 20 })), groupIdToken: Type.Optional(Type.String({ maxLength: 36 })),
        expiresAt: DateTime, evseId: Type.Optional(Type.Integer({ minimum: 0 })), connectorType: Type.Optional(Type.String({ maxLength: 20 })),
      }, closed),
      response: { 202: Accepted },
    },
  }, async (req, reply) => {
    const { expiresAt, ...r } = req.body;
    const commandId = await launch(s, () => s.reservations.reserve(req.params.stationId, { ...r, expiresAt: new Date(expiresAt) }));
    return reply.code(202).send(answer(commandId, 'nothing sent'));
  });

  api.delete('/stations/:stationId/reservations/:reservationId', {
    config: { permission: commandPermission.cancelReservation, audit: 'station.reservation-cancel' },
    schema: {
      tags, summary: 'Cancel a reservation (it ends when the station accepts)',
      params: Type.Composite([StationIdParam, Type.Object({ reservationId: Type.Integer({ minimum: 0 }) })]),
      response: { 202: Accepted },
    },
  }, async (req, reply) => {
    const commandId = await launch(s, () => s.reservations.cancel(req.params.stationId, req.params.reservationId));
    return reply.code(202).send(answer(commandId, 'nothing sent'));
  });

  api.post('/stations/:stationId/charging-profiles', {
    config: { permission: commandPermission.setChargingProfile, audit: 'station.charging-profile' },
    schema: {
      tags, summary: 'Set a charging profile (validated first; stored as the station answers). A switching command: limits apply.',
      params: StationIdParam,
      body: Type.Object({ evseId: Type.Integer({ minimum: 0, description: '0 = the whole station' }), profile: ChargingProfile }, closed),
      response: { 202: Accepted },
    },
  }, async (req, reply) => {
    await enforceSwitchingLimits(req, ctx, 'setChargingProfile', [req.params.stationId]);
    const { evseId, profile } = req.body;
    const commandId = await launch(s, () => s.smartCharging.setProfile(req.params.stationId, evseId, profile));
    return reply.code(202).send(answer(commandId, 'nothing sent'));
  });

  api.delete('/stations/:stationId/charging-profiles', {
    config: { permission: commandPermission.clearChargingProfile, audit: 'station.charging-profile-clear' },
    schema: {
      tags, summary: 'Clear the charging profiles matching every given criterion (none: all). A switching command: limits apply.',
      params: StationIdParam,
      querystring: Type.Object(ProfileCriteria, closed),
      response: { 202: Accepted },
    },
  }, async (req, reply) => {
    await enforceSwitchingLimits(req, ctx, 'clearChargingProfile', [req.params.stationId]);
    const commandId = await launch(s, () => s.smartCharging.clearProfiles(req.params.stationId, req.query));
    return reply.code(202).send(answer(commandId, 'nothing sent'));
  });

  api.post('/stations/:stationId/cost-update', {
    config: { permission: commandPermission.costUpdated, audit: 'station.cost-update' },
    schema: {
      tags, summary: 'Send a transaction\'s running cost, priced by its tariff (2.0.1 CostUpdated)',
      params: StationIdParam,
      body: Type.Object({ transactionRef: Type.String({ minLength: 1, maxLength: 36 }) }, closed),
      response: { 202: Accepted },
    },
  }, async (req, reply) => {
    const commandId = await launch(s, () => s.tariffs.sendCost(req.params.stationId, req.body.transactionRef));
    return reply.code(202).send(answer(commandId, 'nothing sent'));
  });
}
