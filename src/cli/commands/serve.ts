import { Command } from 'commander';
import { startPlatform } from '../../app.js';
import { settings, type SettingName } from '../../config/settings.js';
import { createLogger } from '../../log/logger.js';
import { configFrom, withSettings } from '../options.js';

export function serveCommand(): Command {
  const cmd = new Command('serve').description('Run the CSMS: OCPP-J endpoint with the embedded or configured database.');
  withSettings(cmd, Object.keys(settings) as SettingName[]);
  return cmd.action(async (opts: Record<string, unknown>) => {
    const config = configFrom(opts);
    const log = createLogger(config.logLevel);
    const platform = await startPlatform(config, log);
    // signals are handled before the banner says we run: a supervisor may stop us as soon as it reads it
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      // drain: stations closed with 1012 once their calls are answered, writes flushed, store closed
      const failed = await platform.shutdown().then(() => false, (err: unknown) => { log.error({ err }, 'shutdown failed'); return true; });
      process.exit(failed ? 1 : 0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
    const store = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
    console.error(`OV2X is running\n  OCPP endpoint: ${platform.ocppUrl}/<stationId>  (subprotocols ocpp2.0.1, ocpp1.6)${platform.tls && platform.tls.ocppUrl !== platform.ocppUrl ? `\n  OCPP over TLS: ${platform.tls.ocppUrl}/<stationId>  (security profiles 2 and 3)` : ''}\n  REST API:      ${platform.httpUrl}/api/v1  (reference: ${platform.httpUrl}/api/v1/docs/)\n  health:        ${platform.httpUrl}/health  (readiness: ${platform.httpUrl}/ready)\n  file transfers: ${config.publicUrl ?? platform.httpUrl}/transfers/…  (firmware downloads, log uploads)\n  store:         ${store}\n  register a station with: ov2x station add <id>`);
    if (platform.firstAdmin) console.log(firstAdminBanner(platform.firstAdmin, `${config.publicUrl ?? platform.httpUrl}/api/v1`));
  });
}

/**
 * The first start's administrator password, on stdout only (never through the logger, so it
 * reaches no log file or SIEM): the operator copies it now, it is not shown again.
 */
export function firstAdminBanner(admin: { username: string; password: string }, apiUrl: string): string {
  const line = '='.repeat(72);
  return [
    line,
    'OV2X first start: an administrator account was created.',
    `  portal/API: ${apiUrl}   (reference: ${apiUrl}/docs)`,
    `  username:   ${admin.username}`,
    `  password:   ${admin.password}`,
    'This one-time password is shown only now and stored only as an Argon2id hash.',
    'Sign in with it (POST /api/v1/auth/login), then set your own password and enrol TOTP.',
    line,
  ].join('\n');
}
