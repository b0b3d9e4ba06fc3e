import { randomInt } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import type { UserRepo } from '../../store/repos/users.js';
import type { UserRow } from '../../store/schema.js';
import type { Sealer } from '../crypto/sealed.js';
import type { AccountService } from './account-service.js';
import { tokenHash } from './secrets.js';

/** RFC 6238 defaults every authenticator app understands: SHA-1, 6 digits, 30 s. */
const PERIOD_S = 30;
/** One step either side: clocks of phones drift, and a code typed at :29 arrives at :31. */
const TOLERANCE_S = PERIOD_S;
const RECOVERY_CODES = 10;
export const TOTP_ISSUER = 'OV2X';

export type SecondFactor = { code: string; recoveryCode?: undefined } | { recoveryCode: string; code?: undefined };
export type FactorOutcome = 'ok' | 'invalid' | 'locked';

/** `xxxxx-xxxxx`: ~49 bits from the CSPRNG (unbiased), in an alphabet without look-alikes (0/O, 1/l). */
function recoveryCode(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const chars = Array.from({ length: 10 }, () => alphabet[randomInt(alphabet.length)]!);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

const normalise = (code: string): string => code.trim().toLowerCase().replace(/\s+/g, '');

/**
 * Second factor (AC6): TOTP enrolment, confirmation with recovery codes, and the check at
 * sign-in with replay protection. The secret is sealed at rest (AES-256-GCM under the server
 * secret, bound to the user row); recovery codes are kept as SHA-256 hashes and work once.
 * Wrong codes count toward the account lockout like wrong passwords.
 */
export class TwoFactorService {
  constructor(
    private readonly users: UserRepo,
    private readonly accounts: AccountService,
    private readonly sealer: Sealer,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new secret (replacing an unconfirmed one); the secret and URI are answered once. Refused while 2FA is on. */
  async enrol(user: UserRow): Promise<{ secret: string; uri: string } | undefined> {
    if (user.totpEnabled) return undefined;
    const secret = generateSecret({ length: 20 });
    await this.users.update(user.id, { totpSecret: this.sealer.seal(secret, binding(user)), totpLastStep: null, recoveryCodes: '[]' });
    return { secret, uri: generateURI({ issuer: TOTP_ISSUER, label: user.username, secret, period: PERIOD_S }) };
  }

  /** Turns 2FA on once a code of the new secret is right; answers the recovery codes (shown once). */
  async confirm(user: UserRow, code: string): Promise<{ outcome: FactorOutcome; recoveryCodes?: string[] }> {
    if (user.totpEnabled || !user.totpSecret) return { outcome: 'invalid' };
    const outcome = await this.checkCode(user, code);
    if (outcome !== 'ok') return { outcome };
    const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode);
    await this.users.update(user.id, { totpEnabled: true, recoveryCodes: JSON.stringify(codes.map((c) => tokenHash(c))) });
    return { outcome, recoveryCodes: codes };
  }

  /** The second factor at sign-in: a TOTP code or one unused recovery code. */
  async verify(user: UserRow, factor: SecondFactor): Promise<FactorOutcome> {
    if (!user.totpEnabled || !user.totpSecret) return 'invalid';
    if (factor.recoveryCode === undefined) return this.checkCode(user, factor.code);
    if (this.accounts.isLocked(user)) return 'locked';
    if (await this.users.useRecoveryCode(user.id, tokenHash(normalise(factor.recoveryCode)))) {
      await this.accounts.clearFailures(user.id);
      return 'ok';
    }
    await this.accounts.countFailure(user);
    return 'invalid';
  }

  /** How many recovery codes are left (the portal warns when few are). */
  remainingRecoveryCodes(user: UserRow): number {
    return user.recoveryCodes.length;
  }

  /** Forgets secret and recovery codes: the next sign-in enrols again (mandatory roles) or goes without. */
  async reset(userId: number): Promise<UserRow | undefined> {
    return this.users.update(userId, { totpSecret: null, totpEnabled: false, totpLastStep: null, recoveryCodes: '[]' });
  }

  private async checkCode(user: UserRow, code: string): Promise<FactorOutcome> {
    if (this.accounts.isLocked(user)) return 'locked';
    const token = normalise(code);
    const secret = this.sealer.open(user.totpSecret!, binding(user)).toString('utf8');
    const result = /^\d{6}$/.test(token)
      ? await verify({ secret, token, period: PERIOD_S, epoch: Math.floor(this.now() / 1000), epochTolerance: TOLERANCE_S, afterTimeStep: user.totpLastStep ?? undefined })
      : { valid: false as const };
    const step = result.valid && 'timeStep' in result ? result.timeStep : undefined;
    // the step is claimed in one conditional update: a code used once (or an older one) never passes again
    if (step !== undefined && (await this.users.useTotpStep(user.id, step))) {
      await this.accounts.clearFailures(user.id);
      return 'ok';
    }
    await this.accounts.countFailure(user);
    return 'invalid';
  }
}

const binding = (user: Pick<UserRow, 'id'>): string => `user:${user.id}`;
