import type { CommandKind } from '../commands.js';
import type { Principal } from './principal.js';
import type { RateLimiter } from './rate-limiter.js';
import { isRole, roles, type Role } from './roles.js';

/** How much switching one principal may do (AC2): commands per sliding window, stations per batch. */
export interface SwitchingLimit {
  perWindow: number;
  windowS: number;
  maxBatch: number;
}

/**
 * The commands AC2 limits: those that switch load on or off (remote start/stop, availability,
 * reset) or cap it (charging profiles). Reads of schedules and unlocking a cable switch nothing.
 */
export const switchingKinds: ReadonlySet<CommandKind> = new Set<CommandKind>([
  'remoteStart', 'remoteStop', 'changeAvailability', 'reset', 'setChargingProfile', 'clearChargingProfile',
]);

const none: SwitchingLimit = { perWindow: 0, windowS: 60, maxBatch: 0 };

/**
 * Built-in limits per role. People switch a few stations at a time; the DSO acts on many stations
 * at once when the grid needs it, so it has a larger batch and a longer window, but a rate low
 * enough that a stolen DSO key cannot toggle a region's load back and forth. Roles without a
 * switching permission get nothing (the permission check refuses them first anyway).
 */
export const defaultSwitchingLimits: Readonly<Record<Role, SwitchingLimit>> = {
  admin: { perWindow: 60, windowS: 60, maxBatch: 50 },
  cpo_manager: { perWindow: 60, windowS: 60, maxBatch: 50 },
  support_l2: { perWindow: 10, windowS: 60, maxBatch: 5 },
  dso: { perWindow: 500, windowS: 900, maxBatch: 250 },
  ems: { perWindow: 30, windowS: 60, maxBatch: 10 },
  billing_manager: none,
  emsp_manager: none,
  support_l1: none,
  roaming_partner: none,
  customer: none,
};

/**
 * The limits in force: the built-in table with the roles `override` names replaced. `override` is
 * the JSON of OV2X_SWITCHING_LIMITS, e.g. `{"dso":{"perWindow":100,"windowS":300,"maxBatch":100}}`.
 * @throws Error naming the first thing wrong, so a bad setting stops the start instead of being ignored
 */
export function switchingLimitTable(override: string | undefined): Readonly<Record<Role, SwitchingLimit>> {
  if (override === undefined || override.trim() === '') return defaultSwitchingLimits;
  let given: unknown;
  try {
    given = JSON.parse(override);
  } catch {
    throw new Error('OV2X_SWITCHING_LIMITS is not JSON');
  }
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new Error('OV2X_SWITCHING_LIMITS must be an object of role → limit');
  const table: Record<Role, SwitchingLimit> = { ...defaultSwitchingLimits };
  for (const [role, limit] of Object.entries(given)) {
    if (!isRole(role)) throw new Error(`OV2X_SWITCHING_LIMITS: unknown role ${role} (roles: ${roles.join(', ')})`);
    const l = limit as Partial<Record<keyof SwitchingLimit, unknown>> | null;
    const ok = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min && (v as number) <= 1_000_000;
    if (typeof l !== 'object' || l === null || !ok(l.perWindow, 0) || !ok(l.windowS, 1) || !ok(l.maxBatch, 0) || Object.keys(l).length !== 3) {
      throw new Error(`OV2X_SWITCHING_LIMITS: ${role} needs whole numbers {perWindow ≥ 0, windowS ≥ 1, maxBatch ≥ 0} and nothing else`);
    }
    table[role] = { perWindow: l.perWindow as number, windowS: l.windowS as number, maxBatch: l.maxBatch as number };
  }
  return table;
}

/** A refused switching request: which limit, and when trying again can succeed (absent: never as asked). */
export interface SwitchingRefusal {
  scope: 'window' | 'batch';
  role: Role | null;
  limit: number;
  windowS: number;
  retryAfterS?: number;
}

/** Applies the switching limits of AC2 to a principal's request to switch `n` stations. */
export class SwitchingLimits {
  constructor(
    private readonly table: Readonly<Record<Role, SwitchingLimit>>,
    private readonly limiter: RateLimiter,
  ) {}

  /** The limit of a principal: that of its most generous role (roles add rights, never take them). */
  limitOf(p: Pick<Principal, 'roles'>): { role: Role | null; limit: SwitchingLimit } {
    let best: { role: Role | null; limit: SwitchingLimit } = { role: null, limit: none };
    for (const role of p.roles) {
      const l = this.table[role];
      const rate = l.perWindow / l.windowS;
      const bestRate = best.limit.perWindow / best.limit.windowS;
      if (rate > bestRate || (rate === bestRate && l.maxBatch > best.limit.maxBatch)) best = { role, limit: l };
    }
    return best;
  }

  /** Counts `n` switching commands against the principal; undefined when allowed, else the refusal. */
  async check(p: Pick<Principal, 'id' | 'roles'>, kind: CommandKind, n = 1): Promise<SwitchingRefusal | undefined> {
    if (!switchingKinds.has(kind)) return undefined;
    const { role, limit } = this.limitOf(p);
    if (n > limit.maxBatch) return { scope: 'batch', role, limit: limit.maxBatch, windowS: limit.windowS };
    const r = await this.limiter.take(`switching:${p.id}`, n, limit.perWindow, limit.windowS * 1000);
    return r.ok ? undefined : { scope: 'window', role, limit: limit.perWindow, windowS: limit.windowS, retryAfterS: Math.ceil(r.retryAfterMs / 1000) };
  }
}
