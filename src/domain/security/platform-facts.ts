import type { Severity } from '../../store/schema.js';

/**
 * Which audit records are also security facts (issue 7: "auth failures, lockouts, role changes,
 * key rotations, API key / user admin actions, blocked connections"), and as which event type.
 * Data, not branching: first matching rule wins. Every refusal (denied) is a fact whatever the action.
 */
interface Rule {
  action: RegExp;
  result?: RegExp;
  type: string;
  severity: Severity;
  /** a reason in the details that picks another type (a lockout is a failed login with reason locked) */
  byReason?: Record<string, { type: string; severity: Severity }>;
}

const rules: readonly Rule[] = [
  { action: /^auth\.(login|totp\.verify)$/, result: /^(failure|denied)$/, type: 'AuthenticationFailed', severity: 'warning', byReason: { locked: { type: 'AccountLocked', severity: 'high' } } },
  { action: /^auth\.(password\.change|totp\.(enrol|confirm))$/, type: 'CredentialsChanged', severity: 'info' },
  { action: /^user\.roles\./, type: 'RoleChanged', severity: 'warning' },
  { action: /^user\.(create|remove|update|unlock|reset-2fa)$/, type: 'UserAdministration', severity: 'info' },
  { action: /^apikey\.rotate$/, type: 'KeyRotation', severity: 'info' },
  { action: /^apikey\./, type: 'ApiKeyAdministration', severity: 'info' },
  { action: /^station\.(password-rotation|security-profile-upgrade)$/, type: 'KeyRotation', severity: 'info' },
  { action: /^(token|events)\.reveal$/, type: 'SensitiveDataRevealed', severity: 'info' },
  { action: /./, result: /^denied$/, type: 'AccessDenied', severity: 'warning' },
];

export function securityFactOf(action: string, result: string, details?: Record<string, unknown>): { type: string; severity: Severity } | undefined {
  const rule = rules.find((r) => r.action.test(action) && (!r.result || r.result.test(result)));
  if (!rule) return undefined;
  const reason = typeof details?.reason === 'string' ? details.reason : undefined;
  return (reason && rule.byReason?.[reason]) || { type: rule.type, severity: rule.severity };
}
