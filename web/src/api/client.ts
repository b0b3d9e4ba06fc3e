/** The portal's one way to the platform: the public REST API under /api/v1, with the session cookie. */
import { saveBlob } from '../components/csv';

export const API = '/api/v1';

/** A refusal or failure as the API words it: `{ code, message, details? }`. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown, readonly retryAfterS?: number) {
    super(message);
  }
}

let csrfToken: string | null = null;
const expiryListeners = new Set<() => void>();

/** The session's CSRF token, sent with every unsafe request (the cookie alone is not enough). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the platform no longer knows the session (expired, revoked, signed out elsewhere). */
export function onSessionExpired(listener: () => void): () => void {
  expiryListeners.add(listener);
  return () => expiryListeners.delete(listener);
}

const unsafe = (method: string): boolean => !['GET', 'HEAD', 'OPTIONS'].includes(method);

async function request(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<Response> {
  const headers: Record<string, string> = { accept };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (unsafe(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(`${API}${path}`, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.ok) return res;
  const text = await res.text();
  let parsed: { code?: string; message?: string; details?: unknown } = {};
  try { parsed = JSON.parse(text) as typeof parsed; } catch { /* not the API's error body */ }
  // a failed login is a wrong password, not an expired session
  if (res.status === 401 && !path.startsWith('/auth/login')) for (const l of expiryListeners) l();
  const retry = Number(res.headers.get('retry-after'));
  throw new ApiError(res.status, parsed.code ?? `http_${res.status}`, parsed.message ?? (text || res.statusText), parsed.details, Number.isFinite(retry) && retry > 0 ? retry : undefined);
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await request(method, path, body);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const get = <T>(path: string): Promise<T> => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown): Promise<T> => api<T>('POST', path, body ?? {});

/** A file answer (CSV, PDF) saved by the browser under the name the platform gives. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await request('GET', path, undefined, '*/*');
  const disposition = res.headers.get('content-disposition') ?? '';
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
  saveBlob(await res.blob(), name);
}

/** Query string of the defined, non-empty values. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A list answer of the API. */
export interface Page<T> { items: T[]; total?: number; limit: number; offset: number }
