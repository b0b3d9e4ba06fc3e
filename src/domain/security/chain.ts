import { createHash } from 'node:crypto';

/**
 * The hash chain of the security log (OP6, ADR 0008). Each record's hash is
 * SHA-256(prevHash ‖ canonical(record)), where canonical() is JSON with sorted keys over a fixed
 * list of fields including the record's own chain position, so altering, removing or reordering
 * a record breaks the link from that record on. Pure: the migration that chains existing rows,
 * the writer and the verifier all use this one function, so they cannot drift apart.
 */

/** prev_hash of the very first record */
export const GENESIS = '0'.repeat(64);
/** bump when the canonical form changes; part of every hash so old and new records stay verifiable */
export const CHAIN_VERSION = 1;

/** What the chain covers: every column a reader relies on (not the surrogate id or export state). */
export interface ChainedFields {
  chainSeq: number;
  occurredAt: Date;
  recordedAt: Date;
  stationId: string | null;
  type: string;
  severity: string;
  sourceIp: string | null;
  origin: string;
  actor: string | null;
  actorRole: string | null;
  description: string | null;
  node: string | null;
  details: unknown;
}

/** JSON with object keys sorted at every level; undefined members dropped as JSON does. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(',')}]`;
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

export function canonicalRecord(r: ChainedFields): string {
  // timestamps at millisecond precision: what a JS Date carries, so a value read back equals the one hashed
  return canonicalJson({
    v: CHAIN_VERSION, seq: Number(r.chainSeq), occurredAt: new Date(r.occurredAt).toISOString(), recordedAt: new Date(r.recordedAt).toISOString(),
    stationId: r.stationId, type: r.type, severity: r.severity, sourceIp: r.sourceIp, origin: r.origin,
    actor: r.actor, actorRole: r.actorRole, description: r.description, node: r.node, details: r.details ?? {},
  });
}

export function chainHash(prevHash: string, r: ChainedFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalRecord(r)).digest('hex');
}

/** Dates with sub-millisecond parts would not survive a round trip through a JS Date: cut them. */
export const toMillis = (d: Date): Date => new Date(Math.floor(d.getTime()));
