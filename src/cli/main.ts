#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config.js';
import { DataDirInUseError } from '../store/index.js';
import { migrateCommand } from './commands/migrate.js';
import { pkiCommand } from './commands/pki.js';
import { serveCommand } from './commands/serve.js';
import { simulateCommand } from './commands/simulate.js';
import { stationCommand } from './commands/station.js';
import { tokenCommand } from './commands/token.js';
import { apikeyCommand } from './commands/apikey.js';
import { userCommand } from './commands/user.js';
import { invoiceCommand } from './commands/invoice.js';
import { auditCommand } from './commands/audit.js';
import { attackCommand } from './commands/attack.js';
import { firmwareCommand } from './commands/firmware.js';
import { backupCommand } from './commands/backup.js';
import { UsageError } from './options.js';

const program = new Command('ov2x')
  .description('OV2X — Open V2X Management Platform (OCPP 1.6J / 2.0.1 CSMS)')
  .showHelpAfterError()
  .exitOverride();
for (const cmd of [serveCommand(), migrateCommand(), stationCommand(), tokenCommand(), simulateCommand()]) program.addCommand(cmd);
program.addCommand(pkiCommand());
program.addCommand(apikeyCommand());
program.addCommand(userCommand());
program.addCommand(invoiceCommand());
program.addCommand(auditCommand());
program.addCommand(attackCommand());
program.addCommand(firmwareCommand());
program.addCommand(backupCommand());
for (const cmd of program.commands) cmd.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  if (err instanceof ConfigError || err instanceof UsageError || err instanceof DataDirInUseError) {
    console.error(`ov2x: ${err.message}`);
    process.exit(2);
  }
  console.error('ov2x: unexpected error:', err instanceof Error ? err.message : String(err));
  process.exit(1);
}
