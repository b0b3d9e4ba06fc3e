import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { OcspResponder } from '../domain/pki/ocsp.js';

export interface OcspRoutesOptions {
  responder: OcspResponder;
}

/** An OCSP request names a handful of certificates; anything much larger is not one. */
const MAX_REQUEST_BYTES = 16_384;

const answer = async (reply: FastifyReply, responder: OcspResponder, der: Uint8Array) =>
  reply.code(200).type('application/ocsp-response').header('cache-control', 'no-store').send(await responder.respond(der));

/**
 * The platform's OCSP responder (RFC 6960 Appendix A): POST /pki/ocsp with an
 * application/ocsp-request body, or GET /pki/ocsp/<url-encoded base64 of the DER request>. A
 * request that does not parse is answered with the malformedRequest status, as the RFC wants.
 */
export const ocspRoutes: FastifyPluginAsync<OcspRoutesOptions> = async (app, { responder }) => {
  // the scope keeps this parser from other plugins
  app.addContentTypeParser('application/ocsp-request', { parseAs: 'buffer', bodyLimit: MAX_REQUEST_BYTES }, (_req, body, done) => done(null, body));
  app.post('/pki/ocsp', async (req, reply) => {
    if (!Buffer.isBuffer(req.body)) return reply.code(415).type('text/plain').send('an OCSP request is sent as application/ocsp-request');
    return answer(reply, responder, req.body);
  });
  app.get<{ Params: { '*': string } }>('/pki/ocsp/*', async (req, reply) => {
    let der: Buffer;
    try {
      der = Buffer.from(decodeURIComponent(req.params['*']), 'base64');
    } catch {
      der = Buffer.alloc(0);
    }
    return answer(reply, responder, der.subarray(0, MAX_REQUEST_BYTES + 1));
  });
};
