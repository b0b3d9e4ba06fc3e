// Webhook subscriptions (issue 5): where a principal wants the events it may see delivered,
// the HMAC secret sealed under the server secret, and the delivery state. Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhook_subscriptions')
    // random UUID, known before the insert: the sealed secret is bound to it
    .addColumn('id', 'text', (c) => c.primaryKey())
    // the creating principal (`user:12`, `apikey:3`, `oidc:…`): deliveries carry only what it may see
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('owner_kind', 'text', (c) => c.notNull())
    // roles and station groups of the owner when it subscribed; accounts are re-read at delivery
    .addColumn('owner_roles', 'jsonb', (c) => c.notNull())
    .addColumn('owner_groups', 'jsonb')
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('types', 'jsonb', (c) => c.notNull())
    // AES-256-GCM box of the HMAC secret (sealer 'webhook-secrets', bound to the id)
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_attempt_at', 'timestamptz')
    .addColumn('last_success_at', 'timestamptz')
    // HTTP status of the last attempt; null when it got no answer
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('delivered', 'bigint', (c) => c.notNull().defaultTo(0))
    // deliveries given up after the last attempt
    .addColumn('failed', 'bigint', (c) => c.notNull().defaultTo(0))
    // events dropped because the subscription's queue was full
    .addColumn('dropped', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('webhook_subscriptions_owner_idx').on('webhook_subscriptions').column('owner').execute();
}
