import { Type, type Static, type TLiteral, type TSchema } from '@sinclair/typebox';
import type { CommandKind, StationCommand } from '../../../domain/commands.js';

// TypeBox mirrors of the neutral StationCommand union (src/domain/commands.ts) and its parts.
// `commandSchemas` is a Record over CommandKind and the `Mismatched` check below compares each
// schema's static type with its union member, so the compiler refuses a missing or drifting schema.

const closed = { additionalProperties: false } as const;
const Int = (o: { minimum?: number; maximum?: number; description?: string } = {}) => Type.Integer(o);
const Str = (maxLength = 500, o: { minLength?: number; description?: string; format?: string } = {}) => Type.String({ maxLength, ...o });
const DateTime = Type.String({ format: 'date-time' });
const Enum = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v))) as unknown as TSchemaOf<T>;
type TSchemaOf<T extends string> = ReturnType<typeof Type.Union<TLiteral<T>[]>>;
const Opt = Type.Optional;

const VariableRef = Type.Object({
  component: Str(50), variable: Str(50), evseId: Opt(Int({ minimum: 0 })), connectorId: Opt(Int({ minimum: 0 })), instance: Opt(Str(50)),
  attributeType: Opt(Enum(['Actual', 'Target', 'MinSet', 'MaxSet'] as const)),
}, closed);

const ComponentVariableRef = Type.Object({
  component: Str(50), componentInstance: Opt(Str(50)), evseId: Opt(Int({ minimum: 0 })), connectorId: Opt(Int({ minimum: 0 })),
  variable: Opt(Str(50)), variableInstance: Opt(Str(50)),
}, closed);

const MonitorSpec = Type.Object({
  component: Str(50), componentInstance: Opt(Str(50)), evseId: Opt(Int({ minimum: 0 })), connectorId: Opt(Int({ minimum: 0 })),
  variable: Str(50), variableInstance: Opt(Str(50)), id: Opt(Int()),
  type: Enum(['UpperThreshold', 'LowerThreshold', 'Delta', 'Periodic', 'PeriodicClockAligned'] as const),
  value: Type.Number(), severity: Int({ minimum: 0, maximum: 9 }), transaction: Opt(Type.Boolean()),
}, closed);

const HashAlgorithm = Enum(['SHA256', 'SHA384', 'SHA512'] as const);
const CertificateHashData = Type.Object({ hashAlgorithm: HashAlgorithm, issuerNameHash: Str(128), issuerKeyHash: Str(128), serialNumber: Str(40) }, closed);

const CustomerRef = Type.Union([
  Type.Object({ idToken: Str(36), type: Str(20) }, closed),
  Type.Object({ customerIdentifier: Str(64) }, closed),
  Type.Object({ certificate: CertificateHashData }, closed),
]);

const MessagePriority = Enum(['AlwaysFront', 'InFront', 'NormalCycle'] as const);
const MessageState = Enum(['Charging', 'Faulted', 'Idle', 'Unavailable'] as const);
const DisplayMessage = Type.Object({
  id: Int({ minimum: 0 }), priority: MessagePriority, state: Opt(MessageState), startAt: Opt(DateTime), endAt: Opt(DateTime),
  transactionRef: Opt(Str(36)), content: Str(512), format: Enum(['ASCII', 'HTML', 'URI', 'UTF8'] as const), language: Opt(Str(8)),
  display: Opt(Type.Object({ name: Str(50), instance: Opt(Str(50)), evseId: Opt(Int({ minimum: 0 })), connectorId: Opt(Int({ minimum: 0 })) }, closed)),
}, closed);

const NetworkConnectionData = Type.Object({
  ocppVersion: Enum(['OCPP12', 'OCPP15', 'OCPP16', 'OCPP20'] as const),
  ocppTransport: Enum(['JSON', 'SOAP'] as const),
  ocppCsmsUrl: Str(512), messageTimeout: Int({ minimum: 1 }), securityProfile: Int({ minimum: 0, maximum: 3 }),
  ocppInterface: Enum(['Wired0', 'Wired1', 'Wired2', 'Wired3', 'Wireless0', 'Wireless1', 'Wireless2', 'Wireless3'] as const),
  apn: Opt(Type.Object({
    apn: Str(512), apnUserName: Opt(Str(20)), apnPassword: Opt(Str(20)), simPin: Opt(Int()), preferredNetwork: Opt(Str(6)),
    useOnlyPreferredNetwork: Opt(Type.Boolean()), apnAuthentication: Enum(['CHAP', 'NONE', 'PAP', 'AUTO'] as const),
  }, closed)),
  vpn: Opt(Type.Object({ server: Str(512), user: Str(20), group: Opt(Str(20)), password: Str(20), key: Str(255), type: Enum(['IKEv2', 'IPSec', 'L2TP', 'PPTP'] as const) }, closed)),
}, closed);

const ProfilePurpose = Enum(['ChargingStationMax', 'TxDefault', 'Tx', 'ChargingStationExternalConstraints'] as const);
const RateUnit = Enum(['A', 'W'] as const);
const LimitSource = Enum(['EMS', 'Other', 'SO', 'CSO'] as const);
export const ChargingProfile = Type.Object({
  id: Int(), stackLevel: Int({ minimum: 0 }), purpose: ProfilePurpose, kind: Enum(['Absolute', 'Recurring', 'Relative'] as const),
  recurrencyKind: Opt(Enum(['Daily', 'Weekly'] as const)), validFrom: Opt(DateTime), validTo: Opt(DateTime), transactionRef: Opt(Str(36)),
  schedules: Type.Array(Type.Object({
    id: Opt(Int()), chargingRateUnit: RateUnit,
    periods: Type.Array(Type.Object({ startPeriod: Int({ minimum: 0 }), limit: Type.Number(), numberPhases: Opt(Int({ minimum: 1, maximum: 3 })), phaseToUse: Opt(Int({ minimum: 1, maximum: 3 })) }, closed), { minItems: 1, maxItems: 1024 }),
    duration: Opt(Int({ minimum: 0 })), startSchedule: Opt(DateTime), minChargingRate: Opt(Type.Number()),
  }, closed), { minItems: 1, maxItems: 3 }),
}, closed);
export const ProfileCriteria = { profileId: Opt(Int()), evseId: Opt(Int({ minimum: 0 })), purpose: Opt(ProfilePurpose), stackLevel: Opt(Int({ minimum: 0 })) };

const LocalListEntry = Type.Object({
  idToken: Str(36), type: Str(20),
  info: Opt(Type.Object({ status: Enum(['Accepted', 'Blocked', 'Expired', 'Invalid'] as const), expiresAt: Opt(DateTime), groupIdToken: Opt(Str(36)) }, closed)),
}, closed);

const InstallType = Enum(['V2GRootCertificate', 'MORootCertificate', 'CSMSRootCertificate', 'ManufacturerRootCertificate'] as const);
const Retries = { retries: Opt(Int({ minimum: 0, maximum: 100 })), retryInterval: Opt(Int({ minimum: 0, maximum: 86400 })) };
const RequestId = { requestId: Opt(Int({ minimum: 0, maximum: 2 ** 31 - 1, description: 'default: the journal row id' })) };
const Url = Str(512, { minLength: 1 });

/** One command kind: `{kind, ...fields}`, nothing else. */
const cmd = <K extends CommandKind, P extends Record<string, TSchema>>(kind: K, props: P, description?: string) =>
  Type.Object({ kind: Type.Literal(kind), ...props }, { ...closed, title: kind, ...(description && { description }) });

export const commandSchemas = {
  remoteStart: cmd('remoteStart', { idToken: Str(36), evseId: Opt(Int({ minimum: 1 })), remoteStartId: Opt(Int({ minimum: 0 })) }),
  remoteStop: cmd('remoteStop', { transactionRef: Str(36) }),
  reset: cmd('reset', { mode: Enum(['hard', 'soft'] as const), evseId: Opt(Int({ minimum: 0 })) }),
  changeAvailability: cmd('changeAvailability', { evseId: Int({ minimum: 0 }), connectorId: Opt(Int({ minimum: 0 })), available: Type.Boolean() }),
  unlockConnector: cmd('unlockConnector', { evseId: Int({ minimum: 1 }), connectorId: Int({ minimum: 1 }) }),
  clearCache: cmd('clearCache', {}),
  dataTransfer: cmd('dataTransfer', { vendorId: Str(255), messageId: Opt(Str(50)), data: Opt(Str(100_000)) }),
  triggerMessage: cmd('triggerMessage', { message: Str(50), evseId: Opt(Int({ minimum: 0 })) }),
  getConfiguration: cmd('getConfiguration', { keys: Opt(Type.Array(Str(50), { maxItems: 100 })) }, '1.6 configuration keys'),
  changeConfiguration: cmd('changeConfiguration', { key: Str(50), value: Str(500) }, '1.6; the station password is set only through /password-rotation'),
  getVariables: cmd('getVariables', { variables: Type.Array(VariableRef, { minItems: 1, maxItems: 100 }) }, '2.0.1 device model'),
  setVariables: cmd('setVariables', { variables: Type.Array(Type.Composite([VariableRef, Type.Object({ value: Str(1000) })], closed), { minItems: 1, maxItems: 100 }) }, '2.0.1; SecurityCtrlr.BasicAuthPassword only through /password-rotation'),
  getBaseReport: cmd('getBaseReport', { reportBase: Enum(['ConfigurationInventory', 'FullInventory', 'SummaryInventory'] as const), ...RequestId }),
  reserveNow: cmd('reserveNow', { reservationId: Opt(Int()), idToken: Str(36), tokenType: Opt(Str(20)), groupIdToken: Opt(Str(36)), expiresAt: DateTime, evseId: Opt(Int({ minimum: 0 })), connectorType: Opt(Str(20)) }, 'through /reservations only'),
  cancelReservation: cmd('cancelReservation', { reservationId: Int() }, 'through DELETE /reservations/{id} only'),
  sendLocalList: cmd('sendLocalList', { version: Int({ minimum: 1 }), updateType: Enum(['Full', 'Differential'] as const), entries: Type.Array(LocalListEntry, { maxItems: 10_000 }) }, 'through /local-list-sync only'),
  getLocalListVersion: cmd('getLocalListVersion', {}),
  extendedTriggerMessage: cmd('extendedTriggerMessage', { message: Str(50), evseId: Opt(Int({ minimum: 0 })) }),
  getTransactionStatus: cmd('getTransactionStatus', { transactionRef: Opt(Str(36)) }),
  certificateSigned: cmd('certificateSigned', { certificateChain: Str(10_000), certificateType: Opt(Enum(['ChargingStationCertificate', 'V2GCertificate'] as const)) }),
  installCertificate: cmd('installCertificate', { certificateType: InstallType, certificate: Str(5500) }),
  deleteCertificate: cmd('deleteCertificate', { certificateHashData: CertificateHashData }),
  getInstalledCertificateIds: cmd('getInstalledCertificateIds', { certificateTypes: Opt(Type.Array(Type.Union([InstallType, Type.Literal('V2GCertificateChain')]), { maxItems: 5 })) }),
  setNetworkProfile: cmd('setNetworkProfile', { configurationSlot: Int({ minimum: 0 }), connectionData: NetworkConnectionData }, '2.0.1; journalled without its secrets'),
  updateFirmware: cmd('updateFirmware', { location: Url, retrieveAt: Opt(DateTime), installAt: Opt(DateTime), ...Retries, signature: Opt(Str(800)), signingCertificate: Opt(Str(5500)), ...RequestId }, 'an image the platform holds: use /firmware-update'),
  getLog: cmd('getLog', { logType: Enum(['diagnostics', 'security'] as const), location: Url, from: Opt(DateTime), to: Opt(DateTime), ...Retries, ...RequestId }, 'to the platform itself: use /log-upload'),
  publishFirmware: cmd('publishFirmware', { location: Url, checksum: Str(32, { minLength: 32 }), ...Retries, ...RequestId }),
  unpublishFirmware: cmd('unpublishFirmware', { checksum: Str(32, { minLength: 32 }) }),
  getReport: cmd('getReport', { componentCriteria: Opt(Type.Array(Enum(['Active', 'Available', 'Enabled', 'Problem'] as const), { maxItems: 4 })), components: Opt(Type.Array(ComponentVariableRef, { maxItems: 100 })), ...RequestId }),
  setMonitoringBase: cmd('setMonitoringBase', { base: Enum(['All', 'FactoryDefault', 'HardWiredOnly'] as const) }),
  setMonitoringLevel: cmd('setMonitoringLevel', { severity: Int({ minimum: 0, maximum: 9 }) }),
  setVariableMonitoring: cmd('setVariableMonitoring', { monitors: Type.Array(MonitorSpec, { minItems: 1, maxItems: 1000 }) }),
  clearVariableMonitoring: cmd('clearVariableMonitoring', { ids: Type.Array(Int(), { minItems: 1, maxItems: 1000 }) }),
  getMonitoringReport: cmd('getMonitoringReport', { criteria: Opt(Type.Array(Enum(['ThresholdMonitoring', 'DeltaMonitoring', 'PeriodicMonitoring'] as const), { maxItems: 3 })), components: Opt(Type.Array(ComponentVariableRef, { maxItems: 100 })), ...RequestId }),
  customerInformation: cmd('customerInformation', { report: Type.Boolean(), clear: Type.Boolean(), customer: CustomerRef, ...RequestId }),
  setDisplayMessage: cmd('setDisplayMessage', { message: DisplayMessage }),
  getDisplayMessages: cmd('getDisplayMessages', { ids: Opt(Type.Array(Int(), { maxItems: 100 })), priority: Opt(MessagePriority), state: Opt(MessageState), ...RequestId }),
  clearDisplayMessage: cmd('clearDisplayMessage', { id: Int() }),
  setChargingProfile: cmd('setChargingProfile', { evseId: Int({ minimum: 0 }), profile: ChargingProfile }, 'evseId 0 = the whole station'),
  clearChargingProfile: cmd('clearChargingProfile', ProfileCriteria),
  getCompositeSchedule: cmd('getCompositeSchedule', { evseId: Int({ minimum: 0 }), duration: Int({ minimum: 1 }), chargingRateUnit: Opt(RateUnit) }),
  getChargingProfiles: cmd('getChargingProfiles', { ...RequestId, profileIds: Opt(Type.Array(Int(), { maxItems: 100 })), sources: Opt(Type.Array(LimitSource, { maxItems: 4 })), evseId: ProfileCriteria.evseId, purpose: ProfileCriteria.purpose, stackLevel: ProfileCriteria.stackLevel }, '2.0.1 only'),
  costUpdated: cmd('costUpdated', { transactionRef: Str(36), totalCost: Type.Number({ minimum: 0 }) }, '2.0.1; the tariff\'s own figure: use /cost-update'),
} satisfies Record<CommandKind, TSchema>;

/** The kinds whose schema's type is not its StationCommand member; must stay `never`. */
type Mismatched = {
  [K in CommandKind]: [Static<(typeof commandSchemas)[K]>] extends [Extract<StationCommand, { kind: K }>]
    ? [Extract<StationCommand, { kind: K }>] extends [Static<(typeof commandSchemas)[K]>] ? never : K
    : K
}[CommandKind];
const schemasMirrorTheUnion: [Mismatched] extends [never] ? true : Mismatched = true;
void schemasMirrorTheUnion;

/**
 * The request body `{kind, ...}`: one of the commands, told apart by `kind` (OpenAPI discriminator).
 * Validated by the route's own Ajv (see validator.ts) because a plain anyOf would be mangled by
 * Fastify's default removeAdditional while it tries each branch.
 */
export const StationCommandBody = Type.Unsafe<StationCommand>({
  oneOf: Object.values(commandSchemas),
  discriminator: { propertyName: 'kind' },
  description: 'A station command; `kind` names it. See the domain\'s StationCommand.',
});
