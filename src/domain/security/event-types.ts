import type { Severity } from '../../store/schema.js';

/**
 * The standardized security event types (OCPP 2.0.1 Part 2 Appendices "Security Events";
 * 1.6 Security Whitepaper ed. 3 uses the same list with Central System / Charge Point in the
 * names). `critical` is the specification's flag: the station must deliver the event even
 * after being offline; our severity rates how alarming the event is for an operator.
 */
export const securityEventTypes: Readonly<Record<string, { severity: Severity; critical: boolean }>> = {
  FirmwareUpdated: { severity: 'info', critical: true },
  FailedToAuthenticateAtCsms: { severity: 'warning', critical: false },
  FailedToAuthenticateAtCentralSystem: { severity: 'warning', critical: false },
  CsmsFailedToAuthenticate: { severity: 'warning', critical: false },
  CentralSystemFailedToAuthenticate: { severity: 'warning', critical: false },
  SettingSystemTime: { severity: 'info', critical: true },
  StartupOfTheDevice: { severity: 'info', critical: true },
  ResetOrReboot: { severity: 'info', critical: true },
  SecurityLogWasCleared: { severity: 'high', critical: true },
  ReconfigurationOfSecurityParameters: { severity: 'warning', critical: false },
  MemoryExhaustion: { severity: 'warning', critical: true },
  InvalidMessages: { severity: 'warning', critical: false },
  AttemptedReplayAttacks: { severity: 'high', critical: false },
  TamperDetectionActivated: { severity: 'critical', critical: true },
  InvalidFirmwareSignature: { severity: 'high', critical: false },
  InvalidFirmwareSigningCertificate: { severity: 'high', critical: false },
  InvalidCsmsCertificate: { severity: 'high', critical: true },
  InvalidCentralSystemCertificate: { severity: 'high', critical: false },
  InvalidChargingStationCertificate: { severity: 'high', critical: true },
  InvalidChargePointCertificate: { severity: 'high', critical: false },
  InvalidTLSVersion: { severity: 'high', critical: true },
  InvalidTLSCipherSuite: { severity: 'high', critical: true },
  MaintenanceLoginAccepted: { severity: 'info', critical: true },
  MaintenanceLoginFailed: { severity: 'warning', critical: true },
};

/** Vendor-specific or unknown types: worth a look, not an alarm. */
export const unknownSecurityEvent = { severity: 'warning', critical: false } as const;

export function securityEventType(type: string): { severity: Severity; critical: boolean; standard: boolean } {
  const known = Object.hasOwn(securityEventTypes, type) ? securityEventTypes[type] : undefined;
  return { ...(known ?? unknownSecurityEvent), standard: known !== undefined };
}
