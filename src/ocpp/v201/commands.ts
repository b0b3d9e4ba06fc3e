import type { ComponentVariableRef, CustomerRef, DisplayMessage, VariableRef } from '../../domain/commands.js';
import { required, type CommandTable } from '../adapter.js';
import { chargingProfileOf, purposeOf } from './charging-profile.js';
import { firmwareOf, logOf, retrying } from '../transfer-payloads.js';

const componentOf = (v: VariableRef) => ({
  name: v.component,
  ...(v.evseId !== undefined && { evse: { id: v.evseId, ...(v.connectorId !== undefined && { connectorId: v.connectorId }) } }),
});
const variableOf = (v: VariableRef) => ({ name: v.variable, ...(v.instance !== undefined && { instance: v.instance }) });
const attributeOf = (v: VariableRef) => (v.attributeType ? { attributeType: v.attributeType } : {});

const componentRefOf = (r: ComponentVariableRef) => ({
  name: r.component,
  ...(r.componentInstance !== undefined && { instance: r.componentInstance }),
  ...(r.evseId !== undefined && { evse: { id: r.evseId, ...(r.connectorId !== undefined && { connectorId: r.connectorId }) } }),
});
const variableRefOf = (r: ComponentVariableRef) => (r.variable === undefined ? {} : { variable: { name: r.variable, ...(r.variableInstance !== undefined && { instance: r.variableInstance }) } });
const componentVariables = (refs: ComponentVariableRef[] | undefined) => (refs?.length ? { componentVariable: refs.map((r) => ({ component: componentRefOf(r), ...variableRefOf(r) })) } : {});
const customerOf = (c: CustomerRef) => ('idToken' in c ? { idToken: { idToken: c.idToken, type: c.type } }
  : 'customerIdentifier' in c ? { customerIdentifier: c.customerIdentifier } : { customerCertificate: c.certificate });
const messageInfoOf = (m: DisplayMessage) => ({
  id: m.id, priority: m.priority, message: { format: m.format, content: m.content, ...(m.language !== undefined && { language: m.language }) },
  ...(m.state !== undefined && { state: m.state }), ...(m.startAt !== undefined && { startDateTime: m.startAt }),
  ...(m.endAt !== undefined && { endDateTime: m.endAt }), ...(m.transactionRef !== undefined && { transactionId: m.transactionRef }),
  ...(m.display !== undefined && { display: componentRefOf({ component: m.display.name, componentInstance: m.display.instance, evseId: m.display.evseId, connectorId: m.display.connectorId }) }),
});
const requestIdOf = (id: number | undefined) => id ?? Math.floor(Math.random() * 2 ** 31);

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
  reserveNow: { action: 'ReserveNow', accepted: ['Accepted'], payload: (c) => ({
    id: required(c.reservationId, 'reservationId'), expiryDateTime: c.expiresAt, idToken: { idToken: c.idToken, type: c.tokenType ?? 'ISO14443' },
    ...(c.evseId !== undefined && c.evseId > 0 && { evseId: c.evseId }),
    ...(c.connectorType !== undefined && { connectorType: c.connectorType }),
    ...(c.groupIdToken !== undefined && { groupIdToken: { idToken: c.groupIdToken, type: 'Central' } }),
  }) },
  cancelReservation: { action: 'CancelReservation', accepted: ['Accepted'], payload: (c) => ({ reservationId: c.reservationId }) },
  sendLocalList: { action: 'SendLocalList', accepted: ['Accepted'], payload: (c) => ({
    versionNumber: c.version, updateType: c.updateType,
    // the 2.0.1 schema wants at least one entry when the list is present
    ...(c.entries.length > 0 && { localAuthorizationList: c.entries.map((e) => ({
      idToken: { idToken: e.idToken, type: e.type },
      ...(e.info && { idTokenInfo: {
        status: e.info.status, ...(e.info.expiresAt && { cacheExpiryDateTime: e.info.expiresAt }),
        ...(e.info.groupIdToken && { groupIdToken: { idToken: e.info.groupIdToken, type: 'Central' } }),
      } }),
    })) }),
  }) },
  getLocalListVersion: { action: 'GetLocalListVersion', payload: () => ({}) },
  // 2.0.1's TriggerMessage covers what 1.6 needed ExtendedTriggerMessage for; only one name differs
  extendedTriggerMessage: { action: 'TriggerMessage', accepted: ['Accepted'], payload: (c) => ({
    requestedMessage: c.message === 'SignChargePointCertificate' ? 'SignChargingStationCertificate' : c.message, ...(c.evseId !== undefined && { evse: { id: c.evseId } }),
  }) },
  getTransactionStatus: { action: 'GetTransactionStatus', payload: (c) => (c.transactionRef !== undefined ? { transactionId: c.transactionRef } : {}) },
  certificateSigned: { action: 'CertificateSigned', accepted: ['Accepted'], payload: (c) => ({ certificateChain: c.certificateChain, ...(c.certificateType && { certificateType: c.certificateType }) }) },
  installCertificate: { action: 'InstallCertificate', accepted: ['Accepted'], payload: (c) => ({ certificateType: c.certificateType, certificate: c.certificate }) },
  deleteCertificate: { action: 'DeleteCertificate', accepted: ['Accepted'], payload: (c) => ({ certificateHashData: c.certificateHashData }) },
  getInstalledCertificateIds: { action: 'GetInstalledCertificateIds', accepted: ['Accepted', 'NotFound'], payload: (c) => (c.certificateTypes?.length ? { certificateType: c.certificateTypes } : {}) },
  setNetworkProfile: { action: 'SetNetworkProfile', accepted: ['Accepted'], payload: (c) => ({ configurationSlot: c.configurationSlot, connectionData: c.connectionData }) },
  // L01/L02 (secure or not, by what the command carries), L03/L04, N01
  updateFirmware: { action: 'UpdateFirmware', accepted: ['Accepted', 'AcceptedCanceled'], payload: (c) => ({ requestId: c.requestId, ...retrying(c), firmware: firmwareOf(c) }) },
  getLog: { action: 'GetLog', accepted: ['Accepted', 'AcceptedCanceled'], payload: (c) => ({ logType: c.logType === 'security' ? 'SecurityLog' : 'DiagnosticsLog', requestId: c.requestId, ...retrying(c), log: logOf(c) }) },
  publishFirmware: { action: 'PublishFirmware', accepted: ['Accepted'], payload: (c) => ({ location: c.location, checksum: c.checksum, requestId: c.requestId, ...retrying(c) }) },
  unpublishFirmware: { action: 'UnpublishFirmware', accepted: ['Unpublished'], payload: (c) => ({ checksum: c.checksum }) },
  getReport: { action: 'GetReport', accepted: ['Accepted'], payload: (c) => ({ requestId: requestIdOf(c.requestId), ...(c.componentCriteria?.length && { componentCriteria: c.componentCriteria }), ...componentVariables(c.components) }) },
  setMonitoringBase: { action: 'SetMonitoringBase', accepted: ['Accepted'], payload: (c) => ({ monitoringBase: c.base }) },
  setMonitoringLevel: { action: 'SetMonitoringLevel', accepted: ['Accepted'], payload: (c) => ({ severity: c.severity }) },
  // per-monitor results: no overall status word
  setVariableMonitoring: { action: 'SetVariableMonitoring', payload: (c) => ({ setMonitoringData: c.monitors.map((m) => ({
    component: componentRefOf(m), variable: { name: m.variable, ...(m.variableInstance !== undefined && { instance: m.variableInstance }) },
    type: m.type, value: m.value, severity: m.severity, ...(m.id !== undefined && { id: m.id }), ...(m.transaction !== undefined && { transaction: m.transaction }),
  })) }) },
  clearVariableMonitoring: { action: 'ClearVariableMonitoring', payload: (c) => ({ id: c.ids }) },
  getMonitoringReport: { action: 'GetMonitoringReport', accepted: ['Accepted'], payload: (c) => ({ requestId: requestIdOf(c.requestId), ...(c.criteria?.length && { monitoringCriteria: c.criteria }), ...componentVariables(c.components) }) },
  customerInformation: { action: 'CustomerInformation', accepted: ['Accepted'], payload: (c) => ({ requestId: requestIdOf(c.requestId), report: c.report, clear: c.clear, ...customerOf(c.customer) }) },
  setDisplayMessage: { action: 'SetDisplayMessage', accepted: ['Accepted'], payload: (c) => ({ message: messageInfoOf(c.message) }) },
  getDisplayMessages: { action: 'GetDisplayMessages', accepted: ['Accepted'], payload: (c) => ({ requestId: requestIdOf(c.requestId), ...(c.ids?.length && { id: c.ids }), ...(c.priority !== undefined && { priority: c.priority }), ...(c.state !== undefined && { state: c.state }) }) },
  clearDisplayMessage: { action: 'ClearDisplayMessage', accepted: ['Accepted'], payload: (c) => ({ id: c.id }) },
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
