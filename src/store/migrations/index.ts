// Migrations are listed here with static imports (not read from a folder at run
// time) so they are bundled with the compiled code and their order is explicit.
import type { Migration } from 'kysely';
import * as core from './0001_core.js';
import * as deviceModel from './0002_device_model.js';
import * as commandJournal from './0003_command_journal.js';
import * as reservationsLocalAuth from './0004_reservations_local_auth.js';
import * as smartChargingTariffs from './0005_smart_charging_tariffs.js';
import * as firmwareLogsFiles from './0006_firmware_logs_files.js';
import * as certificates from './0007_certificates.js';
import * as monitoringDisplay from './0008_monitoring_display.js';
import * as cpoPki from './0010_cpo_pki.js';
import * as iso15118Pki from './0011_iso15118_pki.js';
import * as passwordRotation from './0012_password_rotation.js';
import * as securityProfileUpgrade from './0013_security_profile_upgrade.js';
import * as identity from './0014_identity.js';
import * as apiKeys from './0015_api_keys.js';
import * as webhooks from './0016_webhooks.js';
import * as locations from './0017_locations.js';
import * as cdrs from './0018_cdrs.js';
import * as privacy from './0019_privacy.js';
import * as customers from './0020_customers.js';
import * as tariffVersions from './0021_tariff_versions.js';
import * as invoices from './0022_invoices.js';
import * as stationOps from './0023_station_ops.js';
import * as tokenPrivacy from './0024_token_privacy.js';
import * as customerConsents from './0026_customer_consents.js';
import * as securityLogChain from './0027_security_log_chain.js';
import * as blockLists from './0028_block_lists.js';
import * as idsAlerts from './0029_ids_alerts.js';
import * as firmwareCampaigns from './0036_firmware_campaigns.js';

export interface NamedMigration {
  /** Sortable, never reused: Kysely orders and records migrations by name. */
  name: string;
  migration: Migration;
}

export const migrations: readonly NamedMigration[] = [
  { name: '0001_core', migration: core },
  { name: '0002_device_model', migration: deviceModel },
  { name: '0003_command_journal', migration: commandJournal },
  { name: '0004_reservations_local_auth', migration: reservationsLocalAuth },
  { name: '0005_smart_charging_tariffs', migration: smartChargingTariffs },
  { name: '0006_firmware_logs_files', migration: firmwareLogsFiles },
  { name: '0007_certificates', migration: certificates },
  { name: '0008_monitoring_display', migration: monitoringDisplay },
  { name: '0010_cpo_pki', migration: cpoPki },
  { name: '0011_iso15118_pki', migration: iso15118Pki },
  { name: '0012_password_rotation', migration: passwordRotation },
  { name: '0013_security_profile_upgrade', migration: securityProfileUpgrade },
  { name: '0014_identity', migration: identity },
  { name: '0015_api_keys', migration: apiKeys },
  { name: '0016_webhooks', migration: webhooks },
  { name: '0017_locations', migration: locations },
  { name: '0018_cdrs', migration: cdrs },
  { name: '0019_privacy', migration: privacy },
  { name: '0020_customers', migration: customers },
  { name: '0021_tariff_versions', migration: tariffVersions },
  { name: '0022_invoices', migration: invoices },
  { name: '0023_station_ops', migration: stationOps },
  { name: '0024_token_privacy', migration: tokenPrivacy },
  { name: '0026_customer_consents', migration: customerConsents },
  { name: '0027_security_log_chain', migration: securityLogChain },
  { name: '0028_block_lists', migration: blockLists },
  { name: '0029_ids_alerts', migration: idsAlerts },
  { name: '0036_firmware_campaigns', migration: firmwareCampaigns },
];
