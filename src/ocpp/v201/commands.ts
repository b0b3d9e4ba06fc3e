import type { VariableRef } from '../../domain/commands.js';
import type { CommandTable } from '../adapter.js';
import { chargingProfileOf, purposeOf } from './charging-profile.js';

const componentOf = (v: VariableRef) => ({
  name: v.component,
  ...(v.evseId !== undefined && { evse: { id: v.evseId, ...(v.connectorId !== undefined && { connectorId: v.connectorId }) } }),
});
const variableOf = (v: VariableRef) => ({ name: v.variable, ...(v.instance !== undefined && { instance: v.instance }) });
const attributeOf = (v: VariableRef) => (v.attributeType ? { attributeType: v.attributeType } : {});

/** Neutral commands as OCPP 2.0.1 calls. */
export const v201Commands: CommandTable = {
  // remoteStartId lets the station's TransactionEvent name the request that started it
  remoteStart: { action: 'RequestStartTransaction', accepted: ['Accepted'], payload: (c) => ({ idToken: { idToken: c.idToken, type: 'Central' }, remoteStartId: c.remoteStartId ?? Math.floor(Math.random() * 2 ** 31), ...(c.evseId !== undefined && { evseId: c.evseId }) }) },
  remoteStop: { action: 'RequestStopTransaction', accepted: ['Accepted'], payload: (c) => ({ transactionId: c.transactionRef }) },
  reset: { action: 'Reset', accepted: ['Accepted', 'Scheduled'], payload: (c) => ({ type: c.mode === 'hard' ? 'Immediate' : 'OnIdle', ...(c.evseId !== undefined && { evseId: c.evseId }) }) },
  changeAvailability: { action: 'ChangeAvailability', accepted: ['Accepted', 'Scheduled'], payload: (c) => ({ operationalStatus: c.available ? 'Operative' : 'Inoperative', ...(c.evseId !== 0 && { evse: { id: c.evseId, ...(c.connectorId !== undefined && { connectorId: c.connectorId }) } }) }) },
  unlockConnector: { action: 'UnlockConnector', accepted: ['Unlocked'], payload: (c) => ({ evseId: c.evseId, connectorId: c.connectorId }) },
  clearCache: { action: 'ClearCache', accepted: ['Accepted'], payload: () => ({}) },
  dataTransfer: { action: 'DataTransfer', accepted: ['Accepted'], payload: (c) => ({ vendorId: c.vendorId, ...(c.messageId !== undefined && { messageId: c.messageId }), ...(c.data !== undefined && { data: c.data }) }) },
  triggerMessage: { action: 'TriggerMessage', accepted: ['Accepted'], payload: (c) => ({ requestedMessage: c.message, ...(c.evseId !== undefined && { evse: { id: c.evseId } }) }) },
  getVariables: { action: 'GetVariables', payload: (c) => ({ getVariableData: c.variables.map((v) => ({ component: componentOf(v), variable: variableOf(v), ...attributeOf(v) })) }) },
  setVariables: { action: 'SetVariables', payload: (c) => ({ setVariableData: c.variables.map((v) => ({ component: componentOf(v), variable: variableOf(v), attributeValue: v.value, ...attributeOf(v) })) }) },
  getBaseReport: { action: 'GetBaseReport', accepted: ['Accepted'], payload: (c) => ({ requestId: c.requestId ?? Math.floor(Math.random() * 2 ** 31), reportBase: c.reportBase }) },
  // block K — smart charging
  setChargingProfile: { action: 'SetChargingProfile', accepted: ['Accepted'], payload: (c) => ({ evseId: c.evseId, chargingProfile: chargingProfileOf(c.profile) }) },
  clearChargingProfile: { action: 'ClearChargingProfile', accepted: ['Accepted'], payload: (c) => {
    const criteria = {
      ...(c.evseId !== undefined && { evseId: c.evseId }), ...(c.purpose !== undefined && { chargingProfilePurpose: purposeOf(c.purpose) }),
      ...(c.stackLevel !== undefined && { stackLevel: c.stackLevel }),
    };
    return { ...(c.profileId !== undefined && { chargingProfileId: c.profileId }), ...(Object.keys(criteria).length > 0 && { chargingProfileCriteria: criteria }) };
  } },
  getCompositeSchedule: { action: 'GetCompositeSchedule', accepted: ['Accepted'], payload: (c) => ({ evseId: c.evseId, duration: c.duration, ...(c.chargingRateUnit !== undefined && { chargingRateUnit: c.chargingRateUnit }) }) },
  getChargingProfiles: { action: 'GetChargingProfiles', accepted: ['Accepted'], payload: (c) => ({
    requestId: c.requestId ?? Math.floor(Math.random() * 2 ** 31), ...(c.evseId !== undefined && { evseId: c.evseId }),
    chargingProfile: {
      ...(c.purpose !== undefined && { chargingProfilePurpose: purposeOf(c.purpose) }), ...(c.stackLevel !== undefined && { stackLevel: c.stackLevel }),
      ...(c.profileIds?.length && { chargingProfileId: c.profileIds }), ...(c.sources?.length && { chargingLimitSource: c.sources }),
    },
  }) },
  // block I — tariff and cost
  costUpdated: { action: 'CostUpdated', payload: (c) => ({ totalCost: c.totalCost, transactionId: c.transactionRef }) },
};
