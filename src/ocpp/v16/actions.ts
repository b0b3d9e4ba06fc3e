/** OCPP 1.6J (incl. Security Whitepaper ed. 3): actions a charge point initiates. Every other action of the schema set is initiated by the CSMS; DataTransfer goes both ways. */
export const v16FromStation = [
  'Authorize', 'BootNotification', 'DataTransfer', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification',
  'Heartbeat', 'LogStatusNotification', 'MeterValues', 'SecurityEventNotification', 'SignCertificate',
  'SignedFirmwareStatusNotification', 'StartTransaction', 'StatusNotification', 'StopTransaction',
] as const;
export const v16Bidirectional = ['DataTransfer'] as const;
