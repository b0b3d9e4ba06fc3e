import { ecsFormat } from '@elastic/ecs-pino-format';
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Field names whose values never reach a log line, wherever they appear. */
export const redactedPaths = [
  'password', '*.password', 'authorization', '*.authorization', 'headers.authorization',
  'secret', '*.secret', 'idTag', '*.idTag', 'idToken', '*.idToken', '*.*.idToken',
];

/** The process logger: JSON lines in Elastic Common Schema, secrets redacted. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { ...ecsFormat({ convertErr: true }), level, redact: { paths: redactedPaths, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that writes nothing, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
