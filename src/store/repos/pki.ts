import { sql, type Kysely } from 'kysely';
import { DuplicateError, isUniqueViolation } from '../errors.js';
import type { Database, IssuedCertificate, PkiAuthority, PkiRole } from '../schema.js';
import type { Page } from './page.js';

export interface IssuedCertificateInput {
  serialNumber: string;
  stationId: string;
  certificateType: string;
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  fingerprint: string;
  pem: string;
}

/** The CPO CA material and the registry of issued certificates (migration 0010). */
export class PkiRepo {
  constructor(private readonly db: Kysely<Database>) {}

  authorities(): Promise<PkiAuthority[]> {
    return this.db.selectFrom('pkiAuthorities').selectAll().orderBy('role', 'desc').execute();
  }

  /** Stores a root and issuing CA together; a CA that already exists is never overwritten. */
  async createAuthorities(rows: ReadonlyArray<{ role: PkiRole; certificate: string; encryptedKey: string | null }>): Promise<void> {
    try {
      await this.db.transaction().execute((trx) => trx.insertInto('pkiAuthorities').values([...rows]).execute());
    } catch (err) {
      if (isUniqueViolation(err)) throw new DuplicateError('certificate authority', rows.map((r) => r.role).join('+'), err);
      throw err;
    }
  }

  addIssued(c: IssuedCertificateInput): Promise<IssuedCertificate> {
    return this.db.insertInto('issuedCertificates').values(c).returningAll().executeTakeFirstOrThrow();
  }

  getIssued(serialNumber: string): Promise<IssuedCertificate | undefined> {
    return this.db.selectFrom('issuedCertificates').selectAll().where('serialNumber', '=', serialNumber).executeTakeFirst();
  }

  /** Newest first. */
  listIssued(filter: { stationId?: string } & Page = { limit: 100 }): Promise<IssuedCertificate[]> {
    let q = this.db.selectFrom('issuedCertificates').selectAll();
    if (filter.stationId) q = q.where('stationId', '=', filter.stationId);
    return q.orderBy('createdAt', 'desc').orderBy('serialNumber').limit(filter.limit).offset(filter.offset ?? 0).execute();
  }

  /** Marks a certificate revoked; a second revocation keeps the first time and reason. Undefined when unknown. */
  async revoke(serialNumber: string, reason: string): Promise<IssuedCertificate | undefined> {
    await this.db.updateTable('issuedCertificates').set({ revokedAt: sql<Date>`now()`, revocationReason: reason })
      .where('serialNumber', '=', serialNumber).where('revokedAt', 'is', null).execute();
    return this.getIssued(serialNumber);
  }

  listRevoked(): Promise<Array<Pick<IssuedCertificate, 'serialNumber' | 'revokedAt' | 'revocationReason'>>> {
    return this.db.selectFrom('issuedCertificates').select(['serialNumber', 'revokedAt', 'revocationReason'])
      .where('revokedAt', 'is not', null).orderBy('revokedAt').execute();
  }

  /**
   * Per station, its newest unrevoked certificate of the type when that one expires before
   * `expiresBefore` and the station was not asked to renew one since `notAskedSince`.
   */
  async dueForRenewal(certificateType: string, expiresBefore: Date, notAskedSince: Date): Promise<IssuedCertificate[]> {
    const newest = this.db.selectFrom('issuedCertificates').selectAll()
      .where('certificateType', '=', certificateType).where('revokedAt', 'is', null)
      .distinctOn('stationId').orderBy('stationId').orderBy('notAfter', 'desc').as('newest');
    return this.db.selectFrom(newest).selectAll()
      .where('newest.notAfter', '<', expiresBefore)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('issuedCertificates as asked').select('asked.serialNumber')
        .whereRef('asked.stationId', '=', 'newest.stationId').where('asked.certificateType', '=', certificateType)
        .where('asked.renewalRequestedAt', '>=', notAskedSince))))
      .orderBy('newest.stationId').execute();
  }

  async markRenewalRequested(serialNumber: string): Promise<void> {
    await this.db.updateTable('issuedCertificates').set({ renewalRequestedAt: sql<Date>`now()` }).where('serialNumber', '=', serialNumber).execute();
  }
}
