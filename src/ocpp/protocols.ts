import { schemaSet, type SchemaSet } from './schemas/validators.js';
import type { OcppVersion } from './schemas/sources.js';
import { v16Bidirectional, v16FromStation } from './v16/actions.js';
import { v201Bidirectional, v201FromStation } from './v201/actions.js';

export type { OcppVersion };

/** What the platform knows of one OCPP-J version: its schemas and who initiates each action. */
export interface Protocol {
  version: OcppVersion;
  schemas: SchemaSet;
  /** actions the station may CALL (the CSMS answers them) */
  fromStation: ReadonlySet<string>;
  /** actions the CSMS may CALL (the station answers them) */
  toStation: ReadonlySet<string>;
}

const directions: Record<OcppVersion, { fromStation: readonly string[]; both: readonly string[] }> = {
  'ocpp1.6': { fromStation: v16FromStation, both: v16Bidirectional },
  'ocpp2.0.1': { fromStation: v201FromStation, both: v201Bidirectional },
};

/** WebSocket subprotocols in order of preference; OCPP 2.1 is one more row. */
export const supportedSubprotocols: readonly OcppVersion[] = ['ocpp2.0.1', 'ocpp1.6'];

const cache = new Map<OcppVersion, Protocol>();
export function protocol(version: OcppVersion): Protocol {
  let p = cache.get(version);
  if (!p) {
    const schemas = schemaSet(version);
    const d = directions[version];
    const fromStation = new Set(d.fromStation);
    const toStation = new Set([...schemas.actions.keys()].filter((a) => !fromStation.has(a) || d.both.includes(a)));
    p = { version, schemas, fromStation, toStation };
    cache.set(version, p);
  }
  return p;
}

/** The first subprotocol we support among those a station offers, in our order of preference. */
export function negotiate(offered: ReadonlySet<string>): OcppVersion | undefined {
  return supportedSubprotocols.find((v) => offered.has(v));
}
