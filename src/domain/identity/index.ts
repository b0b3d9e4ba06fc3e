import type { StationGroupRepo } from '../../store/repos/station-groups.js';
import type { AccountService } from './account-service.js';
import type { AuditLog } from './audit-log.js';
import type { OidcService } from './oidc.js';
import type { SessionService } from './session-service.js';

/** Identity and access: accounts, sessions, station groups (RBAC scope) and the audit trail. */
export interface IdentityServices {
  accounts: AccountService;
  sessions: SessionService;
  audit: AuditLog;
  stationGroups: StationGroupRepo;
  /** OpenID Connect relying party (M1); undefined when no issuer is configured */
  oidc?: OidcService;
}
