import type { ProviderAnswer } from '../../../domain/certificates/providers.js';
import type { StationContext } from '../../adapter.js';
import type { Req, Res } from '../types.js';

const statusInfo = (a: ProviderAnswer) =>
  a.reasonCode ? { statusInfo: { reasonCode: a.reasonCode.slice(0, 20), ...(a.additionalInfo && { additionalInfo: a.additionalInfo.slice(0, 512) }) } } : {};

/** Functional block M — ISO 15118 certificate management, station → CSMS (M01/M02, M06). */
export const iso15118CertificateHandlers = {
  async Get15118EVCertificate(req: Req<'Get15118EVCertificate'>, ctx: StationContext): Promise<Res<'Get15118EVCertificate'>> {
    const a = await ctx.services.certificates.get15118EVCertificate(ctx.stationId, { iso15118SchemaVersion: req.iso15118SchemaVersion, action: req.action, exiRequest: req.exiRequest });
    return { status: a.status, exiResponse: a.exiResponse, ...statusInfo(a) };
  },

  async GetCertificateStatus(req: Req<'GetCertificateStatus'>, ctx: StationContext): Promise<Res<'GetCertificateStatus'>> {
    const { responderURL, hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber } = req.ocspRequestData;
    const a = await ctx.services.certificates.getCertificateStatus(ctx.stationId, { hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber }, responderURL);
    return { status: a.status, ...(a.ocspResult !== undefined && { ocspResult: a.ocspResult }), ...statusInfo(a) };
  },
};
