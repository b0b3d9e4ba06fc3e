import { sql, type Kysely } from 'kysely';
import { chainHash, GENESIS, toMillis, type ChainedFields } from '../../domain/security/chain.js';
import type { Database, SecurityEvent, SecurityEventOrigin, Severity } from '../schema.js';

export interface SecurityEventInput {
  /** May name a station that does not exist (e.g. a rejected connection). */
  stationId?: string | null;
  type: string;
  severity: Severity;
  sourceIp?: string | null;
  details: Record<string, unknown>;
  /** when it happened, if not now (a station's own timestamp) */
  occurredAt?: Date;
  /** default 'csms' */
  origin?: SecurityEventOrigin;
  /** who acted (user/API key id, username tried, station id, `system`) and with which role(s) */
  actor?: string | null;
  actorRole?: string | null;
  description?: string | null;
  /** the CSMS node that recorded it */
  node?: string | null;
}

/** The first broken link found by verify(), or none. */
export interface ChainReport {
  ok: boolean;
  /** records checked (those still stored) */
  checked: number;
  /** where verification started: genesis or a retention checkpoint */
  anchor: { seq: number; hash: string; dropped: number; kind: 'genesis' | 'checkpoint' };
  head: { seq: number; hash: string };
  broken?: { seq: number | null; id: number | null; reason: string };
}

const fieldsOf = (r: SecurityEvent): ChainedFields => ({
  chainSeq: Number(r.chainSeq), occurredAt: r.occurredAt, recordedAt: r.recordedAt, stationId: r.stationId, type: r.type,
  severity: r.severity, sourceIp: r.sourceIp, origin: r.origin, actor: r.actor, actorRole: r.actorRole,
  description: r.description, node: r.node, details: r.details,
});

/**
 * The security log's table. Writers chain each record inside one transaction that first locks
 * the chain head row (`update … returning`): the lock serialises writers of every node, the
 * sequence it hands out is gap-free because it rolls back with a failed insert, and the hash of
 * the previous record is read under the same lock. See docs/adr/0008-security-log.md.
 */
export class SecurityEventRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async record(e: SecurityEventInput): Promise<SecurityEvent> {
    // millisecond timestamps set here, not by the database: the hashed value is the stored value
    const now = toMillis(new Date());
    const details = JSON.parse(JSON.stringify(e.details ?? {})) as Record<string, unknown>;
    return this.db.transaction().execute(async (trx) => {
      const head = await trx.updateTable('securityLogHead').set({ seq: sql`seq + 1` }).where('id', '=', 1)
        .returning(['seq', 'hash']).executeTakeFirstOrThrow();
      const row = {
        chainSeq: Number(head.seq), occurredAt: toMillis(e.occurredAt ?? now), recordedAt: now, stationId: e.stationId ?? null,
        type: e.type, severity: e.severity, sourceIp: e.sourceIp ?? null, origin: e.origin ?? 'csms', actor: e.actor ?? null,
        actorRole: e.actorRole ?? null, description: e.description ?? null, node: e.node ?? null, details,
      } satisfies ChainedFields;
      const hash = chainHash(head.hash, row);
      const inserted = await trx.insertInto('securityEvents')
        .values({ ...row, details: JSON.stringify(details), prevHash: head.hash, hash })
        .returningAll().executeTakeFirstOrThrow();
      await trx.updateTable('securityLogHead').set({ hash }).where('id', '=', 1).execute();
      return inserted;
    });
  }

  /** Newest first. */
  async list(q: { stationId?: string; limit: number }): Promise<SecurityEvent[]> {
    let query = this.db.selectFrom('securityEvents').selectAll();
    if (q.stationId !== undefined) query = query.where('stationId', '=', q.stationId);
    return query.orderBy('occurredAt', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
  }

  /** Chain order, after a position: what an export sink has not delivered yet. */
  async after(seq: number, limit: number): Promise<SecurityEvent[]> {
    return this.db.selectFrom('securityEvents').selectAll().where('chainSeq', '>', seq).orderBy('chainSeq').limit(limit).execute();
  }

  async head(): Promise<{ seq: number; hash: string }> {
    const h = await this.db.selectFrom('securityLogHead').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
    return { seq: Number(h.seq), hash: h.hash };
  }

  /**
   * Walks the chain from the latest checkpoint (or genesis) to the head, in pages, and reports
   * the first broken link: a record altered (hash), removed (a gap in seq or a missing tail),
   * reordered (seq/prev_hash out of place), or written around the chain (no seq).
   */
  async verify(pageSize = 1000): Promise<ChainReport> {
    const head = await this.head();
    const cp = await this.db.selectFrom('securityLogCheckpoints').select(['seq', 'hash', 'dropped']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const anchor = cp ? { seq: Number(cp.seq), hash: cp.hash, dropped: Number(cp.dropped), kind: 'checkpoint' as const } : { seq: 0, hash: GENESIS, dropped: 0, kind: 'genesis' as const };
    const report = (checked: number, broken?: ChainReport['broken']): ChainReport => ({ ok: !broken, checked, anchor, head, ...(broken && { broken }) });

    const unchained = await this.db.selectFrom('securityEvents').select('id').where('chainSeq', 'is', null).orderBy('id').limit(1).executeTakeFirst();
    if (unchained) return report(0, { seq: null, id: Number(unchained.id), reason: 'record outside the chain (no chain position)' });
    const stale = await this.db.selectFrom('securityEvents').select(['id', 'chainSeq']).where('chainSeq', '<=', anchor.seq).orderBy('chainSeq').limit(1).executeTakeFirst();
    if (stale) return report(0, { seq: Number(stale.chainSeq), id: Number(stale.id), reason: `record at or before the checkpoint at ${anchor.seq}, which retention removed` });

    let expected = anchor.seq + 1;
    let prev = anchor.hash;
    let checked = 0;
    for (;;) {
      const rows = await this.after(expected - 1, pageSize);
      for (const r of rows) {
        const seq = Number(r.chainSeq);
        const at = { seq, id: Number(r.id) };
        if (seq !== expected) return report(checked, { ...at, reason: `expected record ${expected}, found ${seq}: ${seq - expected} record(s) removed` });
        if (r.prevHash !== prev) return report(checked, { ...at, reason: 'link to the previous record does not match (reordered or replaced)' });
        if (chainHash(prev, fieldsOf(r)) !== r.hash) return report(checked, { ...at, reason: 'record content does not match its hash (altered)' });
        prev = r.hash;
        expected++;
        checked++;
      }
      if (rows.length < pageSize) break;
    }
    if (expected - 1 !== head.seq) return report(checked, { seq: expected, id: null, reason: `chain ends at ${expected - 1} but the head is at ${head.seq}: newest record(s) removed` });
    if (prev !== head.hash) return report(checked, { seq: head.seq, id: null, reason: 'last record does not match the chain head' });
    return report(checked);
  }

  /**
   * Retention of the chain: drops at most `limit` of the oldest records (chain order) stored
   * before `cutoff`, only as a prefix of the chain, after recording a checkpoint at the last one
   * dropped, in one transaction — so the remainder still verifies from the checkpoint, and a
   * record removed any other way still shows. Answers how many it deleted.
   */
  async dropOldest(cutoff: Date, limit: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      // the head lock also serialises two nodes running retention at once
      await trx.selectFrom('securityLogHead').select('seq').where('id', '=', 1).forUpdate().execute();
      const rows = await trx.selectFrom('securityEvents').select(['chainSeq', 'hash', 'recordedAt']).where('chainSeq', 'is not', null)
        .orderBy('chainSeq').limit(limit).execute();
      const n = rows.findIndex((r) => r.recordedAt >= cutoff);
      const prefix = n < 0 ? rows : rows.slice(0, n);
      if (!prefix.length) return 0;
      const last = prefix[prefix.length - 1]!;
      const before = await trx.selectFrom('securityLogCheckpoints').select('dropped').orderBy('seq', 'desc').limit(1).executeTakeFirst();
      await trx.insertInto('securityLogCheckpoints').values({ seq: Number(last.chainSeq), hash: last.hash!, dropped: Number(before?.dropped ?? 0) + prefix.length, reason: 'retention' }).execute();
      const r = await trx.deleteFrom('securityEvents').where('chainSeq', '<=', Number(last.chainSeq)).executeTakeFirst();
      return Number(r.numDeletedRows);
    });
  }

  /** A sink's delivery cursor (0 when it never delivered). */
  async cursor(sink: string): Promise<{ seq: number; dropped: number }> {
    const c = await this.db.selectFrom('securityLogSinkCursors').select(['seq', 'dropped']).where('sink', '=', sink).executeTakeFirst();
    return { seq: Number(c?.seq ?? 0), dropped: Number(c?.dropped ?? 0) };
  }

  async advance(sink: string, seq: number, dropped: number): Promise<void> {
    await this.db.insertInto('securityLogSinkCursors').values({ sink, seq, dropped })
      .onConflict((oc) => oc.column('sink').doUpdateSet({ seq, dropped, updatedAt: new Date() })).execute();
  }
}
