/** One remote command the station page offers: what it needs, and the body it sends. */
export interface CommandAction {
  id: string;
  label: string;
  /** the permission of the command kind (src/domain/identity/command-permissions.ts) */
  permission: 'stations:switch' | 'stations:command';
  /** switching commands are confirmed first and count against the caller's switching limits (AC2) */
  switching: boolean;
  /** only for stations speaking this protocol */
  protocol?: 'ocpp1.6' | 'ocpp2.0.1';
  fields: readonly Field[];
  body(values: Record<string, string>): Record<string, unknown>;
}

export interface Field { name: string; label: string; type?: 'number' | 'text' | 'select'; options?: readonly string[]; required?: boolean; initial?: string }

const num = (v: string | undefined): number | undefined => (v === undefined || v === '' ? undefined : Number(v));

/** Every command of the page, as data: a new one is a row. */
export const commandActions: readonly CommandAction[] = [
  {
    id: 'remoteStart', label: 'Start charging', permission: 'stations:switch', switching: true,
    fields: [{ name: 'idToken', label: 'Token (idTag)', required: true }, { name: 'evseId', label: 'EVSE', type: 'number', initial: '1' }],
    body: (v) => ({ kind: 'remoteStart', idToken: v.idToken?.trim(), evseId: num(v.evseId) }),
  },
  {
    id: 'reset', label: 'Reset', permission: 'stations:switch', switching: true,
    fields: [{ name: 'mode', label: 'Mode', type: 'select', options: ['soft', 'hard'], initial: 'soft' }],
    body: (v) => ({ kind: 'reset', mode: v.mode === 'hard' ? 'hard' : 'soft' }),
  },
  {
    id: 'changeAvailability', label: 'Change availability', permission: 'stations:switch', switching: true,
    fields: [{ name: 'evseId', label: 'EVSE (0 = station)', type: 'number', initial: '1', required: true }, { name: 'available', label: 'Set to', type: 'select', options: ['available', 'unavailable'], initial: 'unavailable' }],
    body: (v) => ({ kind: 'changeAvailability', evseId: num(v.evseId) ?? 0, available: v.available === 'available' }),
  },
  {
    id: 'unlockConnector', label: 'Unlock connector', permission: 'stations:switch', switching: true,
    fields: [{ name: 'evseId', label: 'EVSE', type: 'number', initial: '1', required: true }, { name: 'connectorId', label: 'Connector', type: 'number', initial: '1', required: true }],
    body: (v) => ({ kind: 'unlockConnector', evseId: num(v.evseId) ?? 1, connectorId: num(v.connectorId) ?? 1 }),
  },
  {
    id: 'triggerMessage', label: 'Trigger message', permission: 'stations:command', switching: false,
    fields: [{ name: 'message', label: 'Message', type: 'select', options: ['StatusNotification', 'Heartbeat', 'BootNotification', 'MeterValues', 'FirmwareStatusNotification', 'DiagnosticsStatusNotification'], initial: 'StatusNotification' }],
    body: (v) => ({ kind: 'triggerMessage', message: v.message }),
  },
  {
    id: 'getConfiguration', label: 'Read configuration', permission: 'stations:command', switching: false, protocol: 'ocpp1.6', fields: [],
    body: () => ({ kind: 'getConfiguration' }),
  },
  {
    id: 'getBaseReport', label: 'Read device model', permission: 'stations:command', switching: false, protocol: 'ocpp2.0.1',
    fields: [{ name: 'reportBase', label: 'Report', type: 'select', options: ['ConfigurationInventory', 'FullInventory', 'SummaryInventory'], initial: 'ConfigurationInventory' }],
    body: (v) => ({ kind: 'getBaseReport', reportBase: v.reportBase }),
  },
  {
    id: 'getVariables', label: 'Read a variable', permission: 'stations:command', switching: false, protocol: 'ocpp2.0.1',
    fields: [{ name: 'component', label: 'Component', required: true, initial: 'OCPPCommCtrlr' }, { name: 'variable', label: 'Variable', required: true, initial: 'HeartbeatInterval' }],
    body: (v) => ({ kind: 'getVariables', variables: [{ component: v.component?.trim(), variable: v.variable?.trim() }] }),
  },
  {
    id: 'getInstalledCertificateIds', label: 'List installed certificates', permission: 'stations:command', switching: false,
    fields: [{ name: 'type', label: 'Type', type: 'select', options: ['CSMSRootCertificate', 'ManufacturerRootCertificate', 'V2GRootCertificate', 'MORootCertificate'], initial: 'CSMSRootCertificate' }],
    body: (v) => ({ kind: 'getInstalledCertificateIds', certificateTypes: [v.type] }),
  },
  {
    id: 'clearCache', label: 'Clear authorization cache', permission: 'stations:command', switching: false, fields: [],
    body: () => ({ kind: 'clearCache' }),
  },
];

/** The journal kinds a station's history is filtered by: what the page calls each. */
export const historyKinds: ReadonlyArray<{ label: string; kinds: string }> = [
  { label: 'all commands', kinds: '' },
  { label: 'firmware', kinds: 'updateFirmware' },
  { label: 'logs', kinds: 'getLog' },
  { label: 'configuration (1.6)', kinds: 'getConfiguration' },
  { label: 'device model (2.0.1)', kinds: 'getBaseReport' },
  { label: 'variables (2.0.1)', kinds: 'getVariables' },
  { label: 'installed certificates', kinds: 'getInstalledCertificateIds' },
];
