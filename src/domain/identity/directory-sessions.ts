import type { Logger } from '../../log/logger.js';
import type { ApiSessionRepo } from '../../store/repos/api-sessions.js';
import type { UserRepo } from '../../store/repos/users.js';
import type { ApiSessionRow, UserRow } from '../../store/schema.js';
import type { DirectoryView } from './ldap-directory.js';
import { DirectoryUnavailable } from './ldap-directory.js';
import { SessionService, type SessionPolicy } from './session-service.js';

/** The part of a directory a session refresh needs: the user's current view, no password. */
export interface DirectoryLookup {
  source: string;
  lookup(username: string): Promise<DirectoryView | undefined>;
}

/**
 * Sessions whose directory users' roles and scope follow the directory while the session lives:
 * once the account row is older than `refreshMs` (it is rewritten at every login and refresh),
 * the next request re-reads the user's groups. A user gone from the directory, or from every
 * mapped group, loses all sessions. While the directory is unreachable the last known roles
 * stay (the session's absolute expiry still bounds them) and it is asked again only after
 * `refreshMs`, so an outage does not add a timeout to every request.
 */
export class DirectorySessions extends SessionService {
  /** user id → when a refresh last failed because the directory was unreachable */
  private readonly failedAt = new Map<number, number>();

  constructor(
    sessions: ApiSessionRepo,
    private readonly userRepo: UserRepo,
    policy: SessionPolicy,
    private readonly directory: DirectoryLookup,
    private readonly refreshMs: number,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    super(sessions, userRepo, policy, clock);
  }

  override async resolve(token: string): Promise<{ session: ApiSessionRow; user: UserRow } | undefined> {
    const found = await super.resolve(token);
    if (!found || found.user.source !== this.directory.source) return found;
    const now = this.clock();
    const syncedAt = Math.max(found.user.updatedAt.getTime(), this.failedAt.get(found.user.id) ?? 0);
    if (this.refreshMs > 0 && now - syncedAt < this.refreshMs) return found;
    let view: DirectoryView | undefined;
    try {
      view = await this.directory.lookup(found.user.username);
    } catch (err) {
      if (!(err instanceof DirectoryUnavailable)) throw err;
      this.failedAt.set(found.user.id, now);
      return found;
    }
    this.failedAt.delete(found.user.id);
    if (!view) {
      this.log.info({ userId: found.user.id }, 'directory user no longer holds a mapped group: sessions ended');
      await this.revokeUser(found.user.id);
      return undefined;
    }
    const user = await this.userRepo.update(found.user.id, {
      displayName: view.displayName ?? null, roles: JSON.stringify(view.roles), stationGroups: view.groups ? JSON.stringify(view.groups) : null,
    });
    return user && { session: found.session, user };
  }
}
