import type { Logger } from '../../log/logger.js';
import type { RawClient } from '../raw-client.js';

export const attackClasses = ['dos', 'injection', 'replay', 'impersonation', 'sybil'] as const;
export type AttackClass = typeof attackClasses[number];

/** The IDS class (issue 7 threat model) each attack class is meant to raise. */
export const idsClassOf: Record<AttackClass, 'T1' | 'T2' | 'T3' | 'T4' | 'T5'> = {
  dos: 'T1', injection: 'T2', replay: 'T3', impersonation: 'T4', sybil: 'T5',
};

/** A station identity the attacker holds credentials of (as `ov2x simulate` takes them). */
export interface StationCredential {
  id: string;
  password?: string;
}

/**
 * One labelled attack instance: what a benchmark needs to decide which alert detected it.
 * `stationId` is the station an alert should name (sybil: the second station), `sourceIp`
 * the address the attack came from.
 */
export interface AttackInstance {
  class: AttackClass;
  /** `<class>/<technique>#<n>` */
  instance: string;
  technique: string;
  /** the IDS detector meant to catch it (src/security/ids/rules.ts) */
  detector: string;
  stationId?: string;
  /** every station the instance used, when more than one */
  stations?: string[];
  sourceIp?: string;
  /** the token used (sybil); the attacker's own test token, never a customer's */
  token?: string;
  startedAt: number;
  endedAt: number;
  /** frames and connection attempts sent */
  sent: number;
  /** why the instance could not run to its end (it is still labelled: it may have been detected) */
  error?: string;
}

export interface AttackOptions {
  /** CSMS OCPP endpoint without the identity, e.g. ws://127.0.0.1:9000/ocpp */
  url: string;
  /** instances to run (techniques taken in turn) */
  count: number;
  /** wall-clock bound of the whole attack: no instance starts after it, running ones stop */
  durationMs: number;
  /** stations the authenticated techniques use, one (sybil: two) per instance, in order */
  stations?: readonly StationCredential[];
  /** tokens the CSMS accepts (sybil), one per instance in turn */
  idTags?: readonly string[];
  /** source addresses (127.x.y.z on loopback), one per instance in turn; default the system's */
  sources?: readonly string[];
  /** only these techniques (names of the class's table) */
  techniques?: readonly string[];
  /** size of the oversized frames (bytes; default 1 MiB, above the default 128 KiB limit) */
  frameBytes?: number;
  /** how long slow/half-open connections are held at most (ms, default 12 000) */
  holdMs?: number;
  /** the target may be off loopback: only with the operator's explicit word that they own it */
  allowRemote?: boolean;
  signal?: AbortSignal;
  log?: Logger;
}

export type AttackFn = (o: AttackOptions) => Promise<AttackInstance[]>;

/** What a technique gets: its resources for this instance and the bounds it must keep. */
export interface AttackContext {
  url: string;
  /** stations allotted to this instance (`needs.stations` of them) */
  stations: StationCredential[];
  token?: string;
  /** source address, and a second one in another /16 (for address and network changes) */
  source?: string;
  alt?: string;
  deadline: number;
  frameBytes: number;
  holdMs: number;
  signal: AbortSignal;
  log?: Logger;
  /** counts frames and connection attempts */
  sent(n?: number): void;
  /** every client the technique opens, closed by the runner whatever happens */
  track(c: RawClient): RawClient;
}

export interface Technique {
  name: string;
  detector: string;
  needs: { stations: number; token?: boolean; alt?: boolean };
  /** returns the station an alert should name, when it is not the first allotted one */
  run(ctx: AttackContext): Promise<{ stationId?: string } | void>;
}

/** A bad invocation: missing credentials, a non-loopback target, … */
export class AttackUsageError extends Error {}
