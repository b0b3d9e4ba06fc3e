import type { CommandResult, StationCommand } from '../domain/commands.js';
import type { DomainServices } from '../domain/services.js';
import type { RegistrationStatus } from '../store/schema.js';
import { CallFailed } from './rpc/call-failed.js';
import type { CallHandler } from './rpc/endpoint.js';
import type { OcppVersion } from './schemas/sources.js';

/** What a handler knows about the connection it serves. */
export interface StationContext {
  readonly stationId: string;
  readonly remoteAddress: string;
  /** the security profile this connection actually has (1 Basic, 2 Basic over TLS, 3 client certificate) */
  readonly securityProfile: number;
  readonly services: DomainServices;
  /** kept current by BootNotification; only Accepted stations may send more than BootNotification */
  registration: RegistrationStatus;
}

export type Handlers = ReadonlyMap<string, CallHandler<StationContext>>;

/** How one neutral command becomes a CALL of a version, and which answers count as success. */
export interface CommandMapping<K extends StationCommand['kind']> {
  action: string;
  payload(command: Extract<StationCommand, { kind: K }>): unknown;
  /** status words that mean the station accepted; absent = the response has no status word */
  accepted?: readonly string[];
  /** other actions for the same command, chosen by what it carries (e.g. a signature → a signed update); first match wins */
  variants?: ReadonlyArray<Omit<CommandMapping<K>, 'variants'> & { when(command: Extract<StationCommand, { kind: K }>): boolean }>;
}

export type CommandTable = { [K in StationCommand['kind']]?: CommandMapping<K> };

/** The handlers of one functional block (2.0.1) or feature profile (1.6): one file under handlers/. */
export type HandlerBlock = Readonly<Record<string, CallHandler<StationContext>>>;

/** An OCPP version as the transport sees it: handlers for its inbound actions, a table for outbound commands. */
export interface Adapter {
  version: OcppVersion;
  /** block name (= file name under src/ocpp/<version>/handlers) → its handlers */
  blocks: Readonly<Record<string, HandlerBlock>>;
  handlers: Handlers;
  commands: CommandTable;
}

/** Merges a version's handler blocks; an action claimed by two blocks is a programming error. */
export function adapterOf(version: OcppVersion, blocks: Record<string, object>, commands: CommandTable): Adapter {
  const handlers = new Map<string, CallHandler<StationContext>>();
  for (const [name, block] of Object.entries(blocks)) {
    for (const [action, handler] of Object.entries(block as HandlerBlock)) {
      if (handlers.has(action)) throw new Error(`${version}: ${action} is handled by two blocks (second: ${name})`);
      handlers.set(action, handler);
    }
  }
  return { version, blocks: blocks as Record<string, HandlerBlock>, handlers, commands };
}

/** Executes a neutral command through an adapter's table and a `call` function of the connection. */
export async function executeCommand(
  adapter: Adapter,
  command: StationCommand,
  call: (action: string, payload: unknown) => Promise<Record<string, unknown>>,
): Promise<CommandResult> {
  let mapping = adapter.commands[command.kind] as Omit<CommandMapping<typeof command.kind>, 'variants'> & Pick<CommandMapping<typeof command.kind>, 'variants'> | undefined;
  if (!mapping) throw new CallFailed('NotSupported', `${command.kind} has no equivalent in ${adapter.version}`);
  mapping = mapping.variants?.find((v) => v.when(command as never)) ?? mapping;
  const response = await call(mapping.action, mapping.payload(command as never));
  const status = typeof response.status === 'string' ? response.status : 'Accepted';
  if (mapping.accepted && !mapping.accepted.includes(status)) {
    const err = new CallFailed('Rejected', `${mapping.action}: station answered ${status}`);
    err.response = response;
    throw err;
  }
  return { action: mapping.action, status, response };
}

/** Neutral command fields that must be whole numbers for a version (e.g. 1.6 transaction ids). */
export function integerOf(value: string, what: string): number {
  if (!/^\d{1,10}$/.test(value)) throw new CallFailed('InvalidRequest', `${what} must be an integer for OCPP 1.6`);
  return Number(value);
}

/** A field the command journal fills before sending (see correlatedBy); missing only when sent around it. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new CallFailed('InvalidRequest', `${what} is required`);
  return value;
}
