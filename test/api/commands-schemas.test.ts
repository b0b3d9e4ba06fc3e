import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandSchemas, StationCommandBody } from '../../src/api/routes/commands/schemas.js';
import { commandValidator } from '../../src/api/routes/commands/validator.js';
import { correlatedBy, type CommandKind, type StationCommand } from '../../src/domain/commands.js';
import { commandPermission } from '../../src/domain/identity/command-permissions.js';
import { permissions } from '../../src/domain/identity/roles.js';
import { switchingKinds } from '../../src/domain/identity/switching-limits.js';
import type { ChargingProfile } from '../../src/domain/smart-charging/profile.js';

const at = '2026-01-01T00:00:00.000Z';
const hash = { hashAlgorithm: 'SHA256', issuerNameHash: 'aa', issuerKeyHash: 'bb', serialNumber: '01' } as const;
const md5 = '0123456789abcdef0123456789abcdef';
const profile: ChargingProfile = { id: 1, stackLevel: 0, purpose: 'TxDefault', kind: 'Absolute', schedules: [{ chargingRateUnit: 'A', startSchedule: at, periods: [{ startPeriod: 0, limit: 16 }] }] };

/** One valid command of every kind; a Record, so a new kind does not compile without its example. */
const examples: { [K in CommandKind]: Extract<StationCommand, { kind: K }> } = {
  remoteStart: { kind: 'remoteStart', idToken: 'T', evseId: 1 },
  remoteStop: { kind: 'remoteStop', transactionRef: 'tx' },
  reset: { kind: 'reset', mode: 'soft' },
  changeAvailability: { kind: 'changeAvailability', evseId: 1, connectorId: 1, available: false },
  unlockConnector: { kind: 'unlockConnector', evseId: 1, connectorId: 1 },
  clearCache: { kind: 'clearCache' },
  dataTransfer: { kind: 'dataTransfer', vendorId: 'v', messageId: 'm', data: 'd' },
  triggerMessage: { kind: 'triggerMessage', message: 'Heartbeat' },
  getConfiguration: { kind: 'getConfiguration', keys: ['HeartbeatInterval'] },
  changeConfiguration: { kind: 'changeConfiguration', key: 'HeartbeatInterval', value: '60' },
  getVariables: { kind: 'getVariables', variables: [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' }] },
  setVariables: { kind: 'setVariables', variables: [{ component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', value: '60', attributeType: 'Actual' }] },
  getBaseReport: { kind: 'getBaseReport', reportBase: 'FullInventory' },
  reserveNow: { kind: 'reserveNow', idToken: 'T', expiresAt: at, evseId: 1 },
  cancelReservation: { kind: 'cancelReservation', reservationId: 4 },
  sendLocalList: { kind: 'sendLocalList', version: 2, updateType: 'Full', entries: [{ idToken: 'T', type: 'ISO14443', info: { status: 'Accepted' } }] },
  getLocalListVersion: { kind: 'getLocalListVersion' },
  extendedTriggerMessage: { kind: 'extendedTriggerMessage', message: 'SignChargingStationCertificate' },
  getTransactionStatus: { kind: 'getTransactionStatus', transactionRef: 'tx' },
  certificateSigned: { kind: 'certificateSigned', certificateChain: '-----BEGIN CERTIFICATE-----', certificateType: 'ChargingStationCertificate' },
  installCertificate: { kind: 'installCertificate', certificateType: 'CSMSRootCertificate', certificate: '-----BEGIN CERTIFICATE-----' },
  deleteCertificate: { kind: 'deleteCertificate', certificateHashData: hash },
  getInstalledCertificateIds: { kind: 'getInstalledCertificateIds', certificateTypes: ['V2GCertificateChain', 'CSMSRootCertificate'] },
  setNetworkProfile: { kind: 'setNetworkProfile', configurationSlot: 1, connectionData: { ocppVersion: 'OCPP20', ocppTransport: 'JSON', ocppCsmsUrl: 'wss://x', messageTimeout: 30, securityProfile: 2, ocppInterface: 'Wired0', vpn: { server: 's', user: 'u', password: 'p', key: 'k', type: 'IKEv2' } } },
  updateFirmware: { kind: 'updateFirmware', location: 'https://x/fw.bin', retrieveAt: at, retries: 2 },
  getLog: { kind: 'getLog', logType: 'security', location: 'https://x/up', from: at },
  publishFirmware: { kind: 'publishFirmware', location: 'https://x/fw.bin', checksum: md5 },
  unpublishFirmware: { kind: 'unpublishFirmware', checksum: md5 },
  getReport: { kind: 'getReport', componentCriteria: ['Problem'], components: [{ component: 'EVSE', evseId: 1 }] },
  setMonitoringBase: { kind: 'setMonitoringBase', base: 'All' },
  setMonitoringLevel: { kind: 'setMonitoringLevel', severity: 5 },
  setVariableMonitoring: { kind: 'setVariableMonitoring', monitors: [{ component: 'EVSE', variable: 'Power', type: 'UpperThreshold', value: 22000, severity: 4 }] },
  clearVariableMonitoring: { kind: 'clearVariableMonitoring', ids: [1, 2] },
  getMonitoringReport: { kind: 'getMonitoringReport', criteria: ['DeltaMonitoring'] },
  customerInformation: { kind: 'customerInformation', report: true, clear: false, customer: { idToken: 'T', type: 'ISO14443' } },
  setDisplayMessage: { kind: 'setDisplayMessage', message: { id: 1, priority: 'NormalCycle', content: 'hi', format: 'UTF8' } },
  getDisplayMessages: { kind: 'getDisplayMessages', priority: 'InFront' },
  clearDisplayMessage: { kind: 'clearDisplayMessage', id: 1 },
  setChargingProfile: { kind: 'setChargingProfile', evseId: 1, profile },
  clearChargingProfile: { kind: 'clearChargingProfile', purpose: 'TxDefault', evseId: 1 },
  getCompositeSchedule: { kind: 'getCompositeSchedule', evseId: 1, duration: 3600, chargingRateUnit: 'W' },
  getChargingProfiles: { kind: 'getChargingProfiles', sources: ['CSO'], evseId: 1 },
  costUpdated: { kind: 'costUpdated', transactionRef: 'tx', totalCost: 3.5 },
};

const validate = commandValidator({ schema: StationCommandBody, method: 'POST', url: '/x' } as never);

describe('command schemas mirror the domain union', () => {
  const kinds = Object.keys(examples).sort();

  it('every kind has a schema, a permission, and every correlated kind is one of them', () => {
    assert.deepEqual(Object.keys(commandSchemas).sort(), kinds);
    assert.deepEqual(Object.keys(commandPermission).sort(), kinds);
    for (const k of Object.keys(correlatedBy)) assert.ok(kinds.includes(k), k);
    for (const p of Object.values(commandPermission)) assert.ok((permissions as readonly string[]).includes(p));
  });

  it('accepts a valid command of every kind, unchanged', () => {
    for (const c of Object.values(examples)) {
      const copy = structuredClone(c);
      assert.ok(validate(copy), `${c.kind}: ${JSON.stringify(validate.errors)}`);
      assert.deepEqual(copy, c, `${c.kind} was altered by validation`);
    }
  });

  it('refuses unknown kinds, unknown fields, missing and mistyped fields', () => {
    for (const bad of [
      { kind: 'selfDestruct' },
      { kind: 'clearCache', extra: true },
      { kind: 'reset' },
      { kind: 'reset', mode: 'gentle' },
      { ...examples.setChargingProfile, profile: { ...profile, schedules: [] } },
      { ...examples.setNetworkProfile, connectionData: { ...examples.setNetworkProfile.connectionData, extra: 1 } },
      { ...examples.customerInformation, customer: { idToken: 'T' } },
      { ...examples.changeAvailability, evseId: '1' },
    ]) assert.equal(validate(bad), false, JSON.stringify(bad));
  });

  it('switching kinds need the switching or the limiting permission', () => {
    for (const k of switchingKinds) assert.ok(['stations:switch', 'stations:limit'].includes(commandPermission[k]), k);
  });
});
