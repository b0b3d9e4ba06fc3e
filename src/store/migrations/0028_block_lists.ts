// IP / identity block and allow lists (issue 7, M3): the perimeter refuses a blocked source before
// TLS and before the WebSocket upgrade. Entries are few and read whole into every node's memory,
// so the table is a plain list; each node re-reads it periodically, which is how several nodes
// converge on an operator's or the IDS's block. Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('block_list_entries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    // 'block' refuses; 'allow' (the operator's own networks) wins over any block of the same address
    .addColumn('list', 'text', (c) => c.notNull())
    // 'ip' (one address), 'cidr' (a range, IPv4 or IPv6) or 'identity' (a station identity)
    .addColumn('kind', 'text', (c) => c.notNull())
    // the address, range or identity as given (normalised: CIDR in addr/bits form)
    .addColumn('value', 'text', (c) => c.notNull())
    // why: shown to operators and in every refusal's security event
    .addColumn('reason', 'text', (c) => c.notNull())
    // who: `user:<id>`, `apikey:<id>` or `ids:<rule>` for an automatic block
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // end of a TTL block; null = until an operator removes it
    .addColumn('expires_at', 'timestamptz')
    .execute();
  // one entry per list and target: blocking again renews the entry (reason, TTL) instead of piling up rows
  await db.schema.createIndex('block_list_entries_target_idx').on('block_list_entries').columns(['list', 'kind', 'value']).unique().execute();
}
