import type { ApiSessionRepo } from '../../store/repos/api-sessions.js';
import type { UserRepo } from '../../store/repos/users.js';
import type { ApiSessionRow, UserRow } from '../../store/schema.js';
import { newToken, tokenHash } from './secrets.js';

export interface SessionPolicy {
  /** a session unused this long (ms) ends */
  idleMs: number;
  /** and every session ends this long (ms) after login, used or not */
  absoluteMs: number;
}

/** How often (ms) last-seen is written; idle expiry is exact to within this. */
const TOUCH_EVERY_MS = 15_000;

/**
 * API sessions: an opaque 256-bit token given once (cookie for the portal, bearer for scripts),
 * stored as its hash, with idle and absolute expiry and a CSRF token bound to it.
 */
export class SessionService {
  constructor(
    private readonly sessions: ApiSessionRepo,
    private readonly users: UserRepo,
    private readonly policy: SessionPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  async create(userId: number, opts: { mfaPassed: boolean; sourceIp?: string }): Promise<{ token: string; session: ApiSessionRow }> {
    const token = newToken('ov2xs');
    const session = await this.sessions.create({
      id: tokenHash(token), userId, csrfToken: newToken('csrf'), mfaPassed: opts.mfaPassed, sourceIp: opts.sourceIp ?? null,
      expiresAt: new Date(this.now() + this.policy.absoluteMs),
    });
    return { token, session };
  }

  /** The live session and its user for a token; undefined when unknown, revoked or expired. */
  async resolve(token: string): Promise<{ session: ApiSessionRow; user: UserRow } | undefined> {
    const id = tokenHash(token);
    const session = await this.sessions.get(id);
    if (!session) return undefined;
    const now = this.now();
    if (session.expiresAt.getTime() <= now || session.lastSeenAt.getTime() + this.policy.idleMs <= now) {
      await this.sessions.revoke(id);
      return undefined;
    }
    const user = await this.users.byId(session.userId);
    if (!user || user.disabled) return undefined;
    if (now - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) await this.sessions.touch(id, new Date(now));
    return { session, user };
  }

  passMfa(sessionId: string): Promise<void> {
    return this.sessions.passMfa(sessionId);
  }

  revoke(sessionId: string): Promise<void> {
    return this.sessions.revoke(sessionId);
  }

  revokeUser(userId: number, keep?: string): Promise<void> {
    return this.sessions.revokeUser(userId, keep);
  }
}
