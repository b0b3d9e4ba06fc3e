import { randomBytes } from 'node:crypto';
import type { Platform } from '../../src/app.js';
import { hashPassword } from '../../src/domain/identity/passwords.js';
import type { Role } from '../../src/domain/identity/roles.js';

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** A user of the given roles with a signed-in session (second factor passed), for API tests. */
export interface ApiUser {
  userId: number;
  username: string;
  password: string;
  token: string;
  csrfToken: string;
}

let counter = 0;

export async function apiUser(platform: Platform, roles: readonly Role[], opts: { groups?: string[] | null; username?: string } = {}): Promise<ApiUser> {
  const username = opts.username ?? `user${++counter}-${roles.join('-') || 'none'}`;
  const password = randomBytes(18).toString('base64url');
  const user = await platform.repos.users.create({ username, roles, stationGroups: opts.groups ?? null, passwordHash: await hashPassword(password) });
  // marked as enrolled so mandatory 2FA does not hold the session in onboarding; the TOTP tests enrol for real
  await platform.repos.users.update(user.id, { totpEnabled: true });
  const { token, session } = await platform.services.identity.sessions.create(user.id, { mfaPassed: true });
  return { userId: user.id, username, password, token, csrfToken: session.csrfToken };
}

/** One API call over a real socket; `token` is sent as bearer. */
export async function call<T = Record<string, unknown>>(platform: Platform, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${platform.httpUrl}/api/v1${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  let body: unknown = text;
  try { body = text ? JSON.parse(text) : undefined; } catch { /* not JSON: keep the text */ }
  return { status: res.status, body: body as T, headers: res.headers };
}
