import { indexSettings, measurands, passwordRule, setting, type SimVariable } from './settings.js';
import type { SimulatedStation } from './station.js';
import { seconds, securityProfile } from './v16-config.js';
import { monitoringBase, monitoringLevel } from './v201-monitoring.js';

const availability = ['Available', 'Occupied', 'Reserved', 'Unavailable', 'Faulted'] as const;
const txPoints = ['ParkingBayOccupancy', 'EVConnected', 'Authorized', 'DataSigned', 'PowerPathClosed', 'EnergyTransfer'] as const;

function stationState(st: SimulatedStation): string {
  for (let n = 1; n <= st.connectorCount; n++) if (st.port(n).operative) return 'Available';
  return 'Unavailable';
}

function evseState(st: SimulatedStation, evse: number): string {
  const c = st.port(evse);
  if (!c.operative) return 'Unavailable';
  return c.session ? 'Occupied' : 'Available';
}

/**
 * A small OCPP 2.0.1 device model (part 2 appendix, controller components): the variables a
 * CSMS reads most, with real effects for HeartbeatInterval, TxUpdatedInterval and
 * BasicAuthPassword. EVSE and Connector components exist once per EVSE.
 */
export const v201Model: ReadonlyMap<string, SimVariable> = indexSettings([
  setting('ChargingStation.AvailabilityState', 'OptionList', 'ReadOnly', '', { members: availability, get: stationState }),
  setting('ChargingStation.Available', 'boolean', 'ReadOnly', 'true'),
  setting('ChargingStation.Model', 'string', 'ReadOnly', '', { get: (st) => st.model }),
  setting('ChargingStation.VendorName', 'string', 'ReadOnly', '', { get: (st) => st.vendor }),
  setting('ChargingStation.SupplyPhases', 'integer', 'ReadOnly', '3'),
  setting('EVSE.AvailabilityState', 'OptionList', 'ReadOnly', '', { scope: 'EVSE', members: availability, get: evseState }),
  setting('EVSE.Power', 'integer', 'ReadOnly', '', { scope: 'EVSE', unit: 'W', get: (st) => String(Math.abs(st.defaultPowerW)) }),
  setting('EVSE.SupplyPhases', 'integer', 'ReadOnly', '3', { scope: 'EVSE' }),
  setting('Connector.AvailabilityState', 'OptionList', 'ReadOnly', '', { scope: 'Connector', members: availability, get: evseState }),
  setting('Connector.ConnectorType', 'string', 'ReadOnly', 'cType2', { scope: 'Connector' }),
  setting('OCPPCommCtrlr.HeartbeatInterval', 'integer', 'ReadWrite', '', {
    unit: 's', min: 1, max: 86_400, get: (st) => String(st.heartbeatIntervalS), set: (st, v) => st.setHeartbeatInterval(Number(v)),
  }),
  setting('OCPPCommCtrlr.MessageTimeout[Default]', 'integer', 'ReadOnly', '30', { unit: 's' }),
  setting('OCPPCommCtrlr.OfflineThreshold', 'integer', 'ReadWrite', '600', { unit: 's', min: 0, max: 86_400 }),
  setting('OCPPCommCtrlr.ResetRetries', 'integer', 'ReadWrite', '1', { min: 0, max: 10 }),
  setting('OCPPCommCtrlr.WebSocketPingInterval', 'integer', 'ReadWrite', '0', { unit: 's', min: 0, max: 3600 }),
  setting('SampledDataCtrlr.TxUpdatedInterval', 'integer', 'ReadWrite', '', {
    unit: 's', min: 0, max: 86_400, get: (st) => seconds(st.meterIntervalMs), set: (st, v) => st.setMeterInterval(Number(v) * 1000),
  }),
  setting('SampledDataCtrlr.TxUpdatedMeasurands', 'MemberList', 'ReadWrite', 'Energy.Active.Import.Register,Power.Active.Import', { members: measurands }),
  setting('SampledDataCtrlr.TxEndedInterval', 'integer', 'ReadWrite', '0', { unit: 's', min: 0, max: 86_400 }),
  setting('SampledDataCtrlr.TxEndedMeasurands', 'MemberList', 'ReadWrite', 'Energy.Active.Import.Register', { members: measurands }),
  setting('AlignedDataCtrlr.Interval', 'integer', 'ReadWrite', '0', { unit: 's', min: 0, max: 86_400 }),
  setting('AlignedDataCtrlr.Measurands', 'MemberList', 'ReadWrite', 'Energy.Active.Import.Register', { members: measurands }),
  setting('SecurityCtrlr.SecurityProfile', 'integer', 'ReadOnly', '', { get: securityProfile }),
  setting('SecurityCtrlr.BasicAuthPassword', 'string', 'WriteOnly', '', { check: passwordRule, set: (st, v) => st.setPassword(v) }),
  setting('SecurityCtrlr.Identity', 'string', 'ReadOnly', '', { get: (st) => st.identity }),
  setting('SecurityCtrlr.OrganizationName', 'string', 'ReadWrite', 'OV2X Simulator'),
  setting('AuthCtrlr.AuthorizeRemoteStart', 'boolean', 'ReadWrite', 'false'),
  setting('AuthCtrlr.LocalAuthorizeOffline', 'boolean', 'ReadWrite', 'true'),
  setting('AuthCtrlr.LocalPreAuthorize', 'boolean', 'ReadWrite', 'false'),
  setting('AuthCacheCtrlr.Enabled', 'boolean', 'ReadWrite', 'true'),
  setting('LocalAuthListCtrlr.Enabled', 'boolean', 'ReadWrite', 'true'),
  setting('LocalAuthListCtrlr.Entries', 'integer', 'ReadOnly', '', { get: (st) => String(st.localList.entries.size) }),
  setting('LocalAuthListCtrlr.ItemsPerMessage', 'integer', 'ReadOnly', '100'),
  setting('ReservationCtrlr.Enabled', 'boolean', 'ReadWrite', 'true'),
  setting('ReservationCtrlr.NonEvseSpecific', 'boolean', 'ReadOnly', 'true'),
  setting('TxCtrlr.EVConnectionTimeOut', 'integer', 'ReadWrite', '60', { unit: 's', min: 0, max: 3600 }),
  // block K; RateUnit is writable here so tests can make the station refuse a unit
  setting('SmartChargingCtrlr.Enabled', 'boolean', 'ReadOnly', '', { get: (st) => String(st.behaviour.smartCharging !== false) }),
  setting('SmartChargingCtrlr.RateUnit', 'MemberList', 'ReadWrite', 'A,W', { members: ['A', 'W'] }),
  setting('SmartChargingCtrlr.ProfileStackLevel', 'integer', 'ReadOnly', '8'),
  setting('SmartChargingCtrlr.PeriodsPerSchedule', 'integer', 'ReadOnly', '24'),
  setting('SmartChargingCtrlr.Entries[ChargingProfiles]', 'integer', 'ReadOnly', '10'),
  setting('TxCtrlr.StopTxOnEVSideDisconnect', 'boolean', 'ReadWrite', 'true'),
  setting('TxCtrlr.TxStartPoint', 'MemberList', 'ReadWrite', 'PowerPathClosed', { members: txPoints }),
  setting('TxCtrlr.TxStopPoint', 'MemberList', 'ReadWrite', 'EVConnected,Authorized', { members: txPoints }),
  setting('DeviceDataCtrlr.ItemsPerMessage[GetReport]', 'integer', 'ReadOnly', '8'),
  setting('DeviceDataCtrlr.ItemsPerMessage[GetVariables]', 'integer', 'ReadOnly', '16'),
  setting('DeviceDataCtrlr.ItemsPerMessage[SetVariables]', 'integer', 'ReadOnly', '16'),
  setting('MonitoringCtrlr.Enabled', 'boolean', 'ReadOnly', 'true'),
  setting('MonitoringCtrlr.ActiveMonitoringBase', 'OptionList', 'ReadOnly', '', { members: ['All', 'FactoryDefault', 'HardWiredOnly'], get: monitoringBase }),
  setting('MonitoringCtrlr.ActiveMonitoringLevel', 'integer', 'ReadOnly', '', { min: 0, max: 9, get: (st) => String(monitoringLevel(st)) }),
  setting('MonitoringCtrlr.ItemsPerMessage[SetVariableMonitoring]', 'integer', 'ReadOnly', '8'),
  setting('MonitoringCtrlr.ItemsPerMessage[ClearVariableMonitoring]', 'integer', 'ReadOnly', '8'),
]);

/** Maximum of a DeviceDataCtrlr.ItemsPerMessage instance. */
export function itemsPerMessage(st: SimulatedStation, instance: 'GetReport' | 'GetVariables' | 'SetVariables'): number {
  return Number(st.setting(`DeviceDataCtrlr.ItemsPerMessage[${instance}]`));
}
