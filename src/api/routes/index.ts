import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { auditRoutes } from './audit.js';
import { authRoutes } from './auth.js';
import { oidcRoutes } from './oidc.js';
import { commandRoutes } from './commands.js';
import { stationGroupRoutes } from './station-groups.js';
import { stationRoutes } from './stations.js';
import { apiKeyRoutes } from './api-keys.js';
import { userRoutes } from './users.js';
import { eventRoutes } from './events.js';
import { webhookRoutes } from './webhooks.js';
import { cdrRoutes } from './cdrs.js';
import { locationRoutes } from './locations.js';
import { tokenRoutes } from './tokens.js';
import { customerRoutes } from './customers.js';
import { meRoutes } from './me.js';
import { invoiceRoutes } from './invoices.js';
import { tariffRoutes } from './tariffs.js';
import { stationOpsRoutes } from './station-ops.js';
import { privacyRoutes } from './privacy.js';
import { securityBlockRoutes } from './security-blocks.js';
import { securityLogRoutes } from './security-log.js';
import { securityAlertRoutes } from './security-alerts.js';
import { operationsRoutes } from './operations.js';
import { stationModelRoutes } from './station-model.js';
import { pkiRoutes } from './pki.js';
import { adminSettingsRoutes } from './admin-settings.js';
import { firmwareRoutes } from './firmware.js';

/** Every route plugin of /api/v1, one per resource. */
export const routePlugins: ReadonlyArray<(api: FastifyInstance, ctx: ApiContext) => Promise<void>> = [
  authRoutes,
  stationRoutes,
  stationGroupRoutes,
  auditRoutes,
  apiKeyRoutes,
  userRoutes,
  oidcRoutes,
  eventRoutes,
  webhookRoutes,
  commandRoutes,
  cdrRoutes,
  locationRoutes,
  tokenRoutes,
  customerRoutes,
  meRoutes,
  invoiceRoutes,
  tariffRoutes,
  stationOpsRoutes,
  privacyRoutes,
  securityBlockRoutes,
  securityLogRoutes,
  securityAlertRoutes,
  operationsRoutes,
  stationModelRoutes,
  pkiRoutes,
  adminSettingsRoutes,
  firmwareRoutes,
];
