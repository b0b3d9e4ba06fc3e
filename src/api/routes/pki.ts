import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { inScope } from '../../domain/identity/principal.js';
import { revocationReasons } from '../../domain/pki/cpo-ca.js';
import { PkiError } from '../../domain/pki/pki-service.js';
import type { IssuedCertificate } from '../../store/schema.js';
import type { ApiContext } from '../context.js';
import { ApiError, forbidden } from '../errors.js';
import { DateTime, isoOrNull, NullableDateTime } from '../schemas.js';

const CaView = Type.Object({
  role: Type.String({ enum: ['root', 'issuing'] }),
  subject: Type.String(),
  notBefore: DateTime,
  notAfter: DateTime,
  fingerprint: Type.String({ description: 'SHA-256 of the certificate' }),
  hasKey: Type.Boolean({ description: 'whether the platform holds the CA\'s (encrypted) private key; never the key itself' }),
});
const CertView = Type.Object({
  serialNumber: Type.String(),
  stationId: Type.String(),
  certificateType: Type.String(),
  subject: Type.String(),
  notBefore: DateTime,
  notAfter: DateTime,
  fingerprint: Type.String(),
  revokedAt: NullableDateTime,
  revocationReason: Type.Union([Type.String(), Type.Null()]),
  renewalRequestedAt: NullableDateTime,
});
const certView = (c: IssuedCertificate) => ({
  serialNumber: c.serialNumber, stationId: c.stationId, certificateType: c.certificateType, subject: c.subject,
  notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString(), fingerprint: c.fingerprint,
  revokedAt: isoOrNull(c.revokedAt), revocationReason: c.revocationReason, renewalRequestedAt: isoOrNull(c.renewalRequestedAt),
});

/**
 * The CPO PKI as the portal shows it (X1, X4): the CAs (never a key), the certificates issued to
 * stations, and revocation — what `ov2x pki status|list|revoke` does on the command line.
 */
export async function pkiRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { pki } = ctx.services;

  api.get('/pki/status', {
    config: { permission: 'pki:read' },
    schema: { tags: ['pki'], summary: 'The CPO root and issuing CA (empty when no PKI is set up)', response: { 200: Type.Object({ items: Type.Array(CaView) }) } },
  }, async () => ({ items: (await pki.status()).map((c) => ({ ...c, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() })) }));

  api.get('/pki/certificates', {
    config: { permission: 'pki:read' },
    schema: {
      tags: ['pki'], summary: 'Certificates issued to stations, newest first (those of stations in the caller\'s scope)',
      querystring: Type.Object({
        limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
        stationId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(CertView), limit: Type.Integer(), offset: Type.Integer() }) },
    },
  }, async (req) => {
    const q = req.query;
    const p = req.principal!;
    const rows = await pki.list({ stationId: q.stationId, limit: q.limit, offset: q.offset });
    const shown: IssuedCertificate[] = [];
    for (const c of rows) if (p.groups === null || inScope(p, (await ctx.services.identity.stationGroups.groupOf(c.stationId)) ?? null)) shown.push(c);
    return { items: shown.map(certView), limit: q.limit, offset: q.offset };
  });

  api.post('/pki/certificates/:serialNumber/revoke', {
    config: { permission: 'pki:manage', audit: 'pki.revoke' },
    schema: {
      tags: ['pki'], summary: 'Revoke an issued certificate: refused at the station\'s next TLS handshake and listed in the CRL',
      description: 'Needs an unscoped caller: a serial number alone does not say whose station it is until it is looked up.',
      params: Type.Object({ serialNumber: Type.String({ pattern: '^[0-9A-Fa-f:]{1,64}$' }) }),
      body: Type.Object({ reason: Type.Optional(Type.String({ enum: [...revocationReasons], default: 'unspecified' })) }, { additionalProperties: false }),
      response: { 200: CertView },
    },
  }, async (req) => {
    if (req.principal!.groups !== null) throw forbidden('revoking needs a caller not limited to station groups');
    try {
      return certView(await pki.revoke(req.params.serialNumber, req.body.reason));
    } catch (err) {
      if (!(err instanceof PkiError)) throw err;
      throw new ApiError(/no certificate/.test(err.message) ? 404 : 400, /no certificate/.test(err.message) ? 'not_found' : 'invalid_request', err.message);
    }
  });
}
