// Security extensions and certificate management (1.6 Security Whitepaper, 2.0.1 blocks A and M):
// who reported a security event, the CSRs stations sent, the certificates they report as
// installed, the network profiles sent to them and their ISO 15118 certificate requests.
// Forward-only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // 'csms' for events the platform detected, 'station' for SecurityEventNotification
  await db.schema.alterTable('security_events').addColumn('origin', 'text', (c) => c.notNull().defaultTo('csms')).execute();

  await db.schema
    .createTable('certificate_requests')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    // ChargingStationCertificate (1.6: the charge point certificate) or V2GCertificate
    .addColumn('certificate_type', 'text', (c) => c.notNull())
    .addColumn('csr', 'text', (c) => c.notNull())
    // Rejected / NoSigner / Pending / Delivered / DeliveryFailed / SigningFailed
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    // the certificateSigned command that delivered the chain
    .addColumn('command_id', 'bigint', (c) => c.references('station_commands.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('certificate_requests_station_idx').on('certificate_requests').columns(['station_id', 'id']).execute();

  await db.schema
    .createTable('installed_certificates')
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('certificate_type', 'text', (c) => c.notNull())
    .addColumn('hash_algorithm', 'text', (c) => c.notNull())
    .addColumn('issuer_name_hash', 'text', (c) => c.notNull())
    .addColumn('issuer_key_hash', 'text', (c) => c.notNull())
    .addColumn('serial_number', 'text', (c) => c.notNull())
    // 2.0.1 V2GCertificateChain: the sub-CA certificates under the leaf
    .addColumn('child_certificates', 'json')
    .addColumn('reported_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('installed_certificates_pk', ['station_id', 'certificate_type', 'hash_algorithm', 'issuer_name_hash', 'issuer_key_hash', 'serial_number'])
    .execute();

  await db.schema
    .createTable('network_profiles')
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('configuration_slot', 'integer', (c) => c.notNull())
    // connectionData as sent, with its secrets (VPN password/key, APN password, SIM PIN) redacted
    .addColumn('connection_data', 'json', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('command_id', 'bigint', (c) => c.references('station_commands.id').onDelete('set null'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('network_profiles_pk', ['station_id', 'configuration_slot'])
    .execute();

  await db.schema
    .createTable('iso15118_requests')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('station_id', 'text', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    // Get15118EVCertificate / GetCertificateStatus
    .addColumn('action', 'text', (c) => c.notNull())
    // what was asked, without the EXI payload itself (only its size)
    .addColumn('request', 'json', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('iso15118_requests_station_idx').on('iso15118_requests').columns(['station_id', 'id']).execute();
}
