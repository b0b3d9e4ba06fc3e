import type { StationCommand } from '../domain/commands.js';

/** Payload parts the firmware and log commands of both versions share (same field names in 1.6 security and 2.0.1). */
type Retrying = { retries?: number; retryInterval?: number };

export const retrying = (c: Retrying): Retrying => ({
  ...(c.retries !== undefined && { retries: c.retries }),
  ...(c.retryInterval !== undefined && { retryInterval: c.retryInterval }),
});

export const firmwareOf = (c: Extract<StationCommand, { kind: 'updateFirmware' }>) => ({
  location: c.location,
  retrieveDateTime: c.retrieveAt ?? new Date().toISOString(),
  ...(c.installAt !== undefined && { installDateTime: c.installAt }),
  ...(c.signingCertificate !== undefined && { signingCertificate: c.signingCertificate }),
  ...(c.signature !== undefined && { signature: c.signature }),
});

export const logOf = (c: Extract<StationCommand, { kind: 'getLog' }>) => ({
  remoteLocation: c.location,
  ...(c.from !== undefined && { oldestTimestamp: c.from }),
  ...(c.to !== undefined && { latestTimestamp: c.to }),
});
