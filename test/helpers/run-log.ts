import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Platform } from '../../src/app.js';
import { createLogger, silentLogger, type Logger } from '../../src/log/logger.js';

/**
 * The log of the whole test run (G4). With OV2X_TEST_LOG_DIR set (scripts/test.sh sets it),
 * every platform a test starts logs at debug level into `<dir>/<pid>.log`, and every personal
 * value it encrypts is noted in `<dir>/<pid>.pii`; after the run, tools/scan-run-logs.ts fails
 * when any noted value appears in any log line. Without the variable, tests log nothing.
 */
const dir = process.env.OV2X_TEST_LOG_DIR;

let shared: Logger | undefined;

/** The logger a test platform writes with: one per test process, appended to the run's log. */
export function runLogger(): Logger {
  if (!dir) return silentLogger;
  shared ??= createLogger('debug', pino.destination({ dest: join(dir, `${process.pid}.log`), append: true, sync: false, mkdir: true }));
  return shared;
}

/** Notes every plaintext the platform encrypts as personal data (field encryption), for the scan. */
export function notePersonalData(platform: Platform): void {
  if (!dir) return;
  const fields = platform.services.privacy.fields;
  const encrypt = fields.encryptField.bind(fields);
  fields.encryptField = (value: string, aad: string) => {
    appendFileSync(join(dir, `${process.pid}.pii`), `${JSON.stringify(value)}\n`);
    return encrypt(value, aad);
  };
}
