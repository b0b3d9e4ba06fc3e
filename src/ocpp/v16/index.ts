import { adapterOf } from '../adapter.js';
import { v16Commands } from './commands.js';
import { coreHandlers } from './handlers/core.js';

/** OCPP 1.6J: one handler block per feature profile (key = file under handlers/). */
export const v16Adapter = adapterOf('ocpp1.6', {
  core: coreHandlers,
}, v16Commands);
