import type { FastifyPluginAsync } from 'fastify';
import type { PkiService } from '../domain/pki/pki-service.js';

export interface PkiRoutesOptions {
  pki: Pick<PkiService, 'crl'>;
}

/** GET /pki/crl: the CPO sub-CA's current CRL (DER, RFC 5280), public as CRLs are; 404 until a CA exists. */
export const pkiRoutes: FastifyPluginAsync<PkiRoutesOptions> = async (app, o) => {
  app.get('/pki/crl', async (_req, reply) => {
    const der = await o.pki.crl();
    if (!der) return reply.code(404).type('text/plain').send('no CPO CA is set up');
    return reply.type('application/pkix-crl').header('cache-control', 'max-age=300').send(der);
  });
};
