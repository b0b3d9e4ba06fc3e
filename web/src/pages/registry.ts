import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

/** Where a page sits in the navigation. */
export type Section = 'Operations' | 'Customers & billing' | 'Security' | 'Administration' | 'Account';

export interface PageDef {
  /** route below the portal root, react-router syntax ('stations/:stationId') */
  path: string;
  title: string;
  /** shown in the navigation under this section; pages without one (details) are reached by links */
  section?: Section;
  /** the permission the page needs (the API refuses without it anyway); none: every signed-in user */
  permission?: string;
  component: LazyExoticComponent<ComponentType>;
}

/**
 * Every page of the portal: one row each. The router and the navigation are built from this
 * table, so a new page is a file under pages/ and a row here. Pages load on first visit.
 */
export const pages: readonly PageDef[] = [
  { path: 'dashboard', title: 'Dashboard', section: 'Operations', component: lazy(() => import('./dashboard/DashboardPage')) },
  { path: 'stations', title: 'Stations', section: 'Operations', permission: 'stations:read', component: lazy(() => import('./stations/StationsPage')) },
  { path: 'stations/:stationId', title: 'Station', permission: 'stations:read', component: lazy(() => import('./stations/StationPage')) },
  { path: 'sessions', title: 'Sessions', section: 'Operations', permission: 'transactions:read', component: lazy(() => import('./sessions/SessionsPage')) },
  { path: 'sessions/:transactionId', title: 'Session', permission: 'transactions:read', component: lazy(() => import('./sessions/SessionPage')) },
  { path: 'cdrs', title: 'CDRs', section: 'Customers & billing', permission: 'cdrs:read', component: lazy(() => import('./cdrs/CdrsPage')) },
  { path: 'cdrs/:id', title: 'CDR', permission: 'cdrs:read', component: lazy(() => import('./cdrs/CdrPage')) },
  // pages of tokens, customers, tariffs, invoices, security, administration and PKI: rows below
  { path: 'tokens', title: 'Tokens', section: 'Customers & billing', permission: 'tokens:read', component: lazy(() => import('./tokens/TokensPage')) },
  { path: 'customers', title: 'Customers', section: 'Customers & billing', permission: 'customers:read', component: lazy(() => import('./billing/CustomersPage')) },
  { path: 'tariffs', title: 'Tariffs', section: 'Customers & billing', permission: 'tariffs:read', component: lazy(() => import('./billing/TariffsPage')) },
  { path: 'invoices', title: 'Invoices', section: 'Customers & billing', permission: 'invoices:read', component: lazy(() => import('./billing/InvoicesPage')) },
  { path: 'security/alerts', title: 'Alerts', section: 'Security', permission: 'security:read', component: lazy(() => import('./security/AlertsPage')) },
  { path: 'security/blocks', title: 'Block list', section: 'Security', permission: 'security:read', component: lazy(() => import('./security/BlocksPage')) },
  { path: 'security/log', title: 'Security log', section: 'Security', permission: 'security:read', component: lazy(() => import('./security/SecurityLogPage')) },
  { path: 'admin/users', title: 'Users & roles', section: 'Administration', permission: 'users:read', component: lazy(() => import('./admin/UsersPage')) },
  { path: 'admin/api-keys', title: 'API keys', section: 'Administration', permission: 'apikeys:manage', component: lazy(() => import('./admin/ApiKeysPage')) },
  { path: 'admin/directories', title: 'Sign-in directories', section: 'Administration', permission: 'users:read', component: lazy(() => import('./admin/IdentitySettingsPage')) },
  { path: 'admin/audit', title: 'Audit log', section: 'Administration', permission: 'audit:read', component: lazy(() => import('./admin/AuditPage')) },
  { path: 'admin/pki', title: 'PKI', section: 'Administration', permission: 'pki:read', component: lazy(() => import('./admin/PkiPage')) },
  { path: 'account', title: 'My account', section: 'Account', component: lazy(() => import('./account/AccountPage')) },
];

export const sections: readonly Section[] = ['Operations', 'Customers & billing', 'Security', 'Administration', 'Account'];

/** The first page the user may open: where the portal lands after signing in. */
export const homeOf = (can: (p: string) => boolean): string => pages.find((p) => p.section && (!p.permission || can(p.permission)))?.path ?? 'account';
