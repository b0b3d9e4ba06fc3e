import { ecsFormat } from '@elastic/ecs-pino-format';
import { pino, type Logger, type DestinationStream } from 'pino';
import { redactionPaths } from './redaction.js';

export type { Logger };

/** Field names whose values never reach a log line, wherever they appear. */
export const redactedPaths = [
  'headers.authorization',
  // personal data and secrets at any depth up to four levels (G4, src/log/redaction.ts)
  ...redactionPaths(),
];

/** The process logger: JSON lines in Elastic Common Schema, secrets and personal data redacted. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { ...ecsFormat({ convertErr: true }), level, redact: { paths: redactedPaths, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that writes nothing, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
