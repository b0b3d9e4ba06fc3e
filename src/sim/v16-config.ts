import { indexSettings, measurands, passwordRule, setting, type SimVariable } from './settings.js';
import type { SimulatedStation } from './station.js';

/**
 * Security profile the connection amounts to: 2 TLS + Basic auth, 1 Basic auth, 0 neither (the
 * simulator has no client certificates, so never 3).
 */
export function securityProfile(st: SimulatedStation): string {
  if (st.url.startsWith('wss:')) return '2';
  return st.hasPassword ? '1' : '0';
}

/** Interval in whole seconds as OCPP shows it; a running sub-second test interval shows as 1. */
export const seconds = (ms: number): string => String(ms === 0 ? 0 : Math.max(1, Math.round(ms / 1000)));

/**
 * The configuration keys of a Core + LocalAuthListManagement + Reservation + RemoteTrigger
 * charge point (OCPP 1.6 §9.1, §9.2, §9.3) plus the
 * security whitepaper's AuthorizationKey and SecurityProfile. HeartbeatInterval,
 * MeterValueSampleInterval and AuthorizationKey act on the station when changed.
 */
export const v16Keys: ReadonlyMap<string, SimVariable> = indexSettings([
  setting('AllowOfflineTxForUnknownId', 'boolean', 'ReadWrite', 'false'),
  setting('AuthorizationCacheEnabled', 'boolean', 'ReadWrite', 'true'),
  setting('AuthorizationKey', 'string', 'WriteOnly', '', { check: passwordRule, set: (st, v) => st.setPassword(v) }),
  setting('AuthorizeRemoteTxRequests', 'boolean', 'ReadWrite', 'false'),
  setting('ClockAlignedDataInterval', 'integer', 'ReadWrite', '0', { min: 0, max: 86_400 }),
  setting('ConnectionTimeOut', 'integer', 'ReadWrite', '60', { min: 0, max: 3600 }),
  setting('ConnectorPhaseRotation', 'string', 'ReadWrite', 'NotApplicable'),
  setting('GetConfigurationMaxKeys', 'integer', 'ReadOnly', '50'),
  setting('HeartbeatInterval', 'integer', 'ReadWrite', '', {
    min: 1, max: 86_400, get: (st) => String(st.heartbeatIntervalS), set: (st, v) => st.setHeartbeatInterval(Number(v)),
  }),
  setting('LocalAuthListEnabled', 'boolean', 'ReadWrite', 'true'),
  setting('LocalAuthListMaxLength', 'integer', 'ReadOnly', '100'),
  setting('LocalAuthorizeOffline', 'boolean', 'ReadWrite', 'true'),
  setting('LocalPreAuthorize', 'boolean', 'ReadWrite', 'false'),
  setting('MeterValuesAlignedData', 'MemberList', 'ReadWrite', 'Energy.Active.Import.Register', { members: measurands }),
  setting('MeterValuesSampledData', 'MemberList', 'ReadWrite', 'Energy.Active.Import.Register,Power.Active.Import', { members: measurands }),
  setting('MeterValueSampleInterval', 'integer', 'ReadWrite', '', {
    min: 0, max: 86_400, get: (st) => seconds(st.meterIntervalMs), set: (st, v) => st.setMeterInterval(Number(v) * 1000),
  }),
  setting('NumberOfConnectors', 'integer', 'ReadOnly', '', { get: (st) => String(st.connectorCount) }),
  setting('ReserveConnectorZeroSupported', 'boolean', 'ReadOnly', 'true'),
  setting('ResetRetries', 'integer', 'ReadWrite', '1', { min: 0, max: 10 }),
  setting('SecurityProfile', 'integer', 'ReadOnly', '', { get: securityProfile }),
  setting('SendLocalListMaxLength', 'integer', 'ReadOnly', '100'),
  setting('StopTransactionOnEVSideDisconnect', 'boolean', 'ReadWrite', 'true'),
  setting('StopTransactionOnInvalidId', 'boolean', 'ReadWrite', 'true'),
  setting('StopTxnAlignedData', 'MemberList', 'ReadWrite', '', { members: measurands }),
  setting('StopTxnSampledData', 'MemberList', 'ReadWrite', 'Energy.Active.Import.Register', { members: measurands }),
  setting('SupportedFeatureProfiles', 'MemberList', 'ReadOnly', 'Core,LocalAuthListManagement,Reservation,RemoteTrigger'),
  setting('TransactionMessageAttempts', 'integer', 'ReadWrite', '3', { min: 0, max: 10 }),
  setting('TransactionMessageRetryInterval', 'integer', 'ReadWrite', '60', { min: 0, max: 3600 }),
  setting('UnlockConnectorOnEVSideDisconnect', 'boolean', 'ReadWrite', 'true'),
  setting('WebSocketPingInterval', 'integer', 'ReadWrite', '0', { min: 0, max: 3600 }),
  // Smart Charging profile (§9.4); the allowed unit is writable here so tests can make the station refuse one
  setting('ChargeProfileMaxStackLevel', 'integer', 'ReadOnly', '8'),
  setting('ChargingScheduleAllowedChargingRateUnit', 'MemberList', 'ReadWrite', 'Current,Power', { members: ['Current', 'Power'] }),
  setting('ChargingScheduleMaxPeriods', 'integer', 'ReadOnly', '24'),
  setting('MaxChargingProfilesInstalled', 'integer', 'ReadOnly', '10'),
]);
