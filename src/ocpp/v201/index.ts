import type { Adapter, StationContext } from '../adapter.js';
import type { CallHandler } from '../rpc/endpoint.js';
import { v201Commands } from './commands.js';
import { authorizationHandlers } from './handlers/authorization.js';
import { availabilityHandlers } from './handlers/availability.js';
import { dataTransferHandlers } from './handlers/data-transfer.js';
import { meterValueHandlers } from './handlers/meter-values.js';
import { provisioningHandlers } from './handlers/provisioning.js';
import { transactionHandlers } from './handlers/transactions.js';
import { smartChargingHandlers } from './handlers/smart-charging.js';

/** OCPP 2.0.1: one handler table per functional block, merged. */
export const v201Adapter: Adapter = {
  version: 'ocpp2.0.1',
  handlers: new Map(Object.entries({
    ...provisioningHandlers, ...availabilityHandlers, ...authorizationHandlers,
    ...transactionHandlers, ...meterValueHandlers, ...dataTransferHandlers,
    ...smartChargingHandlers,
  }) as Array<[string, CallHandler<StationContext>]>),
  commands: v201Commands,
};
