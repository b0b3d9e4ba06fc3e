import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { UploadTooLarge, type TransferService } from '../domain/transfers/transfer-service.js';
import type { FileTransfer } from '../store/index.js';

export interface TransferRoutesOptions {
  transfers: TransferService;
}

interface Params {
  station: string;
  token: string;
  name?: string;
}

// Every refusal looks the same: a prober learns nothing about which tokens exist.
const notFound = (reply: FastifyReply) => reply.code(404).type('text/plain').send('not found');
const tooLarge = (reply: FastifyReply) => reply.code(413).header('connection', 'close').type('text/plain').send('payload too large');

const isTooLarge = (err: unknown): boolean =>
  err instanceof UploadTooLarge || (typeof err === 'object' && err !== null && (err as { statusCode?: number }).statusCode === 413);

/**
 * The file transfers of OCPP over plain HTTP(S), at /transfers/<station>/<token>[/<name>]:
 * GET downloads a firmware image; PUT (raw body, to the URL or to a file name below it) and
 * POST (multipart/form-data, first file part) upload a log. The token decides everything; the
 * trailing name is only a label and never reaches the file system.
 */
export const transferRoutes: FastifyPluginAsync<TransferRoutesOptions> = async (app, { transfers }) => {
  const limit = transfers.maxUploadBytes;
  // This plugin reads bodies as streams itself; the scope keeps that from other plugins.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
  // one byte over the limit reaches TransferService, which refuses the file (busboy would only truncate it)
  await app.register(multipart, { limits: { fileSize: limit + 1, files: 1, fields: 10, fieldSize: 4096, parts: 20, headerPairs: 100 } });

  const authorized = async (req: FastifyRequest<{ Params: Params }>, purpose: 'upload' | 'download'): Promise<FileTransfer | undefined> =>
    transfers.authorize(req.params.station, req.params.token, purpose, req.ip);

  const download = async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const t = await authorized(req, 'download');
    const file = t && (await transfers.openDownload(t));
    if (!file) return notFound(reply);
    return reply.type('application/octet-stream').header('content-length', file.image.size)
      .header('x-checksum-sha256', file.image.sha256).send(file.stream);
  };

  const upload = async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    const t = await authorized(req, 'upload');
    if (!t) return notFound(reply);
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit + (req.isMultipart() ? 64 * 1024 : 0)) return tooLarge(reply);
    if (!(await transfers.claim(t))) return notFound(reply);
    let body: Readable;
    let meta: { originalName?: string; contentType?: string };
    if (req.isMultipart()) {
      const part = await req.file().catch(() => undefined);
      if (!part) {
        await transfers.release(t);
        return reply.code(400).type('text/plain').send('expected a file part');
      }
      body = part.file;
      meta = { originalName: part.filename, contentType: part.mimetype };
    } else {
      // Fastify skips the parser for an empty body: that is an empty file, not an error
      body = (req.body as Readable | undefined) ?? Readable.from([]);
      meta = { originalName: req.params.name, contentType: req.headers['content-type'] };
    }
    try {
      const f = await transfers.receive(t, body, meta);
      return reply.code(201).send({ size: f.size, sha256: f.sha256 });
    } catch (err) {
      if (isTooLarge(err)) return tooLarge(reply);
      throw err;
    }
  };

  for (const path of ['/transfers/:station/:token', '/transfers/:station/:token/:name']) {
    app.get(path, download);
    app.put(path, upload);
    app.post(path, upload);
  }
};
