import type { StationGroupRepo } from '../../store/repos/station-groups.js';
import type { AccountService } from './account-service.js';
import type { ApiKeyService } from './api-keys.js';
import type { AuditLog } from './audit-log.js';
import type { OidcService } from './oidc.js';
import type { SessionService } from './session-service.js';
import type { TwoFactorService } from './totp.js';
import type { UserAdmin } from './user-admin.js';
import type { SwitchingLimits } from './switching-limits.js';

/** Identity and access: accounts, sessions, station groups (RBAC scope) and the audit trail. */
export interface IdentityServices {
  accounts: AccountService;
  sessions: SessionService;
  audit: AuditLog;
  stationGroups: StationGroupRepo;
  /** API keys of machine clients and market parties (AC3, AC5) */
  apiKeys: ApiKeyService;
  /** TOTP second factor (AC6) */
  twoFactor: TwoFactorService;
  /** account administration (P4) */
  userAdmin: UserAdmin;
  /** OpenID Connect relying party (M1); undefined when no issuer is configured */
  oidc?: OidcService;
  /** AC2: how many switching commands a principal may send (per window and per batch) */
  switchingLimits: SwitchingLimits;
}
