import { randomBytes } from 'node:crypto';
import { isUniqueViolation } from '../../store/errors.js';
import type { UserRepo } from '../../store/repos/users.js';
import { hashPassword } from './passwords.js';

/** A password given to a person once (first admin, new accounts): 144 bits from the CSPRNG, 24 characters. */
export const oneTimePassword = (): string => randomBytes(18).toString('base64url');

export const FIRST_ADMIN = 'admin';

/**
 * First start (no default credentials): with no account at all, creates the administrator
 * `admin` with a one-time password it must change at first login, then enrol TOTP. Returns the
 * password for the caller to show once; undefined when accounts exist (or another node won the race).
 */
export async function ensureFirstAdmin(users: UserRepo): Promise<{ username: string; password: string } | undefined> {
  if ((await users.count()) > 0) return undefined;
  const password = oneTimePassword();
  try {
    await users.create({ username: FIRST_ADMIN, displayName: 'First administrator', roles: ['admin'], passwordHash: await hashPassword(password), mustChangePassword: true });
  } catch (err) {
    if (isUniqueViolation(err)) return undefined;
    throw err;
  }
  return { username: FIRST_ADMIN, password };
}
