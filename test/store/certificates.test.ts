import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CertificateRepo, SecurityEventRepo, StationRepo } from '../../src/store/index.js';
import { backends, type OpenedStore } from '../helpers/db.js';

const hash = (serialNumber: string) => ({ hashAlgorithm: 'SHA256', issuerNameHash: 'in', issuerKeyHash: 'ik', serialNumber });

for (const backend of backends) {
  describe(`CertificateRepo and security event origin on ${backend.name}`, () => {
    let s: OpenedStore;
    let repo: CertificateRepo;
    before(async () => {
      s = await backend.open();
      repo = new CertificateRepo(s.store.db);
      const stations = new StationRepo(s.store.db);
      await stations.create({ id: 'CS1', passwordHash: null });
      await stations.create({ id: 'CS2', passwordHash: null });
    });
    after(() => s?.cleanup());

    it('stores CSRs and follows their status', async () => {
      const r = await repo.addRequest({ stationId: 'CS1', certificateType: 'ChargingStationCertificate', csr: 'PEM', status: 'Pending' });
      await repo.updateRequest(r.id, { status: 'Delivered', reason: null });
      const got = await repo.getRequest(r.id);
      assert.deepEqual([got?.status, got?.reason, got?.commandId, got?.csr], ['Delivered', null, null, 'PEM']);
      await repo.addRequest({ stationId: 'CS1', certificateType: 'V2GCertificate', csr: 'PEM2', status: 'Rejected', reason: 'bad' });
      assert.deepEqual((await repo.listRequests('CS1')).map((x) => x.status), ['Rejected', 'Delivered']);
    });

    it('replaces the inventory of the queried types only, or all types, per station', async () => {
      await repo.replaceInstalled('CS1', undefined, [
        { certificateType: 'CSMSRootCertificate', ...hash('01') },
        { certificateType: 'V2GCertificateChain', ...hash('02'), childCertificates: [hash('03')] },
      ]);
      await repo.replaceInstalled('CS2', undefined, [{ certificateType: 'CSMSRootCertificate', ...hash('09') }]);
      await repo.replaceInstalled('CS1', ['CSMSRootCertificate'], [{ certificateType: 'CSMSRootCertificate', ...hash('04') }]);
      const cs1 = await repo.listInstalled('CS1');
      assert.deepEqual(cs1.map((c) => [c.certificateType, c.serialNumber]), [['CSMSRootCertificate', '04'], ['V2GCertificateChain', '02']]);
      assert.deepEqual(cs1[1]?.childCertificates, [hash('03')]);
      assert.equal((await repo.listInstalled('CS2')).length, 1);
      await repo.replaceInstalled('CS1', undefined, []);
      assert.deepEqual(await repo.listInstalled('CS1'), []);
    });

    it('adds an installed certificate once and removes it by hash data', async () => {
      await repo.addInstalled('CS1', { certificateType: 'MORootCertificate', ...hash('05') });
      await repo.addInstalled('CS1', { certificateType: 'MORootCertificate', ...hash('05') });
      assert.equal((await repo.listInstalled('CS1', 'MORootCertificate')).length, 1);
      assert.equal(await repo.removeInstalled('CS1', hash('05')), true);
      assert.equal(await repo.removeInstalled('CS1', hash('05')), false);
    });

    it('keeps one network profile per slot, the newest', async () => {
      const base = { stationId: 'CS1', configurationSlot: 1, commandId: null as unknown as number };
      await repo.saveNetworkProfile({ ...base, connectionData: { ocppCsmsUrl: 'wss://a' }, status: 'Rejected' });
      await repo.saveNetworkProfile({ ...base, connectionData: { ocppCsmsUrl: 'wss://b' }, status: 'Accepted' });
      const [p] = await repo.listNetworkProfiles('CS1');
      assert.deepEqual([p?.connectionData, p?.status], [{ ocppCsmsUrl: 'wss://b' }, 'Accepted']);
    });

    it('records ISO 15118 requests, newest first', async () => {
      await repo.addIso15118Request({ stationId: 'CS1', action: 'Get15118EVCertificate', request: { action: 'Install' }, status: 'Failed', reason: 'none' });
      await repo.addIso15118Request({ stationId: 'CS1', action: 'GetCertificateStatus', request: {}, status: 'Accepted' });
      assert.deepEqual((await repo.listIso15118Requests('CS1')).map((r) => [r.action, r.status, r.reason]), [['GetCertificateStatus', 'Accepted', null], ['Get15118EVCertificate', 'Failed', 'none']]);
    });

    it('security events default to origin csms; a station event keeps its own time', async () => {
      const events = new SecurityEventRepo(s.store.db);
      const mine = await events.record({ type: 'X', severity: 'info', details: {} });
      const theirs = await events.record({ stationId: 'CS1', type: 'Y', severity: 'high', details: {}, origin: 'station', occurredAt: new Date('2025-05-05T00:00:00Z') });
      assert.equal(mine.origin, 'csms');
      assert.deepEqual([theirs.origin, theirs.occurredAt.toISOString()], ['station', '2025-05-05T00:00:00.000Z']);
    });
  });
}
