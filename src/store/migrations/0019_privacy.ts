// Personal data at rest (issue 6, G1–G2): data keys wrapped by a master key, and the token UID
// encrypted beside a blind index and a pseudonym. The columns are filled by the platform at
// start (PrivacyService.backfill) because only it holds the keys. Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('data_keys')
    // `dk_…` (random, field encryption) or the fixed name of a keyed-hash purpose (`blind-index-1`)
    .addColumn('id', 'text', (c) => c.primaryKey())
    // 'field' | 'blind-index' | 'pseudonym'
    .addColumn('purpose', 'text', (c) => c.notNull())
    // the master key the data key is wrapped under (`mk_…`, a digest, never the key)
    .addColumn('master_key_id', 'text', (c) => c.notNull())
    // AES-256-GCM box of the 32-byte data key, bound to id and purpose
    .addColumn('wrapped', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('rewrapped_at', 'timestamptz')
    .execute();
  await db.schema
    .alterTable('id_tokens')
    // `f1.<data key>.<iv>.<tag>.<ciphertext>` of the UID, bound to its blind index
    .addColumn('uid_encrypted', 'text')
    // HMAC-SHA-256 of the normalized UID: equality lookups without the plaintext
    .addColumn('uid_index', 'text')
    // `tok_…`, what the API and the UI show instead of the UID
    .addColumn('pseudonym', 'text')
    .execute();
  await db.schema.createIndex('id_tokens_uid_index_key').on('id_tokens').column('uid_index').unique().execute();
  await db.schema.createIndex('id_tokens_pseudonym_key').on('id_tokens').column('pseudonym').unique().execute();
}
