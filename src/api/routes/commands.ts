import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { commandJournalRoutes } from './commands/journal.js';
import { commandOperationRoutes } from './commands/operations.js';
import { commandSendRoutes } from './commands/send.js';

/** Station commands: send one (or a batch), the service-driven operations, and the journal that reports how they went. */
export async function commandRoutes(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  await commandSendRoutes(app, ctx);
  await commandOperationRoutes(app, ctx);
  await commandJournalRoutes(app, ctx);
}
