import type { StationGroupRepo } from '../../store/repos/station-groups.js';
import type { AccountService } from './account-service.js';
import type { AuditLog } from './audit-log.js';
import type { SessionService } from './session-service.js';
import type { SwitchingLimits } from './switching-limits.js';

/** Identity and access: accounts, sessions, station groups (RBAC scope) and the audit trail. */
export interface IdentityServices {
  accounts: AccountService;
  sessions: SessionService;
  audit: AuditLog;
  stationGroups: StationGroupRepo;
  /** AC2: how many switching commands a principal may send (per window and per batch) */
  switchingLimits: SwitchingLimits;
}
