// The local ISO 15118 test PKI of the built-in Plug & Charge provider: the V2G hierarchy
// (V2G root → CPO sub-CA 1 → CPO sub-CA 2), the MO hierarchy (MO root → MO sub-CA → contract
// certificates), an OCSP signing certificate per CA, and every certificate they issue with its
// revocation. Private keys are stored sealed (AES-256-GCM under a key derived from the server
// secret), never in plaintext. Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('iso15118_pki_certificates')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    // v2gRoot, cpoSubCa1, cpoSubCa2, moRoot, moSubCa, ocspSigner, secc, contract
    .addColumn('role', 'text', (c) => c.notNull())
    // null for a self-signed root
    .addColumn('issuer_id', 'bigint', (c) => c.references('iso15118_pki_certificates.id'))
    .addColumn('subject', 'text', (c) => c.notNull())
    // lower-case hex without leading zeros
    .addColumn('serial_number', 'text', (c) => c.notNull())
    .addColumn('certificate', 'text', (c) => c.notNull())
    // sealed PKCS#8; null for certificates whose key belongs to someone else (EV, station)
    .addColumn('private_key', 'text')
    .addColumn('not_after', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    // CRLReason code
    .addColumn('revocation_reason', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('iso15118_pki_certificates_serial_idx').unique().on('iso15118_pki_certificates').columns(['issuer_id', 'serial_number']).execute();
  await db.schema.createIndex('iso15118_pki_certificates_role_idx').on('iso15118_pki_certificates').columns(['role', 'id']).execute();
}
