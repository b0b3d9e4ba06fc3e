import { integerOf, type CommandTable } from '../adapter.js';
import { csChargingProfilesOf, purposeOf } from './charging-profile.js';

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
  // Smart Charging profile: a 1.6 connectorId is the neutral evseId
  setChargingProfile: { action: 'SetChargingProfile', accepted: ['Accepted'], payload: (c) => ({ connectorId: c.evseId, csChargingProfiles: csChargingProfilesOf(c.profile) }) },
  clearChargingProfile: { action: 'ClearChargingProfile', accepted: ['Accepted'], payload: (c) => ({
    ...(c.profileId !== undefined && { id: c.profileId }), ...(c.evseId !== undefined && { connectorId: c.evseId }),
    ...(c.purpose !== undefined && { chargingProfilePurpose: purposeOf(c.purpose) }), ...(c.stackLevel !== undefined && { stackLevel: c.stackLevel }),
  }) },
  getCompositeSchedule: { action: 'GetCompositeSchedule', accepted: ['Accepted'], payload: (c) => ({ connectorId: c.evseId, duration: c.duration, ...(c.chargingRateUnit !== undefined && { chargingRateUnit: c.chargingRateUnit }) }) },
};
