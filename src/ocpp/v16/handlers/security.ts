import type { StationContext } from '../../adapter.js';
import type { Req, Res } from '../types.js';

/** OCPP 1.6 Security Whitepaper ed. 3 extension, charge point → central system (certificate and event messages). */
export const securityHandlers = {
  async SecurityEventNotification(req: Req<'SecurityEventNotification'>, ctx: StationContext): Promise<Res<'SecurityEventNotification'>> {
    await ctx.services.security.stationReported(ctx.stationId, req.type, new Date(req.timestamp), req.techInfo);
    return {};
  },

  // 1.6 has only the charge point certificate and no statusInfo: the reason stays in the stored request
  async SignCertificate(req: Req<'SignCertificate'>, ctx: StationContext): Promise<Res<'SignCertificate'>> {
    const r = await ctx.services.certificates.signCertificate(ctx.stationId, req.csr, 'ChargingStationCertificate');
    return { status: r.status };
  },
};
