// The CPO PKI (X1, X4, CR1): the root and issuing (sub-)CA, shared by every node of a cluster,
// and the registry of every certificate the sub-CA issued, with its revocation. Certificates
// are stored in clear; CA private keys only encrypted (see docs/adr/0005-key-hierarchy.md).
// Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pki_authorities')
    // 'root' or 'issuing': one of each
    .addColumn('role', 'text', (c) => c.primaryKey())
    .addColumn('certificate', 'text', (c) => c.notNull())
    // AES-256-GCM(PKCS#8 DER) under a key derived from the server secret; null for an imported
    // root whose key stays offline with the operator
    .addColumn('encrypted_key', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('issued_certificates')
    // lower-case hex without leading zeros, as OCPP certificateHashData and the RevocationCheck name it
    .addColumn('serial_number', 'text', (c) => c.primaryKey())
    // no foreign key: the record of what the CA issued outlives the station
    .addColumn('station_id', 'text', (c) => c.notNull())
    // ChargingStationCertificate or V2GCertificate
    .addColumn('certificate_type', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('not_before', 'timestamptz', (c) => c.notNull())
    .addColumn('not_after', 'timestamptz', (c) => c.notNull())
    // SHA-256 of the DER, hex
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('pem', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revocation_reason', 'text')
    // when the renewal sweep last asked the station to replace this certificate
    .addColumn('renewal_requested_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('issued_certificates_station_idx').on('issued_certificates').columns(['station_id', 'certificate_type', 'not_after']).execute();
}
