// Invoices on both back ends: drafts from CDRs, figures equal to the CDRs' sums, gapless numbering
// under concurrent issues, one invoice per CDR and immutable issued invoices in the database.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { FieldEncryption, KeyRing } from '../../src/domain/crypto/field-encryption.js';
import { LocalKeyProvider } from '../../src/domain/crypto/key-hierarchy.js';
import { CustomerService } from '../../src/domain/customers/customer-service.js';
import { InvoiceError, InvoiceService, invoiceDataHolder } from '../../src/domain/invoices/index.js';
import { CdrRepo } from '../../src/store/repos/cdrs.js';
import { CustomerRepo } from '../../src/store/repos/customers.js';
import { DataKeyRepo } from '../../src/store/repos/data-keys.js';
import { InvoiceRepo } from '../../src/store/repos/invoices.js';
import { StationRepo } from '../../src/store/index.js';
import type { CdrRow, NewCdr } from '../../src/store/schema.js';
import { backends, type OpenedStore } from '../helpers/db.js';

const tariff = (vatRate: string) => JSON.stringify({ id: 1, name: 'T', currency: 'EUR', pricePerKwh: '0.30', pricePerMinute: '0', startFee: '0', vatRate, v2gPricePerKwh: '0.10' });
let tx = 0;
const cdr = (customerId: number | null, issuedAt: string, extra: Partial<NewCdr> = {}): NewCdr => ({
  transactionId: ++tx, creditOf: null, creditReason: null, stationId: 'CS-INV', evseId: 1, connectorId: 1, sessionId: `S-${tx}`, protocol: 'ocpp2.0.1',
  startDateTime: new Date(new Date(issuedAt).getTime() - 3_600_000), endDateTime: new Date(issuedAt), tokenUid: 'tok_x', tokenType: 'RFID', authMethod: 'AUTH_REQUEST',
  currency: 'EUR', tariff: tariff('19'), chargingPeriods: '[]', energyImportWh: 10_000, energyExportWh: 0, totalTimeMs: 3_600_000, parkingTimeMs: 0,
  costExclVatMinor: 300, costInclVatMinor: 357, exportCreditExclVatMinor: null, exportCreditInclVatMinor: null,
  customerId, issuedAt: new Date(issuedAt), ...extra,
});

for (const backend of backends) {
  describe(`invoices (migration 0022, InvoiceService) on ${backend.name}`, () => {
    let s: OpenedStore;
    let cdrs: CdrRepo;
    let repo: InvoiceRepo;
    let customers: CustomerService;
    let fields: FieldEncryption;
    let clock = new Date('2026-02-03T09:00:00Z');
    let service: InvoiceService;
    const address = { line1: 'Hauptstraße 1', postalCode: '10115', city: 'Berlin', country: 'DE' };
    const addCdr = async (c: NewCdr): Promise<CdrRow> => (await cdrs.insertOnce(c))!;

    before(async () => {
      s = await backend.open();
      cdrs = new CdrRepo(s.store.db);
      repo = new InvoiceRepo(s.store.db);
      const keys = new KeyRing(new DataKeyRepo(s.store.db), new LocalKeyProvider(randomBytes(32)));
      fields = new FieldEncryption(keys);
      customers = new CustomerService(new CustomerRepo(s.store.db), fields, keys);
      service = new InvoiceService(repo, (id) => customers.billingDetails(id), fields, () => clock);
      await new StationRepo(s.store.db).create({ id: 'CS-INV', passwordHash: null });
    });
    after(() => s?.cleanup());

    it('builds a draft whose figures are the sums of its CDRs: credit lines negative, import/export and V2G credit apart, VAT per rate', async () => {
      const c = await customers.create({ name: 'Erika Mustermann', email: 'erika@example.org', billingAddress: address });
      const other = await customers.create({ name: 'Other', email: 'other@example.org' });
      const a = await addCdr(cdr(c.id, '2026-01-05T10:00:00Z'));
      // V2G: 4 kWh exported at 0.10 → 0.40 net credit, 0.48 incl. 19 %; the CDR's cost is net of it
      const v2g = await addCdr(cdr(c.id, '2026-01-10T10:00:00Z', { energyImportWh: 20_000, energyExportWh: 4000, costExclVatMinor: 560, costInclVatMinor: 666, exportCreditExclVatMinor: 40, exportCreditInclVatMinor: 48 }));
      const reduced = await addCdr(cdr(c.id, '2026-01-12T10:00:00Z', { tariff: tariff('7'), costExclVatMinor: 1000, costInclVatMinor: 1070 }));
      const credit = (await cdrs.insertCredit({ ...cdr(c.id, '2026-01-20T10:00:00Z'), transactionId: null, creditOf: a.id, creditReason: 'broken cable', costExclVatMinor: -300, costInclVatMinor: -357 }))!;
      // not billed here: another customer, no customer, unpriced, and February
      await addCdr(cdr(other.id, '2026-01-06T10:00:00Z'));
      await addCdr(cdr(null, '2026-01-06T10:00:00Z'));
      await addCdr(cdr(c.id, '2026-01-07T10:00:00Z', { currency: null, tariff: null, costExclVatMinor: 0, costInclVatMinor: 0 }));
      await addCdr(cdr(c.id, '2026-02-01T00:00:00Z'));

      const [draft, ...rest] = await service.generate(c.id, '2026-01');
      assert.equal(rest.length, 0);
      assert.equal(draft!.status, 'draft');
      assert.equal(draft!.number, null);
      assert.equal(draft!.customerReference, c.reference);
      assert.equal(draft!.billing, null, 'the billing snapshot is taken at issue');
      const full = (await service.get(draft!.id))!;
      assert.deepEqual(full.lines.map((l) => l.cdrId), [a.id, v2g.id, reduced.id, credit.id]);
      const creditLine = full.lines[3]!;
      assert.deepEqual([creditLine.creditOf, creditLine.energyImportWh, creditLine.amountExclVatMinor, creditLine.amountInclVatMinor], [a.id, -10_000, -300, -357]);
      const v2gLine = full.lines[1]!;
      assert.deepEqual([v2gLine.energyExportWh, v2gLine.chargeExclVatMinor, v2gLine.v2gCreditExclVatMinor, v2gLine.amountExclVatMinor], [4000, 600, 40, 560]);
      const rows = [a, v2g, reduced, credit];
      assert.equal(full.totalExclVatMinor, rows.reduce((n, r) => n + r.costExclVatMinor, 0));
      assert.equal(full.totalInclVatMinor, rows.reduce((n, r) => n + r.costInclVatMinor, 0));
      assert.deepEqual([full.totalExclVatMinor, full.totalInclVatMinor], [1560, 1736]);
      assert.deepEqual([full.energyImportWh, full.energyExportWh], [30_000, 4000]);
      assert.deepEqual([full.v2gCreditExclVatMinor, full.v2gCreditInclVatMinor], [40, 48]);
      assert.deepEqual(full.vatBreakdown, [{ rate: '7', baseMinor: 1000, vatMinor: 70 }, { rate: '19', baseMinor: 560, vatMinor: 106 }]);
      assert.equal(full.vatBreakdown.reduce((n, v) => n + v.baseMinor + v.vatMinor, 0), full.totalInclVatMinor);

      // rebuilding a draft is idempotent: same invoice, same lines
      const [again] = await service.generate(c.id, '2026-01');
      assert.equal(again!.id, draft!.id);
      assert.equal((await service.get(draft!.id))!.lines.length, 4);
    });

    it('issues with a number, seals the billing snapshot bound to the row, and keeps a CDR on one invoice only', async () => {
      const c = await customers.create({ name: 'Max Muster', email: 'max@example.org', billingAddress: address });
      const first = await addCdr(cdr(c.id, '2026-01-15T10:00:00Z'));
      const [draft] = await service.generate(c.id, '2026-01');
      const issued = await service.issue(draft!.id);
      assert.equal(issued.status, 'issued');
      assert.match(issued.number!, /^INV-2026-\d{6}$/);
      assert.deepEqual(issued.billing, { name: 'Max Muster', billingAddress: address });
      const row = (await repo.get(issued.id))!;
      assert.ok(row.billingSnapshotEncrypted && !row.billingSnapshotEncrypted.includes('Muster'));
      // the box is bound to its invoice: opened under another invoice's aad it fails
      await assert.rejects(fields.decryptField(row.billingSnapshotEncrypted, `invoices.billing:${issued.id + 1}`));
      await assert.rejects(service.issue(draft!.id), (e: unknown) => e instanceof InvoiceError && e.code === 'conflict');

      // the issued invoice stays; a CDR issued later in January goes to February's invoice, never twice
      const late = await addCdr(cdr(c.id, '2026-01-31T23:00:00Z'));
      assert.deepEqual(await service.generate(c.id, '2026-01'), [], 'January is issued: nothing is drafted for it');
      const [feb] = await service.generate(c.id, '2026-02');
      assert.deepEqual((await service.get(feb!.id))!.lines.map((l) => l.cdrId), [late.id]);
      // and the database itself refuses a second line for a CDR
      await assert.rejects(s.store.db.insertInto('invoiceLines').values({ invoiceId: feb!.id, cdrId: first.id }).execute());
    });

    it('keeps issued invoices immutable in the database; paid and void are the only moves, void keeps the number', async () => {
      const c = await customers.create({ name: 'Ida', email: 'ida@example.org' });
      await addCdr(cdr(c.id, '2026-01-16T10:00:00Z'));
      const [draft] = await service.generate(c.id, '2026-01');
      const issued = await service.issue(draft!.id);
      const db = s.store.db;
      await assert.rejects(db.updateTable('invoices').set({ totalInclVatMinor: 1 }).where('id', '=', issued.id).execute(), /immutable/);
      await assert.rejects(db.updateTable('invoices').set({ number: 'INV-X' }).where('id', '=', issued.id).execute(), /immutable/);
      await assert.rejects(db.deleteFrom('invoices').where('id', '=', issued.id).execute(), /immutable/);
      await assert.rejects(db.deleteFrom('invoiceLines').where('invoiceId', '=', issued.id).execute(), /immutable/);
      await assert.rejects(sql`TRUNCATE invoices CASCADE`.execute(db), /immutable/);
      await assert.rejects(db.updateTable('invoices').set({ status: 'draft' }).where('id', '=', issued.id).execute());
      await assert.rejects(db.updateTable('invoices').set({ billingSnapshotEncrypted: 'f1.x.y.z.w' }).where('id', '=', issued.id).execute(), /erased/);
      const paid = await service.markPaid(issued.id);
      assert.equal(paid.status, 'paid');
      await assert.rejects(service.markPaid(issued.id), (e: unknown) => e instanceof InvoiceError && e.code === 'conflict');
      const voided = await service.void(issued.id, 'issued in error');
      assert.deepEqual([voided.status, voided.number, voided.voidReason], ['void', issued.number, 'issued in error']);
      await assert.rejects(db.updateTable('invoices').set({ status: 'issued' }).where('id', '=', issued.id).execute(), /cannot move/);
      await assert.rejects(service.void(issued.id, 'again'), (e: unknown) => e instanceof InvoiceError && e.code === 'conflict');
      assert.equal((await service.get(issued.id))!.lines.length, 1, 'a void invoice keeps its lines');
      await assert.rejects(service.generate(c.id, 'January'), (e: unknown) => e instanceof InvoiceError && e.code === 'invalid');
      await assert.rejects(service.issue(999_999), (e: unknown) => e instanceof InvoiceError && e.code === 'not_found');
    });

    it('numbers sequentially and without gaps under concurrent issues, with racing double issues', async () => {
      // a year of its own, so the series starts at 1 whatever the other tests issued
      clock = new Date('2027-01-02T08:00:00Z');
      const drafts: number[] = [];
      for (let i = 0; i < 12; i++) {
        const c = await customers.create({ name: `Racer ${i}`, email: `racer${i}@example.org` });
        await addCdr(cdr(c.id, '2026-12-10T10:00:00Z'));
        drafts.push((await service.generate(c.id, '2026-12'))[0]!.id);
      }
      // every draft issued twice at once: one of each pair wins, the other fails without using a number
      const results = await Promise.allSettled(drafts.flatMap((id) => [service.issue(id), service.issue(id)]));
      const won = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ id: number; number: string | null }>).value);
      assert.equal(won.length, 12);
      assert.deepEqual(new Set(won.map((w) => w.id)), new Set(drafts));
      const seqs = won.map((w) => Number(w.number!.slice('INV-2027-'.length))).sort((x, y) => x - y);
      assert.deepEqual(seqs, Array.from({ length: 12 }, (_, i) => i + 1));
      const counter = await s.store.db.selectFrom('invoiceCounters').select('lastNumber').where('year', '=', 2027).executeTakeFirstOrThrow();
      assert.equal(counter.lastNumber, 12);
      clock = new Date('2026-02-03T09:00:00Z');
    });

    it('runs the month for every customer, and erasure keeps amounts and numbers but drops the billing snapshot', async () => {
      const c = await customers.create({ name: 'Runa Run', email: 'runa@example.org', billingAddress: address });
      await addCdr(cdr(c.id, '2026-03-10T10:00:00Z'));
      const report = await service.run('2026-03', { issue: true });
      // also billed: CDRs no invoice took yet, carried over from earlier months (the first test's customers);
      // the second test's customer has its CDR on February's draft, which a March run leaves alone
      assert.deepEqual([report.customers, report.drafts, report.issued, report.failed], [4, 3, 3, []]);
      const [inv] = (await service.search({ limit: 10, offset: 0, customerId: c.id, period: '2026-03' })).items;
      assert.equal(inv!.status, 'issued');

      const holder = invoiceDataHolder(service);
      const exported = (await holder.export(c.id)) as Array<{ number: string; billing: unknown }>;
      assert.deepEqual(exported.map((e) => [e.number, e.billing]), [[inv!.number, { name: 'Runa Run', billingAddress: address }]]);
      assert.deepEqual(await holder.erase({ customerId: c.id, requestedBy: 'user:1', at: new Date() }), { billingSnapshots: 1 });
      assert.deepEqual(await holder.erase({ customerId: c.id, requestedBy: 'user:1', at: new Date() }), { billingSnapshots: 0 }, 'idempotent');
      const after = (await service.get(inv!.id))!;
      assert.equal(after.billing, null);
      assert.ok(after.billingErasedAt);
      assert.deepEqual([after.number, after.totalInclVatMinor, after.customerReference, after.lines.length], [inv!.number, inv!.totalInclVatMinor, c.reference, 1]);
    });
  });
}
