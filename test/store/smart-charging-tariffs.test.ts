import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Migrator, sql } from 'kysely';
import { DuplicateError, migrateToLatest, SmartChargingRepo, StationRepo, TariffRepo } from '../../src/store/index.js';
import { migrations } from '../../src/store/migrations/index.js';
import { flatDefinition } from '../../src/domain/tariffs/model.js';
import { backends, type OpenedStore } from '../helpers/db.js';

const prices = { currency: 'EUR', pricePerKwh: '0.35', pricePerMinute: '0.05', startFee: '1.00', vatRate: '19' };

for (const backend of backends) {
  describe(`SmartChargingRepo and TariffRepo on ${backend.name}`, () => {
    let s: OpenedStore;
    let sc: SmartChargingRepo;
    let tariffs: TariffRepo;
    before(async () => {
      s = await backend.open();
      const stations = new StationRepo(s.store.db);
      for (const id of ['ST-A', 'ST-B']) await stations.create({ id, passwordHash: null });
      sc = new SmartChargingRepo(s.store.db);
      tariffs = new TariffRepo(s.store.db);
    });
    after(() => s?.cleanup());

    it('keeps one set profile per id and one reported profile per id and EVSE', async () => {
      const row = (profileId: number, evseId: number, status: 'active' | 'rejected' | 'reported', stackLevel = 0) => ({
        stationId: 'ST-A', evseId, profileId, stackLevel, purpose: 'TxDefault', status, transactionRef: null,
        profile: { id: profileId, stackLevel, note: 'json survives' }, commandId: null,
      });
      await sc.saveProfile(row(1, 1, 'active'));
      await sc.saveProfile(row(1, 2, 'rejected', 3)); // same id: replaces the active one
      await sc.saveProfile(row(1, 1, 'reported'));
      await sc.saveProfile(row(1, 2, 'reported'));
      await sc.saveProfile({ ...row(1, 2, 'reported', 5), limitSource: 'EMS' }); // replaces the report for EVSE 2
      const all = await sc.listProfiles('ST-A');
      assert.deepEqual(all.map((r) => [r.evseId, r.status, r.stackLevel, r.limitSource]), [[1, 'reported', 0, 'CSO'], [2, 'rejected', 3, 'CSO'], [2, 'reported', 5, 'EMS']]);
      assert.deepEqual(all[0]!.profile, { id: 1, stackLevel: 0, note: 'json survives' });
      assert.equal((await sc.listProfiles('ST-A', { status: 'rejected' })).length, 1);
      assert.equal((await sc.listProfiles('ST-A', { evseId: 2 })).length, 2);
      await sc.deleteProfiles(all.map((r) => r.id));
      await sc.deleteProfiles([]);
      assert.deepEqual(await sc.listProfiles('ST-A'), []);
      await assert.rejects(sc.saveProfile({ ...row(2, 1, 'active'), status: 'bogus' as 'active' }), /charging_profiles_status/);
    });

    it('upserts limits per EVSE and source and clears them per source', async () => {
      await sc.upsertLimit({ stationId: 'ST-A', evseId: 1, source: 'EMS', isGridCritical: null, schedules: [] });
      await sc.upsertLimit({ stationId: 'ST-A', evseId: 1, source: 'EMS', isGridCritical: true, schedules: [{ limit: 1 }] });
      await sc.upsertLimit({ stationId: 'ST-A', evseId: 2, source: 'EMS', isGridCritical: false, schedules: [] });
      await sc.upsertLimit({ stationId: 'ST-A', evseId: 0, source: 'SO', isGridCritical: null, schedules: [] });
      assert.deepEqual((await sc.listLimits('ST-A')).map((l) => [l.evseId, l.source, l.isGridCritical, l.schedules]),
        [[0, 'SO', null, []], [1, 'EMS', true, [{ limit: 1 }]], [2, 'EMS', false, []]]);
      assert.equal(await sc.clearLimit('ST-A', 'EMS', 2), 1);
      assert.equal(await sc.clearLimit('ST-A', 'EMS'), 1);
      assert.deepEqual((await sc.listLimits('ST-A')).map((l) => l.source), ['SO']);
    });

    it('keeps the latest EV charging needs and schedule per EVSE', async () => {
      const needs = { stationId: 'ST-B', evseId: 1, requestedEnergyTransfer: 'DC', energyAmountWh: 30_000, departureTime: new Date('2030-01-01T08:00:00Z'), maxScheduleTuples: null, acParameters: null, dcParameters: { evMaxCurrent: 200, evMaxVoltage: 800 } };
      await sc.upsertNeeds(needs);
      await sc.upsertNeeds({ ...needs, energyAmountWh: 12_345.5, departureTime: null });
      const [n] = await sc.listNeeds('ST-B');
      assert.deepEqual([n?.energyAmountWh, n?.departureTime, n?.dcParameters, n?.acParameters], [12_345.5, null, { evMaxCurrent: 200, evMaxVoltage: 800 }, null]);
      await sc.upsertEvSchedule('ST-B', 1, new Date('2030-01-01T00:00:00Z'), { periods: [1] });
      await sc.upsertEvSchedule('ST-B', 1, new Date('2030-01-02T00:00:00Z'), { periods: [2] });
      const schedules = await sc.listEvSchedules('ST-B');
      assert.deepEqual(schedules.map((x) => [x.timeBase.toISOString(), x.schedule]), [['2030-01-02T00:00:00.000Z', { periods: [2] }]]);
    });

    it('stores tariffs with exact prices, one default, and per-station assignments', async () => {
      const a = await tariffs.create({ name: 'A', ...prices }, flatDefinition(prices));
      const b = await tariffs.create({ name: 'B', ...prices, pricePerKwh: '0.123456789' }, flatDefinition({ ...prices, pricePerKwh: '0.123456789' }));
      assert.equal((await tariffs.get(b.id))?.pricePerKwh, '0.123456789');
      await assert.rejects(tariffs.create({ name: 'A', ...prices }, flatDefinition(prices)), DuplicateError);
      assert.equal(await tariffs.forStation('ST-A'), undefined);
      assert.equal(await tariffs.setDefault(a.id), true);
      assert.equal(await tariffs.setDefault(b.id), true);
      assert.equal(await tariffs.setDefault(999_999), false);
      assert.deepEqual((await tariffs.list()).map((t) => [t.name, t.isDefault]), [['A', false], ['B', true]]);
      assert.equal((await tariffs.forStation('ST-A'))?.name, 'B');
      await tariffs.assign('ST-A', a.id);
      assert.equal((await tariffs.forStation('ST-A'))?.name, 'A');
      assert.equal((await tariffs.forStation('ST-B'))?.name, 'B');
      await tariffs.unassign('ST-A');
      assert.equal((await tariffs.forStation('ST-A'))?.name, 'B');
    });

    it('versions a tariff: numbered in order, the one valid at an instant, deletion refused while in use', async () => {
      const def = flatDefinition(prices);
      const t = await tariffs.create({ name: 'Versioned' }, def, new Date('2026-01-01T00:00:00Z'));
      assert.equal(t.pricePerKwh, null, 'a tariff of elements has no flat columns');
      const v2 = await tariffs.addVersion(t.id, { ...def, vat_rate: '7' }, new Date('2026-06-01T00:00:00Z'));
      assert.equal(v2?.version, 2);
      assert.equal(await tariffs.addVersion(999_999, def, new Date()), undefined);
      assert.equal((await tariffs.get(t.id))?.vatRate, '7', 'the row shows the latest version');
      assert.equal((await tariffs.versionAt(t.id, new Date('2026-05-31T23:59:59Z')))?.version, 1);
      assert.equal((await tariffs.versionAt(t.id, new Date('2026-06-01T00:00:00Z')))?.version, 2);
      assert.equal((await tariffs.versionAt(t.id, new Date('2025-01-01T00:00:00Z')))?.version, 1, 'before any version: the first');
      assert.deepEqual((await tariffs.versions(t.id)).map((v) => [v.version, v.definition.vat_rate]), [[1, '19'], [2, '7']]);
      await tariffs.assign('ST-B', t.id);
      assert.deepEqual(await tariffs.stationsOf(t.id), ['ST-B']);
      assert.equal(await tariffs.delete(t.id), 'in_use');
      await tariffs.unassign('ST-B');
      assert.equal(await tariffs.delete(t.id), 'deleted');
      assert.equal(await tariffs.delete(t.id), 'not_found');
      assert.deepEqual(await tariffs.versions(t.id), []);
    });

    it('migration 0021 turns each flat tariff into version 1 with one element', async () => {
      const o = await backend.open({ migrate: false });
      try {
        const migrator = new Migrator({ db: o.store.db.withoutPlugins(), provider: { getMigrations: async () => Object.fromEntries(migrations.map((m) => [m.name, m.migration])) } });
        const before0021 = await migrator.migrateTo('0020_customers');
        assert.equal(before0021.error, undefined);
        await sql`INSERT INTO tariffs (name, currency, price_per_kwh, price_per_minute, start_fee, vat_rate, v2g_price_per_kwh)
          VALUES ('Old', 'EUR', '0.35', '0.05', '1.00', '19', '0.25'), ('Plain', 'JPY', '55', '0', '0', '10', NULL)`.execute(o.store.db);
        await migrateToLatest(o.store.db);
        const repo = new TariffRepo(o.store.db);
        const [old, plain] = await repo.list();
        assert.deepEqual((await repo.versions(old!.id)).map((v) => [v.version, v.validFrom.getTime(), v.definition]),
          [[1, old!.createdAt.getTime(), flatDefinition({ currency: 'EUR', pricePerKwh: '0.35', pricePerMinute: '0.05', startFee: '1.00', vatRate: '19', v2gPricePerKwh: '0.25' })]]);
        assert.deepEqual((await repo.versions(plain!.id)).map((v) => v.definition),
          [flatDefinition({ currency: 'JPY', pricePerKwh: '55', pricePerMinute: '0', startFee: '0', vatRate: '10' })]);
      } finally {
        await o.cleanup();
      }
    });
  });
}
