/**
 * Roles and the permission matrix (AC1, AC4, P4) as data: the API's authorization check, the
 * OpenAPI document and the authorization-matrix test all read this one table.
 */
export const roles = [
  /** platform manager */
  'admin',
  'cpo_manager',
  'billing_manager',
  'emsp_manager',
  'support_l1',
  'support_l2',
  /** machine roles of market parties */
  'dso',
  'roaming_partner',
  'ems',
  /** a customer of the eMSP, through the customer-facing API: only their own data */
  'customer',
] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  'stations:read',
  'stations:manage',
  /** commands that read or trigger without changing what the station does */
  'stations:command',
  /** commands that change configuration, firmware, certificates or credentials */
  'stations:configure',
  /** switching commands: remote start/stop, availability, reset, unlock (AC2 limits apply) */
  'stations:switch',
  /** charging limits: charging profiles (AC2 limits apply; the DSO's lever) */
  'stations:limit',
  'transactions:read',
  'tokens:read',
  'tokens:manage',
  /** see personal data in clear (audited) */
  'tokens:reveal',
  'tariffs:read',
  'tariffs:manage',
  'security:read',
  /** acknowledge/close IDS alerts, manage IP and identity block lists (issue 7) */
  'security:manage',
  'pki:read',
  'pki:manage',
  'users:read',
  'users:manage',
  'apikeys:manage',
  'audit:read',
  /** charge detail records (issue 6) */
  'cdrs:read',
  /** credit CDRs (corrections) */
  'cdrs:manage',
  /** customers (CRM, issue 6): personal fields masked */
  'customers:read',
  'customers:manage',
  /** a customer's personal fields in clear (audited) */
  'customers:reveal',
  'invoices:read',
  /** issue, mark paid, void */
  'invoices:manage',
  /** data-subject requests (export, erasure) and retention policies */
  'privacy:manage',
  /** firmware images and campaigns: see them and their progress */
  'firmware:read',
  /** upload signed firmware images, create and steer campaigns (fleet-wide installs) */
  'firmware:manage',
  /** the customer-facing API: one's own data and charging history */
  'self:read',
  /** one's own contact data and consents */
  'self:manage',
] as const;
export type Permission = (typeof permissions)[number];

/** the customer-facing permissions belong to customers only: staff act on customers through the CRM ones */
const all = permissions.filter((p) => !p.startsWith('self:'));

/** role → what it may do; anything not listed is denied */
export const permissionMatrix: { readonly [R in Role]: readonly Permission[] } = {
  admin: all,
  cpo_manager: [
    'stations:read', 'stations:manage', 'stations:command', 'stations:configure', 'stations:switch', 'stations:limit',
    'transactions:read', 'tokens:read', 'tariffs:read', 'tariffs:manage', 'security:read', 'security:manage', 'pki:read',
    'cdrs:read',
    'firmware:read', 'firmware:manage',
  ],
  billing_manager: ['transactions:read', 'tokens:read', 'tariffs:read', 'tariffs:manage', 'cdrs:read', 'cdrs:manage', 'customers:read', 'invoices:read', 'invoices:manage'],
  emsp_manager: [
    'transactions:read', 'tokens:read', 'tokens:manage', 'tokens:reveal', 'tariffs:read', 'cdrs:read',
    'customers:read', 'customers:manage', 'customers:reveal', 'invoices:read', 'privacy:manage',
  ],
  support_l1: ['stations:read', 'transactions:read', 'tokens:read', 'customers:read'],
  support_l2: ['stations:read', 'stations:command', 'stations:switch', 'transactions:read', 'tokens:read', 'security:read', 'customers:read', 'firmware:read'],
  dso: ['stations:read', 'stations:limit'],
  roaming_partner: ['stations:read', 'tariffs:read'],
  ems: ['stations:read', 'stations:limit', 'transactions:read'],
  customer: ['self:read', 'self:manage'],
};

/** Roles whose accounts must use a second factor (TOTP). */
export const mfaRequired: ReadonlySet<Role> = new Set(['admin']);

/** Roles only machine clients (API keys, OIDC clients) hold. */
export const machineRoles: ReadonlySet<Role> = new Set(['dso', 'roaming_partner', 'ems']);

export const isRole = (r: unknown): r is Role => typeof r === 'string' && (roles as readonly string[]).includes(r);

export function allows(held: readonly Role[], p: Permission): boolean {
  return held.some((r) => permissionMatrix[r].includes(p));
}
