import type { Kysely } from 'kysely';
import type { Database, Iso15118PkiCertificate, Iso15118PkiRole } from '../schema.js';

export interface NewIso15118PkiCertificate {
  role: Iso15118PkiRole;
  issuerId: number | null;
  subject: string;
  serialNumber: string;
  certificate: string;
  /** already sealed */
  privateKey: string | null;
  notAfter: Date;
}

/** The certificates of the local ISO 15118 test PKI (CAs, OCSP signers and what they issued). */
export class Iso15118PkiRepo {
  constructor(private readonly db: Kysely<Database>) {}

  insert(c: NewIso15118PkiCertificate): Promise<Iso15118PkiCertificate> {
    return this.db.insertInto('iso15118PkiCertificates').values(c).returningAll().executeTakeFirstOrThrow();
  }

  /** The certificates of these roles, oldest first. */
  byRoles(roles: Iso15118PkiRole[]): Promise<Iso15118PkiCertificate[]> {
    return this.db.selectFrom('iso15118PkiCertificates').selectAll().where('role', 'in', roles).orderBy('id').execute();
  }

  byIssuerSerial(issuerId: number, serialNumber: string): Promise<Iso15118PkiCertificate | undefined> {
    return this.db.selectFrom('iso15118PkiCertificates').selectAll()
      .where('issuerId', '=', issuerId).where('serialNumber', '=', serialNumber).executeTakeFirst();
  }

  /** Revokes once: a later call keeps the first time and reason. True when this call revoked it. */
  async revoke(id: number, at: Date, reason: number): Promise<boolean> {
    const r = await this.db.updateTable('iso15118PkiCertificates').set({ revokedAt: at, revocationReason: reason })
      .where('id', '=', id).where('revokedAt', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
