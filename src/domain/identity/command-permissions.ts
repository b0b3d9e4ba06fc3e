import type { CommandKind } from '../commands.js';
import type { Permission } from './roles.js';

/**
 * The permission each station command needs (AC1, AC2), as data. Reads and triggers that leave
 * the station's behaviour alone need 'stations:command'; anything that changes its configuration,
 * firmware, credentials, lists, monitors, messages or reservations 'stations:configure'; switching
 * 'stations:switch'; charging limits 'stations:limit' (the DSO's and EMS's lever, reads included,
 * so they can see what they set). A Record: a new CommandKind does not compile until it is placed.
 */
export const commandPermission: Readonly<Record<CommandKind, Permission>> = {
  remoteStart: 'stations:switch',
  remoteStop: 'stations:switch',
  reset: 'stations:switch',
  changeAvailability: 'stations:switch',
  unlockConnector: 'stations:switch',

  setChargingProfile: 'stations:limit',
  clearChargingProfile: 'stations:limit',
  getCompositeSchedule: 'stations:limit',
  getChargingProfiles: 'stations:limit',

  clearCache: 'stations:command',
  triggerMessage: 'stations:command',
  extendedTriggerMessage: 'stations:command',
  getConfiguration: 'stations:command',
  getVariables: 'stations:command',
  getBaseReport: 'stations:command',
  getReport: 'stations:command',
  getLocalListVersion: 'stations:command',
  getTransactionStatus: 'stations:command',
  getInstalledCertificateIds: 'stations:command',
  getMonitoringReport: 'stations:command',
  getDisplayMessages: 'stations:command',
  getLog: 'stations:command',
  costUpdated: 'stations:command',

  // vendor-specific: it can do anything, so it needs the strongest of the non-switching rights
  dataTransfer: 'stations:configure',
  changeConfiguration: 'stations:configure',
  setVariables: 'stations:configure',
  // a reservation takes an EVSE away from every other driver: not a mere read
  reserveNow: 'stations:configure',
  cancelReservation: 'stations:configure',
  sendLocalList: 'stations:configure',
  certificateSigned: 'stations:configure',
  installCertificate: 'stations:configure',
  deleteCertificate: 'stations:configure',
  setNetworkProfile: 'stations:configure',
  updateFirmware: 'stations:configure',
  publishFirmware: 'stations:configure',
  unpublishFirmware: 'stations:configure',
  setMonitoringBase: 'stations:configure',
  setMonitoringLevel: 'stations:configure',
  setVariableMonitoring: 'stations:configure',
  clearVariableMonitoring: 'stations:configure',
  // reports personal data the station holds, and may erase it
  customerInformation: 'stations:configure',
  setDisplayMessage: 'stations:configure',
  clearDisplayMessage: 'stations:configure',
};
