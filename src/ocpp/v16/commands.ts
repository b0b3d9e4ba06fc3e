import { integerOf, type CommandTable } from '../adapter.js';
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
  triggerMessage: { action: 'TriggerMessage', accepted: ['Accepted'], payload: (c) => ({ requestedMessage: c.message, ...(c.evseId !== undefined && { connectorId: c.evseId }) }) },
  getConfiguration: { action: 'GetConfiguration', payload: (c) => (c.keys ? { key: c.keys } : {}) },
  changeConfiguration: { action: 'ChangeConfiguration', accepted: ['Accepted', 'RebootRequired'], payload: (c) => ({ key: c.key, value: c.value }) },
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
