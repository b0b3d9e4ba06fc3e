// One tamper-evident security log (issue 7, OP4–OP6): the existing security_events table gains
// who/what/where columns and a SHA-256 hash chain; a one-row chain head serialises writers across
// nodes; checkpoints let retention drop the oldest records while the rest stays verifiable; a
// cursor per export sink lets SIEM delivery resume after a restart. Rows recorded before this
// migration are chained here, in id order. Forward-only. See docs/adr/0008-security-log.md.
import { sql, type Kysely } from 'kysely';
import { chainHash, GENESIS } from '../../domain/security/chain.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('security_events')
    // position in the chain: gap-free, assigned with the head row locked, so it is insertion order across nodes
    .addColumn('chain_seq', 'bigint')
    // hash of the previous record (or of the checkpoint it follows): the link itself
    .addColumn('prev_hash', 'text')
    // SHA-256(prev_hash ‖ canonical record): what the next record and a checkpoint point at
    .addColumn('hash', 'text')
    // when the CSMS stored it (occurred_at may be a station's clock): chain order and retention age
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // who acted: a user/API key id, a username tried at login, a station id, or `system`
    .addColumn('actor', 'text')
    // the actor's role(s) at the time (OP4 "user/role/process")
    .addColumn('actor_role', 'text')
    // a human sentence: what happened, for the operator and the SIEM message
    .addColumn('description', 'text')
    // which CSMS node recorded it (origin label of platform events in a cluster)
    .addColumn('node', 'text')
    .execute();
  await db.schema.createIndex('security_events_chain_seq_idx').on('security_events').column('chain_seq').unique().execute();

  // the head of the chain: one row, locked by every writer for the length of its insert
  await db.schema.createTable('security_log_head')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();

  // a record of the chain at a position (seq, hash, how many records up to it), written in the
  // transaction that deletes records up to it: the verifier starts from it instead of genesis
  await db.schema.createTable('security_log_checkpoints')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    // records removed up to and including seq, over all checkpoints: what the log has dropped so far
    .addColumn('dropped', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // where each export sink is: the last chain_seq it delivered, plus what it had to drop
  await db.schema.createTable('security_log_sink_cursors')
    .addColumn('sink', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('dropped', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // chain what is there already, oldest first
  await sql`update security_events set recorded_at = occurred_at`.execute(db);
  // one-word aliases: the same whether or not the connection camel-cases result columns
  const rows = await sql<{ id: string; at: Date; station: string | null; type: string; severity: string; ip: string | null; origin: string; details: unknown }>`
    select id, occurred_at as at, station_id as station, type, severity, source_ip as ip, origin, details from security_events order by id`.execute(db);
  let prev = GENESIS;
  let seq = 0;
  for (const r of rows.rows) {
    seq++;
    const at = new Date(r.at);
    const hash = chainHash(prev, { chainSeq: seq, occurredAt: at, recordedAt: at, stationId: r.station, type: r.type, severity: r.severity, sourceIp: r.ip, origin: r.origin, actor: null, actorRole: null, description: null, node: null, details: r.details });
    await sql`update security_events set chain_seq = ${seq}, prev_hash = ${prev}, hash = ${hash}, occurred_at = ${at}, recorded_at = ${at} where id = ${r.id}`.execute(db);
    prev = hash;
  }
  await sql`insert into security_log_head (id, seq, hash) values (1, ${seq}, ${prev})`.execute(db);
}
