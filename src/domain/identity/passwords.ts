import argon2 from 'argon2';

/**
 * Argon2id with OWASP's baseline (19 MiB, 2 passes, 1 lane): ~20 ms a hash here, so a login
 * stays cheap for us and expensive to brute-force offline.
 */
const options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => argon2.hash(password, options);

let dummy: Promise<string> | undefined;

/**
 * Verifies a password against a stored hash — or, for an unknown user, against a dummy hash of
 * the same cost, so the answer takes as long either way (no account-existence oracle).
 */
export async function verifyPassword(hash: string | null | undefined, password: string): Promise<boolean> {
  if (!hash) {
    dummy ??= hashPassword('not-a-password-of-anyone');
    await argon2.verify(await dummy, password).catch(() => false);
    return false;
  }
  return argon2.verify(hash, password).catch(() => false);
}

/** A stored hash made with weaker settings than today's is rehashed at the next login. */
export const needsRehash = (hash: string): boolean => argon2.needsRehash(hash, options);
