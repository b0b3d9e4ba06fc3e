import type { Adapter } from './adapter.js';
import { protocol } from './protocols.js';

/** One action of a version's official schema set and how the platform serves it. */
export interface Route {
  action: string;
  initiator: 'station' | 'csms' | 'both';
  /** for actions a station initiates: the handler block (file under src/ocpp/<version>/handlers/) */
  block?: string;
  /** for actions the CSMS initiates: the neutral commands that send it */
  commands: string[];
}

/** Every action of the version's official schema set, in schema order, with its handler block and commands. */
export function routingTable(adapter: Adapter): Route[] {
  const p = protocol(adapter.version);
  const blockOf = new Map<string, string>();
  for (const [name, block] of Object.entries(adapter.blocks)) for (const action of Object.keys(block)) blockOf.set(action, name);
  const commandsOf = new Map<string, string[]>();
  for (const [kind, mapping] of Object.entries(adapter.commands)) {
    for (const { action } of mapping ? [mapping, ...(mapping.variants ?? [])] : []) commandsOf.set(action, [...(commandsOf.get(action) ?? []), kind]);
  }
  return [...p.schemas.actions.keys()].sort().map((action) => {
    const from = p.fromStation.has(action);
    const to = p.toStation.has(action);
    return { action, initiator: from && to ? 'both' : from ? 'station' : 'csms', block: blockOf.get(action), commands: commandsOf.get(action) ?? [] };
  });
}

/** Actions the platform would silently miss: a station action without handler, a CSMS action no command sends. */
export function unrouted(adapter: Adapter): string[] {
  return routingTable(adapter)
    .filter((r) => (r.initiator !== 'csms' && !r.block) || (r.initiator !== 'station' && r.commands.length === 0))
    .map((r) => r.action);
}
