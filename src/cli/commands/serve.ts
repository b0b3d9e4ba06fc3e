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
    const store = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
    console.error(`OV2X is running\n  OCPP endpoint: ${platform.ocppUrl}/<stationId>  (subprotocols ocpp2.0.1, ocpp1.6)${platform.tls && platform.tls.ocppUrl !== platform.ocppUrl ? `\n  OCPP over TLS: ${platform.tls.ocppUrl}/<stationId>  (security profiles 2 and 3)` : ''}\n  health:        ${platform.httpUrl}/health\n  file transfers: ${config.publicUrl ?? platform.httpUrl}/transfers/…  (firmware downloads, log uploads)\n  store:         ${store}\n  register a station with: ov2x station add <id>`);
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      await platform.close();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  });
}
