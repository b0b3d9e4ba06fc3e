import type { Authorization } from '../../../domain/model.js';
import type { StationContext } from '../../adapter.js';
import type { Req, Res } from '../types.js';
import { readingsOf } from '../meter.js';

type IdTagInfo = NonNullable<Res<'StopTransaction'>['idTagInfo']>;

/** 1.6 has no "Unknown": an unknown idTag is Invalid. */
function idTagInfo(a: Authorization): IdTagInfo {
  return {
    status: a.status === 'Unknown' ? 'Invalid' : a.status,
    ...(a.expiresAt && { expiryDate: a.expiresAt.toISOString() }),
    ...(a.groupIdToken && { parentIdTag: a.groupIdToken }),
  };
}

/** A 1.6 connectorId is an EVSE with one connector; 0 is the whole charge point. */
const location = (connectorId: number) => ({ evseId: connectorId, connectorId: connectorId === 0 ? 0 : 1 });

/** OCPP 1.6 Core profile, charge point → central system. */
export const coreHandlers = {
  async BootNotification(req: Req<'BootNotification'>, ctx: StationContext): Promise<Res<'BootNotification'>> {
    const r = await ctx.services.stations.boot(ctx.stationId, {
      protocol: 'ocpp1.6', vendor: req.chargePointVendor, model: req.chargePointModel,
      serialNumber: req.chargePointSerialNumber ?? req.chargeBoxSerialNumber, firmwareVersion: req.firmwareVersion,
      iccid: req.iccid, imsi: req.imsi, meterType: req.meterType, meterSerialNumber: req.meterSerialNumber,
    });
    ctx.registration = r.status;
    return { status: r.status, currentTime: r.currentTime.toISOString(), interval: r.intervalS };
  },

  Heartbeat(_req: Req<'Heartbeat'>): Res<'Heartbeat'> {
    return { currentTime: new Date().toISOString() };
  },

  async StatusNotification(req: Req<'StatusNotification'>, ctx: StationContext): Promise<Res<'StatusNotification'>> {
    await ctx.services.stations.statusChanged({
      stationId: ctx.stationId, ...location(req.connectorId), status: req.status,
      errorCode: req.errorCode === 'NoError' ? undefined : req.errorCode, info: req.info,
      at: req.timestamp ? new Date(req.timestamp) : new Date(),
    });
    return {};
  },

  async Authorize(req: Req<'Authorize'>, ctx: StationContext): Promise<Res<'Authorize'>> {
    const a = await ctx.services.tokens.authorize(req.idTag);
    ctx.services.events.emit({ type: 'token.authorized', stationId: ctx.stationId, idToken: req.idTag, token: await ctx.services.privacy.pseudonym(req.idTag), authorization: a });
    return { idTagInfo: idTagInfo(a) };
  },

  async StartTransaction(req: Req<'StartTransaction'>, ctx: StationContext): Promise<Res<'StartTransaction'>> {
    const r = await ctx.services.transactions.started({
      stationId: ctx.stationId, protocol: 'ocpp1.6', ...location(req.connectorId), idToken: req.idTag,
      startedAt: new Date(req.timestamp), meterStartWh: req.meterStart, reservationId: req.reservationId,
    });
    if (req.reservationId !== undefined) await ctx.services.reservations.used(ctx.stationId, { reservationId: req.reservationId, idToken: req.idTag, transactionId: r.transactionId });
    return { transactionId: r.transactionId, idTagInfo: idTagInfo(r.authorization!) };
  },

  async StopTransaction(req: Req<'StopTransaction'>, ctx: StationContext): Promise<Res<'StopTransaction'>> {
    const r = await ctx.services.transactions.ended({
      stationId: ctx.stationId, transactionRef: String(req.transactionId), idToken: req.idTag,
      endedAt: new Date(req.timestamp), meterStopWh: req.meterStop, reason: req.reason ?? 'Local',
      readings: readingsOf(req.transactionData),
    }, { recoverUnknown: false });
    return r.authorization ? { idTagInfo: idTagInfo(r.authorization) } : {};
  },

  async MeterValues(req: Req<'MeterValues'>, ctx: StationContext): Promise<Res<'MeterValues'>> {
    await ctx.services.transactions.meterValues({
      stationId: ctx.stationId, evseId: req.connectorId,
      transactionRef: req.transactionId === undefined ? undefined : String(req.transactionId),
      readings: readingsOf(req.meterValue),
    });
    return {};
  },

  async DataTransfer(req: Req<'DataTransfer'>, ctx: StationContext): Promise<Res<'DataTransfer'>> {
    const r = await ctx.services.dataTransfer.handle(ctx.stationId, req.vendorId, req.messageId, req.data);
    return { status: r.status as Res<'DataTransfer'>['status'], ...(r.data !== undefined && { data: typeof r.data === 'string' ? r.data : JSON.stringify(r.data) }) };
  },
};
