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
  { path: 'account', title: 'My account', section: 'Account', component: lazy(() => import('./account/AccountPage')) },
];

export const sections: readonly Section[] = ['Operations', 'Customers & billing', 'Security', 'Administration', 'Account'];

/** The first page the user may open: where the portal lands after signing in. */
export const homeOf = (can: (p: string) => boolean): string => pages.find((p) => p.section && (!p.permission || can(p.permission)))?.path ?? 'account';
