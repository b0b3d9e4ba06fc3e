import { randomBytes } from 'node:crypto';
import { generate } from 'otplib';
import type { Platform } from '../../src/app.js';
import { hashPassword } from '../../src/domain/identity/passwords.js';
import type { Role } from '../../src/domain/identity/roles.js';
import { call, type ApiAnswer } from './api.js';

export interface LoginBody {
  token: string;
  csrfToken: string;
  expiresAt: string;
  me: { id: string; roles: string[]; pending: string[]; permissions: string[] };
}

export const login = (platform: Platform, username: string, password: string): Promise<ApiAnswer<LoginBody>> =>
  call<LoginBody>(platform, 'POST', '/auth/login', { body: { username, password } });

/** A local account with a known password and no second factor, signed in nowhere yet. */
export async function localUser(platform: Platform, roles: readonly Role[], opts: { username?: string } = {}): Promise<{ id: number; username: string; password: string }> {
  const username = opts.username ?? `u${randomBytes(4).toString('hex')}`;
  const password = randomBytes(18).toString('base64url');
  const user = await platform.repos.users.create({ username, roles, passwordHash: await hashPassword(password) });
  return { id: user.id, username, password };
}

/** The code an authenticator app shows `steps` time steps (30 s) from now. */
export const totpCode = (secret: string, steps = 0): Promise<string> => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

/** Enrols and confirms TOTP for the session of `token` (code of the current step). */
export async function enrolTotp(platform: Platform, token: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  const enrol = await call<{ secret: string }>(platform, 'POST', '/auth/totp/enrol', { token });
  if (enrol.status !== 200) throw new Error(`enrol: ${enrol.status} ${JSON.stringify(enrol.body)}`);
  const confirm = await call<{ recoveryCodes: string[] }>(platform, 'POST', '/auth/totp/confirm', { token, body: { code: await totpCode(enrol.body.secret) } });
  if (confirm.status !== 200) throw new Error(`confirm: ${confirm.status} ${JSON.stringify(confirm.body)}`);
  return { secret: enrol.body.secret, recoveryCodes: confirm.body.recoveryCodes };
}
