import type { ApiKeyQuery, ApiKeyRepo, ApiKeyState } from '../../store/repos/api-keys.js';
import type { StationGroupRepo } from '../../store/repos/station-groups.js';
import type { ApiKeyRow } from '../../store/schema.js';
import type { Principal } from './principal.js';
import { allows, isRole, permissionMatrix, type Role } from './roles.js';
import { newToken, tokenHash } from './secrets.js';

/** What every API key starts with, so the authenticator (and a secret scanner) can tell it. */
export const API_KEY_PREFIX = 'ov2xk';
/** `ov2xk_` + 32 CSPRNG bytes in base64url: anything else is not a key and costs no lookup. */
const KEY_SHAPE = /^ov2xk_[A-Za-z0-9_-]{43}$/;
/** shown in lists so people can tell keys apart: `ov2xk_` + 8 characters (48 of 256 bits) */
const DISPLAY_CHARS = API_KEY_PREFIX.length + 1 + 8;
/** last use is written at most this often (ms): a busy client must not write on every call */
const TOUCH_EVERY_MS = 60_000;
/** the longest overlap (s) of a rotation: long enough for a slow redeployment, short enough to end */
export const MAX_OVERLAP_S = 7 * 86_400;
const DAY_MS = 86_400_000;

export interface ApiKeyPolicy {
  /** longest lifetime of a key (days) */
  maxDays: number;
}

/** Whoever issues or manages keys: a signed-in principal, or the operator at the CLI. */
export interface Issuer {
  id: string;
  roles: readonly Role[];
  /** null = every station group */
  groups: readonly string[] | null;
}

export type ApiKeyErrorCode = 'role_not_allowed' | 'exceeds_own_rights' | 'out_of_scope' | 'unknown_group' | 'expiry_too_long' | 'not_found' | 'not_rotatable' | 'bad_overlap';

export class ApiKeyError extends Error {
  constructor(readonly code: ApiKeyErrorCode, message: string) {
    super(message);
    this.name = 'ApiKeyError';
  }
}

export interface NewKeyInput {
  name: string;
  role: string;
  /** null or absent = every station group (only for an unscoped issuer) */
  groups?: readonly string[] | null;
  expiresInDays: number;
}

/**
 * API keys of machine clients and market parties (AC3, AC5): 256 random bits shown once and
 * stored as their SHA-256, each holding one role and optionally a set of station groups,
 * always expiring, rotatable with an overlap in which old and new both work, revocable at once.
 */
export class ApiKeyService {
  constructor(
    private readonly keys: ApiKeyRepo,
    private readonly groups: StationGroupRepo,
    private readonly policy: ApiKeyPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  async create(by: Issuer, input: NewKeyInput): Promise<{ key: ApiKeyRow; secret: string }> {
    const groups = input.groups ?? null;
    const role = await this.mayIssue(by, input.role, groups);
    const expiresAt = this.expiry(input.expiresInDays);
    const secret = newToken(API_KEY_PREFIX);
    const key = await this.keys.create({ name: input.name, tokenHash: tokenHash(secret), prefix: secret.slice(0, DISPLAY_CHARS), role, stationGroups: groups, createdBy: by.id, expiresAt });
    return { key, secret };
  }

  /** The principal of a live key; undefined when the value is not a key, or unknown, expired or revoked. */
  async resolve(secret: string): Promise<Principal | undefined> {
    if (!KEY_SHAPE.test(secret)) return undefined;
    const key = await this.keys.byHash(tokenHash(secret));
    const now = this.now();
    if (!key || this.stateOf(key) !== 'active' || !isRole(key.role) || key.role === 'admin') return undefined;
    if (!key.lastUsedAt || now - key.lastUsedAt.getTime() >= TOUCH_EVERY_MS) await this.keys.touch(key.id, new Date(now));
    return { kind: 'apikey', id: `apikey:${key.id}`, name: key.name, roles: [key.role], groups: key.stationGroups, pending: [] };
  }

  list(by: Issuer, q: Omit<ApiKeyQuery, 'within' | 'now'>): Promise<{ items: ApiKeyRow[]; total: number }> {
    return this.keys.list({ ...q, within: by.groups, now: new Date(this.now()) });
  }

  /** A key the issuer may see; a key outside its scope is answered as if it did not exist. */
  async get(by: Issuer, id: number): Promise<ApiKeyRow> {
    const key = await this.keys.get(id);
    if (!key || !visible(by, key)) throw new ApiKeyError('not_found', `API key ${id} not found`);
    return key;
  }

  /**
   * A new key with the same name, role and scope; the old one keeps working for
   * `overlapSeconds` (0 = refused at once) so the client can be redeployed without a gap.
   */
  async rotate(by: Issuer, id: number, opts: { overlapSeconds: number; expiresInDays?: number }): Promise<{ key: ApiKeyRow; secret: string; previous: ApiKeyRow }> {
    const old = await this.get(by, id);
    if (this.stateOf(old) !== 'active' || old.replacedBy !== null) throw new ApiKeyError('not_rotatable', `API key ${id} is ${old.replacedBy !== null ? 'already rotated' : this.stateOf(old)}`);
    if (!Number.isInteger(opts.overlapSeconds) || opts.overlapSeconds < 0 || opts.overlapSeconds > MAX_OVERLAP_S) throw new ApiKeyError('bad_overlap', `overlapSeconds must be 0 to ${MAX_OVERLAP_S}`);
    const role = await this.mayIssue(by, old.role, old.stationGroups);
    // by default the new key lives as long as the old one was meant to
    const days = opts.expiresInDays ?? Math.min(this.policy.maxDays, Math.max(1, Math.round((old.expiresAt.getTime() - old.createdAt.getTime()) / DAY_MS)));
    const expiresAt = this.expiry(days);
    const secret = newToken(API_KEY_PREFIX);
    const now = this.now();
    const done = await this.keys.rotate(id, {
      name: old.name, tokenHash: tokenHash(secret), prefix: secret.slice(0, DISPLAY_CHARS), role, stationGroups: old.stationGroups, createdBy: by.id, expiresAt,
    }, new Date(now + opts.overlapSeconds * 1000), new Date(now));
    if (!done) throw new ApiKeyError('not_rotatable', `API key ${id} was revoked or rotated meanwhile`);
    return { ...done, secret };
  }

  /** Refused from this moment on; revoking a revoked key changes nothing. */
  async revoke(by: Issuer, id: number): Promise<{ key: ApiKeyRow; changed: boolean }> {
    const key = await this.get(by, id);
    const revoked = await this.keys.revoke(id, new Date(this.now()));
    return { key: revoked ?? key, changed: revoked !== undefined };
  }

  stateOf(key: ApiKeyRow): ApiKeyState {
    return key.revokedAt ? 'revoked' : key.expiresAt.getTime() <= this.now() ? 'expired' : 'active';
  }

  /**
   * Least privilege (AC3): never an administrator's key, never more rights than the issuer
   * holds itself, never wider than the issuer's station groups, only existing groups.
   */
  private async mayIssue(by: Issuer, role: string, groups: readonly string[] | null): Promise<Role> {
    if (!isRole(role)) throw new ApiKeyError('role_not_allowed', `unknown role ${role}`);
    if (role === 'admin') throw new ApiKeyError('role_not_allowed', 'API keys cannot hold the admin role; give a machine client the narrowest role that does its job');
    const beyond = permissionMatrix[role].filter((p) => !allows(by.roles, p));
    if (beyond.length) throw new ApiKeyError('exceeds_own_rights', `role ${role} has rights you do not hold: ${beyond.join(', ')}`);
    if (by.groups !== null) {
      if (groups === null) throw new ApiKeyError('out_of_scope', 'a scoped account must limit the key to some of its own station groups');
      const outside = groups.filter((g) => !by.groups!.includes(g));
      if (outside.length) throw new ApiKeyError('out_of_scope', `station groups outside your scope: ${outside.join(', ')}`);
    }
    for (const g of groups ?? []) {
      if (!(await this.groups.get(g))) throw new ApiKeyError('unknown_group', `station group ${g} does not exist`);
    }
    return role;
  }

  private expiry(days: number): Date {
    if (!Number.isInteger(days) || days < 1 || days > this.policy.maxDays) throw new ApiKeyError('expiry_too_long', `a key lives 1 to ${this.policy.maxDays} days`);
    return new Date(this.now() + days * DAY_MS);
  }
}

/** A scoped issuer sees only keys confined to its own groups. */
function visible(by: Issuer, key: ApiKeyRow): boolean {
  return by.groups === null || (key.stationGroups !== null && key.stationGroups.every((g) => by.groups!.includes(g)));
}
