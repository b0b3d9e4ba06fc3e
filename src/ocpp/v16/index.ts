import type { Adapter } from '../adapter.js';
import type { CallHandler } from '../rpc/endpoint.js';
import type { StationContext } from '../adapter.js';
import { v16Commands } from './commands.js';
import { coreHandlers } from './handlers/core.js';
import { firmwareManagementHandlers } from './handlers/firmware.js';
import { secureFirmwareHandlers } from './handlers/secure-firmware.js';

/** OCPP 1.6J: one handler table per feature profile, merged. */
export const v16Adapter: Adapter = {
  version: 'ocpp1.6',
  handlers: new Map(Object.entries({ ...coreHandlers, ...firmwareManagementHandlers, ...secureFirmwareHandlers }) as Array<[string, CallHandler<StationContext>]>),
  commands: v16Commands,
};
