import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build:web` puts the portal: dist/web, beside this module's dist/src. */
export const PORTAL_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));

/**
 * The portal's Content-Security-Policy: only our own scripts, styles and connections, no inline
 * code of any kind, never framed. Scripts that set element.style through the CSSOM (charts) are
 * unaffected; injected <style> elements and inline handlers are refused.
 */
export const PORTAL_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'",
].join('; ');

const securityHeaders: Record<string, string> = {
  'content-security-policy': PORTAL_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/** Paths of the platform itself: never answered with the portal's page, whatever the browser asks. */
const platformPrefixes = ['/api', '/metrics', '/health', '/pki', '/transfers', '/assets'];

export interface Portal {
  /** the SPA fallback for the server's not-found handler: true when it answered with index.html */
  fallback(req: FastifyRequest, reply: FastifyReply): boolean;
}

/**
 * Serves the built portal (static files, hashed assets cached for good, index.html never) with
 * the strict CSP, and answers client-side routes (GET, HTML wanted, not a platform path) with
 * index.html. Without a build it serves nothing and says so once.
 */
export async function registerPortal(app: FastifyInstance, o: { ocppPath: string; root?: string; warn(msg: string): void }): Promise<Portal> {
  const root = o.root ?? PORTAL_ROOT;
  const indexFile = `${root}index.html`;
  if (!existsSync(indexFile)) {
    o.warn(`portal not built (no ${indexFile}); run npm run build:web`);
    return { fallback: () => false };
  }
  const indexHtml = readFileSync(indexFile);
  const reserved = [...platformPrefixes, o.ocppPath];
  await app.register(fastifyStatic, {
    root, prefix: '/', wildcard: false, index: ['index.html'], dotfiles: 'deny', etag: true, lastModified: false, cacheControl: false,
    setHeaders(reply: FastifyReply, path: string) {
      // file names under assets/ carry their content hash
      void reply.headers({ ...securityHeaders, 'cache-control': path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache' });
    },
  });
  const isReserved = (path: string): boolean => reserved.some((p) => path === p || path.startsWith(`${p}/`));
  return {
    fallback(req, reply) {
      const path = req.url.split('?')[0] ?? '/';
      if (req.method !== 'GET' || isReserved(path) || !/\btext\/html\b/.test(req.headers.accept ?? '')) return false;
      void reply.code(200).headers({ ...securityHeaders, 'cache-control': 'no-cache' }).type('text/html; charset=utf-8').send(indexHtml);
      return true;
    },
  };
}
