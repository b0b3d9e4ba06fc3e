import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkTargetUrl, guardedLookup, TargetRefused } from './target-guard.js';

/** The answer to one delivery attempt: the HTTP status, or why there was none (safe to store and show). */
export interface PostResult {
  status: number | null;
  error?: string;
}

export interface PostOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  signal?: AbortSignal;
}

/**
 * POSTs a JSON body. Redirects are not followed (a 3xx is an answer like any other), the
 * address is checked where the socket connects (see guardedLookup), the whole exchange is
 * bounded by `timeoutMs`, and the answer's body is discarded unread.
 */
export function postJson(url: string, body: string, headers: Record<string, string>, o: PostOptions): Promise<PostResult> {
  let target: URL;
  try {
    target = checkTargetUrl(url, o.allowPrivate);
  } catch (err) {
    return Promise.resolve({ status: null, error: err instanceof TargetRefused ? err.message : 'refused' });
  }
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const req = request(target, {
      method: 'POST', agent: false, lookup: guardedLookup(o.allowPrivate),
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'ov2x-webhooks/1' },
    }, (res: IncomingMessage) => {
      // only the status matters; a receiver streaming an endless body cannot hold the worker
      res.destroy();
      finish({ status: res.statusCode ?? null });
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish({ status: null, error: `no answer within ${o.timeoutMs} ms` });
    }, o.timeoutMs);
    const onAbort = () => {
      req.destroy();
      finish({ status: null, error: 'cancelled' });
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => {
      finish({ status: null, error: err.code === 'EPRIVATETARGET' ? 'the host resolves to a private address' : `could not deliver (${err.code ?? err.name})` });
    });
    req.end(body);
  });
}
