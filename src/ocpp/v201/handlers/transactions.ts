import type { Authorization } from '../../../domain/model.js';
import type { StationContext } from '../../adapter.js';
import type { Req, Res } from '../types.js';
import { idTokenInfo } from '../id-token.js';
import { readingsOf } from '../meter.js';

/** Functional block E — Transactions: the TransactionEvent state machine maps onto the neutral start/update/end. */
export const transactionHandlers = {
  async TransactionEvent(req: Req<'TransactionEvent'>, ctx: StationContext): Promise<Res<'TransactionEvent'>> {
    const info = req.transactionInfo;
    const common = {
      stationId: ctx.stationId, transactionRef: info.transactionId, evseId: req.evse?.id, connectorId: req.evse?.connectorId, seqNo: req.seqNo,
      offline: req.offline, chargingState: info.chargingState, idToken: req.idToken?.idToken, remoteStartId: info.remoteStartId, readings: readingsOf(req.meterValue),
    };
    const tx = ctx.services.transactions;
    let authorization: Authorization | undefined;
    switch (req.eventType) {
      case 'Started': {
        let transactionId: number;
        ({ authorization, transactionId } = await tx.started({
          ...common, protocol: 'ocpp2.0.1', evseId: req.evse?.id ?? 0, connectorId: req.evse?.connectorId ?? 1,
          startedAt: new Date(req.timestamp), remoteStartId: info.remoteStartId, reservationId: req.reservationId,
        }));
        if (req.reservationId !== undefined) await ctx.services.reservations.used(ctx.stationId, { reservationId: req.reservationId, idToken: req.idToken?.idToken, transactionId });
        break;
      }
      case 'Updated':
        ({ authorization } = await tx.updated(common));
        break;
      case 'Ended':
        ({ authorization } = await tx.ended({ ...common, endedAt: new Date(req.timestamp), reason: info.stoppedReason ?? 'Local' }, { recoverUnknown: true }));
        break;
    }
    // block I: the running (Updated) or final (Ended) cost when a tariff applies
    const totalCost = req.eventType === 'Started' ? undefined : await ctx.services.tariffs.totalCost(ctx.stationId, info.transactionId, new Date(req.timestamp), common.readings);
    return { ...(authorization && { idTokenInfo: idTokenInfo(authorization) }), ...(totalCost !== undefined && { totalCost }) };
  },
};
