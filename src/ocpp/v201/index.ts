import { adapterOf } from '../adapter.js';
import { v201Commands } from './commands.js';
import { authorizationHandlers } from './handlers/authorization.js';
import { availabilityHandlers } from './handlers/availability.js';
import { dataTransferHandlers } from './handlers/data-transfer.js';
import { meterValueHandlers } from './handlers/meter-values.js';
import { provisioningHandlers } from './handlers/provisioning.js';
import { transactionHandlers } from './handlers/transactions.js';
import { reservationHandlers } from './handlers/reservation.js';
import { smartChargingHandlers } from './handlers/smart-charging.js';
import { securityHandlers } from './handlers/security.js';
import { iso15118CertificateHandlers } from './handlers/iso15118-certificates.js';
import { firmwareHandlers } from './handlers/firmware.js';
import { logHandlers } from './handlers/logs.js';
import { monitoringHandlers } from './handlers/monitoring.js';
import { displayMessageHandlers } from './handlers/display-messages.js';

/** OCPP 2.0.1: one handler block per functional block (key = file under handlers/). */
export const v201Adapter = adapterOf('ocpp2.0.1', {
  provisioning: provisioningHandlers,
  authorization: authorizationHandlers,
  transactions: transactionHandlers,
  availability: availabilityHandlers,
  'meter-values': meterValueHandlers,
  'data-transfer': dataTransferHandlers,
  reservation: reservationHandlers,
  security: securityHandlers,
  'iso15118-certificates': iso15118CertificateHandlers,
  firmware: firmwareHandlers,
  logs: logHandlers,
  monitoring: monitoringHandlers,
  'display-messages': displayMessageHandlers,
  'smart-charging': smartChargingHandlers,
}, v201Commands);
