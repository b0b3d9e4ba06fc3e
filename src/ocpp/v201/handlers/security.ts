import type { StationContext } from '../../adapter.js';
import type { Req, Res } from '../types.js';

/** Functional block A — Security: security events (A04) and station certificate signing (A02/A03). */
export const securityHandlers = {
  async SecurityEventNotification(req: Req<'SecurityEventNotification'>, ctx: StationContext): Promise<Res<'SecurityEventNotification'>> {
    await ctx.services.security.stationReported(ctx.stationId, req.type, new Date(req.timestamp), req.techInfo);
    return {};
  },

  async SignCertificate(req: Req<'SignCertificate'>, ctx: StationContext): Promise<Res<'SignCertificate'>> {
    const r = await ctx.services.certificates.signCertificate(ctx.stationId, req.csr, req.certificateType ?? 'ChargingStationCertificate');
    return { status: r.status, ...(r.reasonCode && { statusInfo: { reasonCode: r.reasonCode, ...(r.additionalInfo && { additionalInfo: r.additionalInfo.slice(0, 512) }) } }) };
  },
};
