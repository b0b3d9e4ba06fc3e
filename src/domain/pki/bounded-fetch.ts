/** Limits of an outgoing HTTP exchange with a PKI back end (OCSP responder, contract certificate service). */
export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
}

/** Why an exchange failed, safe to pass on to a station (no secrets, no bodies). */
export class FetchError extends Error {}

/** POSTs `body` and returns the answer's bytes: a non-2xx status, a timeout or an answer over `maxBytes` is a FetchError. */
export async function boundedPost(url: string, body: Uint8Array | string, contentType: string, limits: FetchLimits): Promise<Buffer> {
  let res: Response;
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    res = await fetch(url, { method: 'POST', body, headers: { 'content-type': contentType }, signal, redirect: 'error' });
  } catch (err) {
    throw new FetchError(signal.aborted ? `no answer from ${new URL(url).host} within ${limits.timeoutMs} ms` : `${new URL(url).host} could not be reached (${(err as Error).name})`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new FetchError(`${new URL(url).host} answered HTTP ${res.status}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body ?? []) {
      size += (chunk as Uint8Array).length;
      if (size > limits.maxBytes) throw new FetchError(`the answer of ${new URL(url).host} exceeds ${limits.maxBytes} bytes`);
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
  } catch (err) {
    await res.body?.cancel().catch(() => undefined);
    if (err instanceof FetchError) throw err;
    throw new FetchError(signal.aborted ? `no answer from ${new URL(url).host} within ${limits.timeoutMs} ms` : `the answer of ${new URL(url).host} broke off`);
  }
  return Buffer.concat(chunks);
}
