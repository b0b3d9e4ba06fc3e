import { sql, type Kysely } from 'kysely';
import type {
  CertificateHashData, CertificateRequest, Database, InstalledCertificate, Iso15118Request, NetworkProfile,
} from '../schema.js';

export interface InstalledCertificateInput extends CertificateHashData {
  certificateType: string;
  childCertificates?: CertificateHashData[];
}

/** Certificate management state per station: CSRs, installed certificates, network profiles, ISO 15118 requests. */
export class CertificateRepo {
  constructor(private readonly db: Kysely<Database>) {}

  addRequest(r: { stationId: string; certificateType: string; csr: string; status: string; reason?: string }): Promise<CertificateRequest> {
    return this.db.insertInto('certificateRequests')
      .values({ stationId: r.stationId, certificateType: r.certificateType, csr: r.csr, status: r.status, reason: r.reason ?? null, commandId: null })
      .returningAll().executeTakeFirstOrThrow();
  }

  async updateRequest(id: number, patch: { status: string; reason?: string | null; commandId?: number }): Promise<void> {
    await this.db.updateTable('certificateRequests')
      .set({ status: patch.status, ...(patch.reason !== undefined && { reason: patch.reason }), ...(patch.commandId !== undefined && { commandId: patch.commandId }), updatedAt: sql<Date>`now()` })
      .where('id', '=', id).execute();
  }

  getRequest(id: number): Promise<CertificateRequest | undefined> {
    return this.db.selectFrom('certificateRequests').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Newest first. */
  listRequests(stationId: string, limit = 100): Promise<CertificateRequest[]> {
    return this.db.selectFrom('certificateRequests').selectAll().where('stationId', '=', stationId).orderBy('id', 'desc').limit(limit).execute();
  }

  /**
   * Replaces what is known for `types` with the station's report (2.0.1 GetInstalledCertificateIds
   * without types: `types` undefined = every type).
   */
  async replaceInstalled(stationId: string, types: readonly string[] | undefined, certs: readonly InstalledCertificateInput[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      let del = trx.deleteFrom('installedCertificates').where('stationId', '=', stationId);
      if (types) {
        if (types.length === 0) return;
        del = del.where('certificateType', 'in', types);
      }
      await del.execute();
      if (certs.length) await trx.insertInto('installedCertificates').values(certs.map((c) => row(stationId, c))).onConflict((oc) => oc.doNothing()).execute();
    });
  }

  async addInstalled(stationId: string, cert: InstalledCertificateInput): Promise<void> {
    await this.db.insertInto('installedCertificates').values(row(stationId, cert))
      .onConflict((oc) => oc.constraint('installed_certificates_pk').doUpdateSet({ reportedAt: sql<Date>`now()` })).execute();
  }

  /** Removes a certificate of any type by its hash data; returns whether one was known. */
  async removeInstalled(stationId: string, h: CertificateHashData): Promise<boolean> {
    const r = await this.db.deleteFrom('installedCertificates')
      .where('stationId', '=', stationId).where('hashAlgorithm', '=', h.hashAlgorithm)
      .where('issuerNameHash', '=', h.issuerNameHash).where('issuerKeyHash', '=', h.issuerKeyHash)
      .where('serialNumber', '=', h.serialNumber).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  listInstalled(stationId: string, type?: string): Promise<InstalledCertificate[]> {
    let q = this.db.selectFrom('installedCertificates').selectAll().where('stationId', '=', stationId);
    if (type) q = q.where('certificateType', '=', type);
    return q.orderBy('certificateType').orderBy('serialNumber').execute();
  }

  /** Stores the profile of a slot (already redacted by the caller), replacing the slot's previous one. */
  async saveNetworkProfile(p: { stationId: string; configurationSlot: number; connectionData: Record<string, unknown>; status: string; commandId: number }): Promise<void> {
    const values = { ...p, connectionData: JSON.stringify(p.connectionData) };
    await this.db.insertInto('networkProfiles').values(values)
      .onConflict((oc) => oc.constraint('network_profiles_pk').doUpdateSet({
        connectionData: values.connectionData, status: p.status, commandId: p.commandId, updatedAt: sql<Date>`now()`,
      })).execute();
  }

  listNetworkProfiles(stationId: string): Promise<NetworkProfile[]> {
    return this.db.selectFrom('networkProfiles').selectAll().where('stationId', '=', stationId).orderBy('configurationSlot').execute();
  }

  addIso15118Request(r: { stationId: string; action: string; request: Record<string, unknown>; status: string; reason?: string }): Promise<Iso15118Request> {
    return this.db.insertInto('iso15118Requests')
      .values({ stationId: r.stationId, action: r.action, request: JSON.stringify(r.request), status: r.status, reason: r.reason ?? null })
      .returningAll().executeTakeFirstOrThrow();
  }

  /** Newest first. */
  listIso15118Requests(stationId: string, limit = 100): Promise<Iso15118Request[]> {
    return this.db.selectFrom('iso15118Requests').selectAll().where('stationId', '=', stationId).orderBy('id', 'desc').limit(limit).execute();
  }
}

const row = (stationId: string, c: InstalledCertificateInput) => ({
  stationId, certificateType: c.certificateType, hashAlgorithm: c.hashAlgorithm, issuerNameHash: c.issuerNameHash,
  issuerKeyHash: c.issuerKeyHash, serialNumber: c.serialNumber,
  childCertificates: c.childCertificates?.length ? JSON.stringify(c.childCertificates) : null,
});
