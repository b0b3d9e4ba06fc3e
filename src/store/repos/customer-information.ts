import { sql, type Kysely } from 'kysely';
import type { CustomerInformationPart, Database } from '../schema.js';

export interface CustomerInformationPartInput {
  stationId: string;
  requestId: number;
  seqNo: number;
  tbc: boolean;
  data: string;
  generatedAt: string | Date;
}

/**
 * Customer information reports (personal data, in their own table so it can be encrypted or
 * erased on its own). Parts are stored as received; a repeated part replaces the earlier copy.
 */
export class CustomerInformationRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async addPart(p: CustomerInformationPartInput): Promise<void> {
    await this.db.insertInto('customerInformationParts').values(p)
      .onConflict((oc) => oc.columns(['stationId', 'requestId', 'seqNo']).doUpdateSet((eb) => ({
        tbc: eb.ref('excluded.tbc'), data: eb.ref('excluded.data'), generatedAt: eb.ref('excluded.generatedAt'),
      })))
      .execute();
  }

  /** The parts of one report in seqNo order. */
  parts(stationId: string, requestId: number): Promise<CustomerInformationPart[]> {
    return this.db.selectFrom('customerInformationParts').selectAll()
      .where('stationId', '=', stationId).where('requestId', '=', requestId).orderBy('seqNo').execute();
  }

  /**
   * Erases the reports stations sent about these tokens: those answering a CustomerInformation
   * whose journalled idToken is one of the pseudonyms (the journal holds pseudonyms, migration
   * 0024). Returns the parts removed.
   */
  async eraseAbout(tokenRefs: readonly string[]): Promise<number> {
    if (tokenRefs.length === 0) return 0;
    const r = await sql`delete from customer_information_parts p using station_commands c
      where c.kind = 'customerInformation' and c.station_id = p.station_id and c.request_id = p.request_id
        and (c.command->'customer'->>'idToken') in (${sql.join(tokenRefs)})`.execute(this.db);
    return Number(r.numAffectedRows ?? 0n);
  }

  /** Erases every report of a station (e.g. a GDPR request); returns the parts removed. */
  async erase(stationId: string): Promise<number> {
    const r = await this.db.deleteFrom('customerInformationParts').where('stationId', '=', stationId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
