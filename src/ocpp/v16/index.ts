import { adapterOf } from '../adapter.js';
import { v16Commands } from './commands.js';
import { coreHandlers } from './handlers/core.js';
import { securityHandlers } from './handlers/security.js';
import { firmwareManagementHandlers } from './handlers/firmware.js';
import { secureFirmwareHandlers } from './handlers/secure-firmware.js';

/** OCPP 1.6J: one handler block per feature profile (key = file under handlers/). */
export const v16Adapter = adapterOf('ocpp1.6', {
  core: coreHandlers,
  security: securityHandlers,
  firmware: firmwareManagementHandlers,
  'secure-firmware': secureFirmwareHandlers,
}, v16Commands);
