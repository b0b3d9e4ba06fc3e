import { commonPasswords } from './common-passwords.js';

/** Which rule a new password breaks; the API answers 422 with it. */
export interface PolicyViolation {
  rule: 'length' | 'username' | 'common' | 'trivial' | 'reuse';
  message: string;
}

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

let common: ReadonlySet<string> | undefined;
/** Loaded once, on first use: most processes (CLI commands) never check a password. */
const commonSet = (): ReadonlySet<string> => (common ??= new Set(commonPasswords.split('\n').filter(Boolean)));

/** `Password2024!` → `password`: the word people decorate with digits and symbols. */
const core = (p: string): string => p.replace(/^[\d\W_]+|[\d\W_]+$/g, '');

/**
 * The local password policy (AC4, NIST SP 800-63B): length over composition, no passwords from
 * breach lists (also when only decorated with digits or symbols), none built on the username.
 */
export function checkPassword(password: string, username: string): PolicyViolation | undefined {
  const lower = password.toLowerCase();
  const user = username.toLowerCase();
  const rules: Array<[boolean, PolicyViolation]> = [
    [[...password].length < PASSWORD_MIN || [...password].length > PASSWORD_MAX,
      { rule: 'length', message: `a password has ${PASSWORD_MIN} to ${PASSWORD_MAX} characters` }],
    [user.length > 0 && lower.includes(user), { rule: 'username', message: 'a password must not contain the username' }],
    [new Set(lower).size < 4, { rule: 'trivial', message: 'a password needs more than three different characters' }],
    [commonSet().has(lower) || commonSet().has(core(lower)), { rule: 'common', message: 'this password is on a list of common or breached passwords' }],
  ];
  return rules.find(([broken]) => broken)?.[1];
}
