import { integerOf, required, type CommandTable } from '../adapter.js';
import { csChargingProfilesOf, purposeOf } from './charging-profile.js';
import { CallFailed } from '../rpc/call-failed.js';
import type { InstalledCertificateType } from '../../domain/commands.js';
import { firmwareOf, logOf, retrying } from '../transfer-payloads.js';

/** Neutral commands as OCPP 1.6 calls (Core and Remote Trigger profiles). */
export const v16Commands: CommandTable = {
  remoteStart: { action: 'RemoteStartTransaction', accepted: ['Accepted'], payload: (c) => ({ idTag: c.idToken, ...(c.evseId !== undefined && { connectorId: c.evseId }) }) },
  remoteStop: { action: 'RemoteStopTransaction', accepted: ['Accepted'], payload: (c) => ({ transactionId: integerOf(c.transactionRef, 'transactionRef') }) },
  reset: { action: 'Reset', accepted: ['Accepted'], payload: (c) => ({ type: c.mode === 'hard' ? 'Hard' : 'Soft' }) },
  changeAvailability: { action: 'ChangeAvailability', accepted: ['Accepted', 'Scheduled'], payload: (c) => ({ connectorId: c.evseId, type: c.available ? 'Operative' : 'Inoperative' }) },
  unlockConnector: { action: 'UnlockConnector', accepted: ['Unlocked'], payload: (c) => ({ connectorId: c.evseId }) },
  clearCache: { action: 'ClearCache', accepted: ['Accepted'], payload: () => ({}) },
  dataTransfer: { action: 'DataTransfer', accepted: ['Accepted'], payload: (c) => ({ vendorId: c.vendorId, ...(c.messageId !== undefined && { messageId: c.messageId }), ...(c.data !== undefined && { data: c.data }) }) },
  // Smart Charging profile: a 1.6 connectorId is the neutral evseId
  setChargingProfile: { action: 'SetChargingProfile', accepted: ['Accepted'], payload: (c) => ({ connectorId: c.evseId, csChargingProfiles: csChargingProfilesOf(c.profile) }) },
  clearChargingProfile: { action: 'ClearChargingProfile', accepted: ['Accepted'], payload: (c) => ({
    ...(c.profileId !== undefined && { id: c.profileId }), ...(c.evseId !== undefined && { connectorId: c.evseId }),
    ...(c.purpose !== undefined && { chargingProfilePurpose: purposeOf(c.purpose) }), ...(c.stackLevel !== undefined && { stackLevel: c.stackLevel }),
  }) },
  getCompositeSchedule: { action: 'GetCompositeSchedule', accepted: ['Accepted'], payload: (c) => ({ connectorId: c.evseId, duration: c.duration, ...(c.chargingRateUnit !== undefined && { chargingRateUnit: c.chargingRateUnit }) }) },
  triggerMessage: { action: 'TriggerMessage', accepted: ['Accepted'], payload: (c) => ({ requestedMessage: c.message, ...(c.evseId !== undefined && { connectorId: c.evseId }) }) },
  getConfiguration: { action: 'GetConfiguration', payload: (c) => (c.keys ? { key: c.keys } : {}) },
  changeConfiguration: { action: 'ChangeConfiguration', accepted: ['Accepted', 'RebootRequired'], payload: (c) => ({ key: c.key, value: c.value }) },
  reserveNow: { action: 'ReserveNow', accepted: ['Accepted'], payload: (c) => ({
    connectorId: c.evseId ?? 0, expiryDate: c.expiresAt, idTag: c.idToken, reservationId: required(c.reservationId, 'reservationId'),
    ...(c.groupIdToken !== undefined && { parentIdTag: c.groupIdToken }),
  }) },
  cancelReservation: { action: 'CancelReservation', accepted: ['Accepted'], payload: (c) => ({ reservationId: c.reservationId }) },
  sendLocalList: { action: 'SendLocalList', accepted: ['Accepted'], payload: (c) => ({
    listVersion: c.version, updateType: c.updateType,
    // a 1.6 idTag is at most 20 characters: longer (2.0.1-only) tokens cannot be on a 1.6 list
    localAuthorizationList: c.entries.filter((e) => e.idToken.length <= 20).map((e) => ({
      idTag: e.idToken,
      ...(e.info && { idTagInfo: { status: e.info.status, ...(e.info.expiresAt && { expiryDate: e.info.expiresAt }), ...(e.info.groupIdToken && { parentIdTag: e.info.groupIdToken }) } }),
    })),
  }) },
  getLocalListVersion: { action: 'GetLocalListVersion', payload: () => ({}) },
  extendedTriggerMessage: { action: 'ExtendedTriggerMessage', accepted: ['Accepted'], payload: (c) => ({ requestedMessage: c.message, ...(c.evseId !== undefined && { connectorId: c.evseId }) }) },
  // Security Whitepaper ed. 3: 1.6 knows only the charge point certificate and two root types
  certificateSigned: { action: 'CertificateSigned', accepted: ['Accepted'], payload: (c) => {
    if (c.certificateType === 'V2GCertificate') throw new CallFailed('NotSupported', 'OCPP 1.6 signs only the charge point certificate');
    return { certificateChain: c.certificateChain };
  } },
  installCertificate: { action: 'InstallCertificate', accepted: ['Accepted'], payload: (c) => ({ certificateType: rootType16(c.certificateType), certificate: c.certificate }) },
  deleteCertificate: { action: 'DeleteCertificate', accepted: ['Accepted'], payload: (c) => ({ certificateHashData: c.certificateHashData }) },
  getInstalledCertificateIds: { action: 'GetInstalledCertificateIds', accepted: ['Accepted', 'NotFound'], payload: (c) => {
    if (c.certificateTypes?.length !== 1) throw new CallFailed('InvalidRequest', 'OCPP 1.6 asks for exactly one certificate type');
    return { certificateType: rootType16(c.certificateTypes[0]!) };
  } },
  // Firmware Management profile, and the security whitepaper's signed update and security log
  updateFirmware: {
    action: 'UpdateFirmware',
    payload: (c) => ({ location: c.location, retrieveDate: c.retrieveAt ?? new Date().toISOString(), ...retrying(c) }),
    variants: [{
      when: (c) => c.signature !== undefined && c.signingCertificate !== undefined,
      action: 'SignedUpdateFirmware', accepted: ['Accepted', 'AcceptedCanceled'],
      payload: (c) => ({ requestId: c.requestId, ...retrying(c), firmware: firmwareOf(c) }),
    }],
  },
  getLog: {
    action: 'GetDiagnostics',
    payload: (c) => ({ location: c.location, ...retrying(c), ...(c.from !== undefined && { startTime: c.from }), ...(c.to !== undefined && { stopTime: c.to }) }),
    variants: [{
      when: (c) => c.logType === 'security',
      action: 'GetLog', accepted: ['Accepted', 'AcceptedCanceled'],
      payload: (c) => ({ logType: 'SecurityLog', requestId: c.requestId, ...retrying(c), log: logOf(c) }),
    }],
  },
};

const rootTypes16: Partial<Record<InstalledCertificateType, string>> = {
  CSMSRootCertificate: 'CentralSystemRootCertificate', ManufacturerRootCertificate: 'ManufacturerRootCertificate',
};
function rootType16(t: InstalledCertificateType): string {
  const v = rootTypes16[t];
  if (!v) throw new CallFailed('NotSupported', `OCPP 1.6 has no ${t}`);
  return v;
}
